//! What the scheduler says when a test times out, a worker dies, or a suite cannot run.

use crate::worker::WorkerFactory;
use rigor_model::{Outcome, TestKey, TestResult};
use std::time::Duration;

/// The excerpt of a test killed by its timeout, with what it printed before (if anything).
pub(super) fn timeout_text(limit: Duration, partial: Option<String>) -> String {
    let mut s = format!(
        "timed out after {}; its process group was killed",
        rigor_model::duration::human(limit.as_secs_f64())
    );
    if let Some(p) = partial.filter(|p| !p.trim().is_empty()) {
        s.push_str("\n--- output before the timeout ---\n");
        s.push_str(&p);
    }
    s
}

/// The excerpt of a test whose worker process died under it: how, and the end of its stderr.
pub(super) fn crash_text(code: Option<i32>, signal: Option<i32>, stderr: &str) -> String {
    let how = match (code, signal) {
        (_, Some(sig)) => format!("killed by signal {sig}"),
        (Some(c), None) => format!("exited with code {c}"),
        _ => "ended".to_string(),
    };
    let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    format!(
        "the worker process {how} while running this test\n{}",
        tail.join("\n")
    )
}

/// The excerpt of a test whose worker went on to the next test without a result for it.
pub(super) fn lost_text() -> String {
    "rigor received no readable result for this test: its worker went on to the next test \
     (the result message was lost or unreadable)"
        .into()
}

/// The excerpt of a test whose `ev` message from its worker could not be read.
pub(super) fn unreadable_text(ev: &str, error: &str) -> String {
    format!(
        "rigor could not read the `{ev}` message of this test from its worker, so its real outcome is unknown: {error}"
    )
}

/// The error result of a suite whose workers cannot run its tests (`SUITE::<worker>`).
pub(super) fn abort_result(factory: &dyn WorkerFactory, why: &str) -> TestResult {
    let mut r = TestResult::new(
        TestKey::new(factory.suite(), "<worker>"),
        Outcome::Error,
        0.0,
    );
    r.excerpt = Some(format!(
        "{} could not run its tests: {why}",
        factory.describe()
    ));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_keeps_what_the_test_printed() {
        let t = timeout_text(Duration::from_secs(2), Some("half way\n".into()));
        assert!(t.starts_with("timed out after 2"), "{t}");
        assert!(
            t.ends_with("--- output before the timeout ---\nhalf way\n"),
            "{t}"
        );
        assert!(!timeout_text(Duration::from_secs(2), Some("  \n".into())).contains("---"));
    }

    #[test]
    fn a_crash_says_how_and_keeps_the_last_forty_lines() {
        let stderr: String = (1..=50).map(|i| format!("line {i}\n")).collect();
        let t = crash_text(Some(3), None, &stderr);
        assert!(t.starts_with(
            "the worker process exited with code 3 while running this test\nline 11\n"
        ));
        assert!(t.ends_with("line 50"));
        assert!(crash_text(Some(137), Some(9), "").contains("killed by signal 9"));
        assert!(crash_text(None, None, "").contains("process ended"));
    }
}
