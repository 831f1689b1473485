//! Processes rigor ran: a worker that died (`the worker process killed by signal 9 …`), a
//! command that exited non-zero (`exit code 2` / `killed by signal 9`), a timeout.

use super::{Kind, Parsed};
use regex::Regex;
use std::sync::LazyLock;

static SIGNAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"killed by signal (\d+)").expect("valid"));
static EXIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:exit code|exited with code) (-?\d+)").expect("valid"));

pub(super) fn parse(excerpt: &str) -> Option<Parsed> {
    let first = excerpt.lines().next().unwrap_or("").trim();
    let rest = excerpt.lines().skip(1).collect::<Vec<_>>().join("\n");
    if first.starts_with("timed out after") {
        return Some(Parsed {
            kind: Some(Kind::Timeout),
            exception: "timeout".into(),
            message: first.to_string(),
            ..Default::default()
        });
    }
    let worker =
        first.starts_with("the worker process") || first.contains("could not run its tests");
    if let Some(c) = SIGNAL.captures(first) {
        // A worker's last words are the progress of other tests: the event is the message.
        let message = if worker {
            "the worker process running the test was killed".to_string()
        } else {
            last_words(&rest).unwrap_or_else(|| first.to_string())
        };
        return Some(Parsed {
            kind: Some(Kind::Process),
            exception: format!("signal {}", &c[1]),
            message,
            ..Default::default()
        });
    }
    if let Some(c) = EXIT.captures(first) {
        return Some(Parsed {
            kind: Some(Kind::Process),
            exception: format!("exit code {}", &c[1]),
            message: last_words(&rest).unwrap_or_default(),
            ..Default::default()
        });
    }
    worker.then(|| Parsed {
        kind: Some(Kind::Process),
        exception: "worker died".into(),
        // The worker's last words say why it could not run (e.g. no pytest installed).
        message: last_words(&rest).unwrap_or_else(|| first.to_string()),
        ..Default::default()
    })
}

/// The last non-empty line of a process's output: its last words are usually the reason.
fn last_words(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("hint:"))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use crate::signature::{Kind, Signature};

    #[test]
    fn signals_exit_codes_and_timeouts() {
        let s = Signature::of(
            "the worker process killed by signal 9 while running this test\nFFE\nhint: x",
        );
        assert_eq!((s.kind, s.exception.as_str()), (Kind::Process, "signal 9"));
        let s = Signature::of("exit code 2\nsrc/a.rs:1: error\nwould reformat src/a.py");
        assert_eq!(s.exception, "exit code 2");
        assert_eq!(s.message, "would reformat src/a.py");
        let s = Signature::of(
            "pytest suite `python` could not run its tests: the worker process exited with code 1 while running this test\n/usr/bin/python3: No module named pytest",
        );
        assert_eq!(
            (s.exception.as_str(), s.message.as_str()),
            ("worker died", "/usr/bin/python<n>: No module named pytest")
        );
        let s = Signature::of("timed out after 2s; its process group was killed");
        assert_eq!((s.kind, s.exception.as_str()), (Kind::Timeout, "timeout"));
    }
}
