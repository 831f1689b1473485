//! The line protocol of persistent workers (rigor's pytest plugin, `python/rigor_pytest.py`).
//!
//! rigor → worker (stdin): a test id per line; an empty line means "no successor is coming for
//! now: run what you hold"; closing stdin ends the session.
//!
//! worker → rigor (stdout): one JSON object per line, tagged by `ev`:
//! `{"ev":"collected","items":[{"id","file","line","markers"}],"errors":[{"id","text"}],"python","pytest"}`,
//! `{"ev":"start","id"}`, `{"ev":"result","id","outcome","duration","excerpt","output"}` and
//! `{"ev":"done"}`. Any other line (something a plugin or conftest printed) is ignored.
//!
//! Reading is forgiving, because a test controls what its messages carry: bytes that are not
//! UTF-8 are replaced, escaped lone surrogates (`\udcff`, which Python's `json.dumps` writes for
//! undecodable file names and hostile assertion messages) are read as U+FFFD, and a line that
//! still looks like a message but cannot be parsed is reported ([`WorkerEvent::Unreadable`]) so
//! that the scheduler settles the test it belonged to instead of waiting for it forever.

use super::{Worker, WorkerEvent};
use crate::process::Group;
use rigor_model::{Outcome, TestCase, TestKey, TestResult};
use serde::Deserialize;
use std::io::{BufRead, Write};
use std::sync::mpsc;

/// A collected test as the worker describes it.
#[derive(Debug, Deserialize)]
pub struct Item {
    pub id: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    #[serde(default)]
    pub markers: Vec<String>,
}

/// A collector that failed, with its error text.
#[derive(Debug, Deserialize)]
pub struct CollectError {
    pub id: String,
    pub text: Option<String>,
}

/// What a collection depended on (collect mode only): the project modules imported while
/// collecting (module name → file relative to `root`, pytest's rootdir), the directories pytest
/// looked into and the site-packages directories. rigor's discovery cache watches them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Inputs {
    pub root: String,
    #[serde(default)]
    pub modules: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub dirs: Vec<String>,
    #[serde(default)]
    pub site: Vec<String>,
}

/// One line the worker writes.
#[derive(Debug, Deserialize)]
#[serde(tag = "ev", rename_all = "lowercase")]
pub enum Message {
    Collected {
        items: Vec<Item>,
        #[serde(default)]
        errors: Vec<CollectError>,
        python: Option<String>,
        pytest: Option<String>,
        #[serde(default)]
        inputs: Option<Inputs>,
    },
    Start {
        id: String,
    },
    Result {
        id: String,
        outcome: String,
        duration: f64,
        excerpt: Option<String>,
        output: Option<String>,
    },
    Done {},
}

/// The message on a line, or None for a line that is not one.
pub fn parse(line: &str) -> Option<Message> {
    read(line).ok()
}

/// The message on a line, or why the line is not one. A line whose only fault is an escaped
/// lone surrogate is read with U+FFFD in its place.
pub fn read(line: &str) -> Result<Message, serde_json::Error> {
    serde_json::from_str(line).or_else(|first| match repair_surrogates(line) {
        Some(repaired) => serde_json::from_str(&repaired).map_err(|_| first),
        None => Err(first),
    })
}

/// `line` with every `\uXXXX` escape of a lone (unpaired) surrogate replaced by `\ufffd`, or
/// None when it has none. Escaped backslashes (`\\udcff`) are text, not escapes, and stay.
pub fn repair_surrogates(line: &str) -> Option<String> {
    fn surrogate_at(b: &[u8], i: usize) -> Option<u16> {
        let hex = b.get(i + 2..i + 6)?;
        if b[i] != b'\\' || b[i + 1] != b'u' {
            return None;
        }
        let v = u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        (0xD800..=0xDFFF).contains(&v).then_some(v)
    }
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let (mut i, mut copied, mut changed) = (0, 0, false);
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match surrogate_at(b, i) {
            // A high surrogate followed by a low one: a valid pair.
            Some(0xD800..=0xDBFF) if surrogate_at(b, i + 6).is_some_and(|low| low >= 0xDC00) => {
                i += 12
            }
            Some(_) => {
                out.push_str(&line[copied..i]);
                out.push_str("\\ufffd");
                i += 6;
                copied = i;
                changed = true;
            }
            // Any other escape: skip the backslash and the escaped character.
            None => i += 2,
        }
    }
    changed.then(|| {
        out.push_str(&line[copied..]);
        out
    })
}

