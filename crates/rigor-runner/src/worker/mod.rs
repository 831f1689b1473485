//! Workers: where tests execute. A persistent worker process (pytest) speaking a line protocol
//! ([`protocol`]), or a process per test ([`process`]: test binaries, commands).

pub mod process;
pub mod protocol;

use rigor_model::{Outcome, TestCase, TestKey, TestResult};
use std::sync::mpsc;

/// What workers tell the scheduler.
#[derive(Debug)]
pub enum WorkerEvent {
    /// The worker collected its tests (persistent workers only).
    Collected {
        slot: usize,
        items: Vec<TestCase>,
        /// (collector id, error text)
        errors: Vec<(String, String)>,
    },
    Started {
        slot: usize,
        id: String,
    },
    Result {
        slot: usize,
        result: TestResult,
    },
    /// The worker wrote a line that names a message (`ev`) but cannot be read (persistent
    /// workers only): the scheduler settles what the message was about.
    Unreadable {
        slot: usize,
        /// The message's `ev` tag, as far as it could be made out.
        ev: String,
        /// Why it cannot be read, with the start of the line.
        error: String,
    },
    /// The worker process ended (persistent workers only).
    Exited {
        slot: usize,
        code: Option<i32>,
        signal: Option<i32>,
        stderr: String,
    },
}

pub trait Worker: Send {
    /// How many tests may be handed to it before it reports one finished.
    fn capacity(&self) -> usize;
    fn send(&mut self, test: &TestCase) -> std::io::Result<()>;
    /// No successor is coming for the tests handed over so far (for now): run them all. More
    /// tests may be handed over later.
    fn flush(&mut self) {}
    /// No more tests, ever. Returns true if the worker will now end (and accepts no more).
    fn finish_input(&mut self) -> bool;
    /// Kill whatever runs, with its process group.
    fn kill(&mut self);
}

pub trait WorkerFactory {
    fn spawn(&self, slot: usize, tx: mpsc::Sender<WorkerEvent>)
    -> std::io::Result<Box<dyn Worker>>;
    /// True when workers collect the tests themselves and report `Collected` before running.
    fn collects(&self) -> bool;
    fn suite(&self) -> &str;
    /// For messages: e.g. "pytest suite `python`".
    fn describe(&self) -> String;
}

/// The error result for a collector (a test file or module) that could not be collected.
pub fn collection_error(suite: &str, id: &str, text: &str) -> TestResult {
    let mut r = TestResult::new(TestKey::new(suite, id), Outcome::Error, 0.0);
    r.file = Some(id.split("::").next().unwrap_or(id).to_string());
    r.excerpt = Some(format!("collection error:\n{text}"));
    r
}

/// The last `n` lines of `text`.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_error_points_at_its_file() {
        let r = collection_error("py", "tests/test_a.py", "ImportError: x");
        assert_eq!(r.key, TestKey::new("py", "tests/test_a.py"));
        assert_eq!(r.outcome, Outcome::Error);
        assert_eq!(r.file.as_deref(), Some("tests/test_a.py"));
        assert_eq!(
            r.excerpt.as_deref(),
            Some("collection error:\nImportError: x")
        );
        let r = collection_error("py", "tests/test_b.py::TestX", "");
        assert_eq!(r.file.as_deref(), Some("tests/test_b.py"));
    }

    #[test]
    fn last_lines_keeps_the_end() {
        assert_eq!(last_lines("a\nb\nc\n", 2), "b\nc");
        assert_eq!(last_lines("a", 5), "a");
        assert_eq!(last_lines("", 3), "");
    }
}
