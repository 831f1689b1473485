//! Rust panics as libtest and nextest print them: `thread 'name' panicked at file:line:col:`
//! followed by the message (older toolchains: `panicked at 'message', file:line:col`), and
//! backtrace frames `at ./src/lib.rs:10:5`.

use super::{Frame, Kind, Parsed};
use regex::Regex;
use std::sync::LazyLock;

static PANIC_NEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"thread '([^']*)' panicked at ([^:\s]+):(\d+):\d+:\s*$").expect("valid")
});
static PANIC_OLD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"thread '([^']*)' panicked at '(.*)', ([^:\s]+):(\d+):\d+").expect("valid")
});
static BT_AT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+at (?:\./)?([^:\s]+\.rs):(\d+):\d+").expect("valid"));
static BT_FN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*\d+: (\S+)").expect("valid"));

pub(super) fn parse(excerpt: &str) -> Option<Parsed> {
    let lines: Vec<&str> = excerpt.lines().collect();
    let mut p = Parsed {
        kind: Some(Kind::RustPanic),
        exception: "panic".into(),
        ..Default::default()
    };
    let mut found = false;
    for (i, line) in lines.iter().enumerate() {
        if let Some(c) = PANIC_NEW.captures(line) {
            found = true;
            let msg: Vec<&str> = lines[i + 1..]
                .iter()
                .take_while(|l| !l.starts_with("note:") && !l.starts_with("stack backtrace"))
                .copied()
                .collect();
            p.message = msg.join("\n").trim().to_string();
            p.frames.push(frame(&c[2], &c[3], None));
            break;
        }
        if let Some(c) = PANIC_OLD.captures(line) {
            found = true;
            p.message = c[2].to_string();
            p.frames.push(frame(&c[3], &c[4], None));
            break;
        }
    }
    if !found {
        return None;
    }
    // A backtrace, innermost first as printed: keep it outermost first like the others.
    let mut bt = Vec::new();
    let mut last_fn: Option<String> = None;
    for line in &lines {
        if let Some(c) = BT_AT.captures(line) {
            bt.push(frame(&c[1], &c[2], last_fn.take()));
        } else if let Some(c) = BT_FN.captures(line) {
            last_fn = Some(c[1].to_string());
        }
    }
    if !bt.is_empty() {
        bt.reverse();
        p.frames = bt;
    }
    Some(p)
}

fn frame(file: &str, line: &str, function: Option<String>) -> Frame {
    Frame {
        file: file.to_string(),
        line: line.parse().unwrap_or(0),
        function,
    }
}

#[cfg(test)]
mod tests {
    use crate::signature::{Kind, Signature};

    #[test]
    fn a_panic_names_its_message_and_place() {
        let s = Signature::of(
            "---- tests::adds stdout ----\n\nthread 'tests::adds' panicked at src/lib.rs:12:9:\nassertion `left == right` failed\n  left: 4\n right: 5\nnote: run with `RUST_BACKTRACE=1`",
        );
        assert_eq!((s.kind, s.exception.as_str()), (Kind::RustPanic, "panic"));
        assert_eq!(
            s.message,
            "assertion `left == right` failed left: <n> right: <n>"
        );
        assert_eq!(
            (s.frames[0].file.as_str(), s.frames[0].line),
            ("src/lib.rs", 12)
        );
    }

    #[test]
    fn backtrace_frames_in_the_project_are_kept() {
        let s = Signature::of(
            "thread 'main' panicked at src/lib.rs:3:5:\nboom\nstack backtrace:\n   0: std::panicking::begin_panic\n             at /rustc/abc/library/std/src/panicking.rs:600:12\n   1: mycrate::inner\n             at ./src/lib.rs:3:5\n   2: mycrate::tests::t\n             at ./src/lib.rs:20:9\n",
        );
        assert_eq!(s.frames.len(), 2);
        assert_eq!(s.frames[0].function.as_deref(), Some("mycrate::inner"));
        let old = Signature::of("thread 't' panicked at 'boom 7', src/a.rs:1:2");
        assert_eq!(old.message, "boom <n>");
    }
}