/// The `ev` tag of a line that looks like a message (a JSON object naming one), or None.
fn tag_of(line: &str) -> Option<&str> {
    let line = line.trim_start();
    if !line.starts_with('{') {
        return None;
    }
    let rest = &line[line.find("\"ev\"")? + 4..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

/// How much of an unreadable line an event keeps.
const UNREADABLE_KEEP: usize = 300;

/// Collected items as tests of `suite`.
pub fn tests_of(suite: &str, items: Vec<Item>) -> Vec<TestCase> {
    items
        .into_iter()
        .map(|i| TestCase {
            key: TestKey::new(suite, i.id),
            file: i.file,
            line: i.line,
            markers: i.markers,
            ignored: false,
        })
        .collect()
}

/// Collection errors as `(collector id, text)`.
pub fn errors_of(errors: Vec<CollectError>) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|e| (e.id, e.text.unwrap_or_default()))
        .collect()
}

/// What a message from the worker in `slot` means to the scheduler (None: nothing to report).
/// An outcome rigor does not know is an error.
pub fn event(message: Message, slot: usize, suite: &str) -> Option<WorkerEvent> {
    Some(match message {
        Message::Collected { items, errors, .. } => WorkerEvent::Collected {
            slot,
            items: tests_of(suite, items),
            errors: errors_of(errors),
        },
        Message::Start { id } => WorkerEvent::Started { slot, id },
        Message::Result {
            id,
            outcome,
            duration,
            excerpt,
            output,
        } => {
            let outcome = Outcome::parse(&outcome).unwrap_or(Outcome::Error);
            let mut result = TestResult::new(TestKey::new(suite, id), outcome, duration);
            result.excerpt = excerpt;
            result.output = output;
            WorkerEvent::Result { slot, result }
        }
        Message::Done {} => return None,
    })
}

/// What a line the worker in `slot` wrote means to the scheduler: a message's event, an
/// [`WorkerEvent::Unreadable`] for a line that names a message but cannot be read, or None
/// for anything else (noise, `done`).
pub fn line_event(line: &str, slot: usize, suite: &str) -> Option<WorkerEvent> {
    match read(line) {
        Ok(message) => event(message, slot, suite),
        Err(e) => {
            let ev = tag_of(line)?.to_string();
            let mut end = line.len().min(UNREADABLE_KEEP);
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            Some(WorkerEvent::Unreadable {
                slot,
                ev,
                error: format!("{e}; the line began: {}", &line[..end]),
            })
        }
    }
}

/// Forward what the worker in `slot` writes to the scheduler, until its output ends (or the
/// scheduler is gone). Lines that are not messages are skipped; bytes that are not UTF-8 are
/// replaced (U+FFFD), never a reason to stop reading.
pub fn forward(mut output: impl BufRead, slot: usize, suite: &str, tx: &mpsc::Sender<WorkerEvent>) {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match output.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        let Some(event) = line_event(line, slot, suite) else {
            continue;
        };
        if tx.send(event).is_err() {
            break;
        }
    }
}

/// A persistent worker as rigor drives it: test ids and flushes written to its input, the end
/// of the session by closing it.
pub struct LineWorker<W: Write + Send> {
    input: Option<W>,
    /// The worker's process group (none in unit tests).
    group: Option<std::sync::Arc<Group>>,
}

impl<W: Write + Send> LineWorker<W> {
    pub fn new(input: W, group: Option<std::sync::Arc<Group>>) -> Self {
        LineWorker {
            input: Some(input),
            group,
        }
    }
}

impl<W: Write + Send> Worker for LineWorker<W> {
    /// Two: the worker runs a test once it knows its successor (for fixture teardown).
    fn capacity(&self) -> usize {
        2
    }

    fn send(&mut self, test: &TestCase) -> std::io::Result<()> {
        let input = self.input.as_mut().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "worker input closed")
        })?;
        input.write_all(test.key.id.as_bytes())?;
        input.write_all(b"\n")?;
        input.flush()
    }

    fn flush(&mut self) {
        // An empty line: the worker runs its queued tests, the last one with no successor.
        if let Some(input) = self.input.as_mut() {
            let _ = input.write_all(b"\n").and_then(|_| input.flush());
        }
    }

    fn finish_input(&mut self) -> bool {
        self.input = None;
        true
    }

    fn kill(&mut self) {
        if let Some(g) = &self.group {
            g.kill();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn each_message_becomes_its_event() {
        let collected = r#"{"ev":"collected","items":[{"id":"t.py::a","file":"t.py","line":3,"markers":["slow"]},{"id":"t.py::b","file":null,"line":null}],"errors":[{"id":"u.py","text":"boom"},{"id":"v.py"}],"python":"3.12","pytest":"8.3"}"#;
        let Some(WorkerEvent::Collected {
            slot: 1,
            items,
            errors,
        }) = parse(collected).and_then(|m| event(m, 1, "py"))
        else {
            panic!("collected");
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].key, TestKey::new("py", "t.py::a"));
        assert_eq!(
            (items[0].file.as_deref(), items[0].line),
            (Some("t.py"), Some(3))
        );
        assert_eq!(items[0].markers, ["slow"]);
        assert!(items[1].markers.is_empty() && !items[1].ignored);
        assert_eq!(
            errors,
            [
                ("u.py".into(), "boom".into()),
                ("v.py".into(), String::new())
            ]
        );

        let start = parse(r#"{"ev":"start","id":"t.py::a"}"#).and_then(|m| event(m, 0, "py"));
        assert!(matches!(start, Some(WorkerEvent::Started { slot: 0, id }) if id == "t.py::a"));

        let result = r#"{"ev":"result","id":"t.py::a","outcome":"xfailed","duration":0.25,"excerpt":"E  no","output":"out"}"#;
        let Some(WorkerEvent::Result { slot: 0, result }) =
            parse(result).and_then(|m| event(m, 0, "py"))
        else {
            panic!("result");
        };
        assert_eq!(result.key, TestKey::new("py", "t.py::a"));
        assert_eq!(result.outcome, Outcome::Xfailed);
        assert_eq!(result.duration_s, 0.25);
        assert_eq!(result.excerpt.as_deref(), Some("E  no"));
        assert_eq!(result.output.as_deref(), Some("out"));

        let done = parse(r#"{"ev":"done","t":1.5}"#).unwrap();
        assert!(event(done, 0, "py").is_none(), "done reports nothing");
    }

    #[test]
    fn an_unknown_outcome_is_an_error() {
        let line = r#"{"ev":"result","id":"a","outcome":"exploded","duration":0}"#;
        let Some(WorkerEvent::Result { result, .. }) = parse(line).and_then(|m| event(m, 0, "s"))
        else {
            panic!("result");
        };
        assert_eq!(result.outcome, Outcome::Error);
    }

    #[test]
    fn lines_that_are_not_messages_are_skipped() {
        for line in [
            "",
            "hello from conftest",
            "{not json",
            r#"{"ev":"unknown"}"#,
            r#"{"ev":"start"}"#,
            r#"{"id":"t.py::a"}"#,
            "[1, 2]",
        ] {
            assert!(parse(line).is_none(), "{line:?}");
        }
    }

    #[test]
    fn forward_sends_events_in_order_and_skips_noise() {
        let stream = concat!(
            "{\"ev\":\"collected\",\"items\":[{\"id\":\"a\",\"file\":null,\"line\":null}]}\n",
            "print() from a test that escaped capture\n",
            "{\"ev\":\"start\",\"id\":\"a\"}\n",
            "{\"ev\":\"result\",\"id\":\"a\",\"outcome\":\"passed\",\"duration\":0.1}\n",
            "{\"ev\":\"done\"}\n",
            // The last line may lack its newline when the worker dies.
            "{\"ev\":\"start\",\"id\":\"b\"}",
        );
        let (tx, rx) = mpsc::channel();
        forward(stream.as_bytes(), 2, "py", &tx);
        drop(tx);
        let got: Vec<String> = rx
            .iter()
            .map(|e| match e {
                WorkerEvent::Collected { slot, items, .. } => {
                    format!("{slot} collected {}", items.len())
                }
                WorkerEvent::Started { slot, id } => format!("{slot} start {id}"),
                WorkerEvent::Result { slot, result } => {
                    format!("{slot} result {} {}", result.key.id, result.outcome)
                }
                WorkerEvent::Exited { .. } => "exited".into(),
                WorkerEvent::Unreadable { slot, ev, error } => {
                    format!("{slot} unreadable {ev}: {error}")
                }
            })
            .collect();
        assert_eq!(
            got,
            [
                "2 collected 1",
                "2 start a",
                "2 result a passed",
                "2 start b"
            ]
        );
    }

    #[test]
    fn escaped_lone_surrogates_are_read_as_replacement_characters() {
        // What Python's json.dumps writes for `assert False, "bad \udcff"` and for a test file
        // whose name is not UTF-8.
        let line = r#"{"ev":"result","id":"tests/test_\udcff.py::t","outcome":"failed","duration":0.1,"excerpt":"bad \udcff \ud83d\ude00 \\udcff \ud800"}"#;
        let Some(WorkerEvent::Result { result, .. }) = parse(line).and_then(|m| event(m, 0, "s"))
        else {
            panic!("a result");
        };
        assert_eq!(result.key.id, "tests/test_\u{fffd}.py::t");
        assert_eq!(result.outcome, Outcome::Failed);
        assert_eq!(
            result.excerpt.as_deref(),
            Some("bad \u{fffd} \u{1f600} \\udcff \u{fffd}"),
            "pairs and escaped backslashes stay"
        );
        assert_eq!(repair_surrogates(r#"{"a":"\ud83d\ude00 \\ud800"}"#), None);
        assert_eq!(
            repair_surrogates(r#""\udcff\ude00x\ud83d""#).as_deref(),
            Some(r#""\ufffd\ufffdx\ufffd""#)
        );
    }

    #[test]
    fn a_line_that_names_a_message_but_cannot_be_read_is_reported() {
        let line = r#"{"ev":"result","id":"a","outcome":"failed","duration":"#;
        let Some(WorkerEvent::Unreadable { slot: 4, ev, error }) = line_event(line, 4, "s") else {
            panic!("unreadable");
        };
        assert_eq!(ev, "result");
        assert!(
            error.contains("the line began: {\"ev\":\"result\""),
            "{error}"
        );
        let long = format!("{{\"ev\" : \"start\", \"x\": \"{}", "é".repeat(400));
        let Some(WorkerEvent::Unreadable { ev, error, .. }) = line_event(&long, 0, "s") else {
            panic!("unreadable");
        };
        assert_eq!(ev, "start");
        assert!(error.len() < 400, "the line is cut: {error}");
        for noise in ["hello", "{not json", "[1]", r#"{"id":"x"}"#, ""] {
            assert!(line_event(noise, 0, "s").is_none(), "{noise:?}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_do_not_end_the_stream() {
        let mut stream = b"{\"ev\":\"start\",\"id\":\"t_\xff.py::a\"}\n".to_vec();
        stream.extend_from_slice(b"garbage \xfe\xff\n");
        stream.extend_from_slice(
            b"{\"ev\":\"result\",\"id\":\"b\",\"outcome\":\"passed\",\"duration\":0}\n",
        );
        let (tx, rx) = mpsc::channel();
        forward(&stream[..], 0, "s", &tx);
        drop(tx);
        let got: Vec<String> = rx
            .iter()
            .map(|e| match e {
                WorkerEvent::Started { id, .. } => format!("start {id}"),
                WorkerEvent::Result { result, .. } => format!("result {}", result.key.id),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(got, ["start t_\u{fffd}.py::a", "result b"]);
    }

    #[test]
    fn forward_stops_when_the_scheduler_is_gone() {
        let (tx, rx) = mpsc::channel();
        drop(rx);
        // Would loop over every line; returns at the first send instead.
        forward(
            "{\"ev\":\"start\",\"id\":\"a\"}\n".repeat(1000).as_bytes(),
            0,
            "s",
            &tx,
        );
    }

    /// A `Write` whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn ids_go_one_per_line_a_flush_is_an_empty_line_and_finishing_closes_the_input() {
        let input = Shared::default();
        let mut w = LineWorker::new(input.clone(), None);
        assert_eq!(w.capacity(), 2);
        w.send(&TestCase::new("py", "t.py::a")).unwrap();
        w.send(&TestCase::new("py", "t.py::b[x y]")).unwrap();
        w.flush();
        assert!(w.finish_input());
        let err = w.send(&TestCase::new("py", "t.py::c")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
        w.flush();
        assert_eq!(
            String::from_utf8(input.0.lock().unwrap().clone()).unwrap(),
            "t.py::a\nt.py::b[x y]\n\n"
        );
    }
}
