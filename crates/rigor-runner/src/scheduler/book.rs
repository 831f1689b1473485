//! The scheduler's bookkeeping: what is left to run, retries, and how the batch is ending.

use super::options::Options;
use super::progress::{Ending, Progress};
use rigor_model::{Outcome, TestCase, TestResult};
use std::collections::{HashMap, VecDeque};

/// One attempt at a test: its index in the batch's tests, and which attempt (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Job {
    pub(super) idx: usize,
    pub(super) attempt: u32,
}

pub(super) struct Book {
    /// Attempts not handed to a worker yet, in order.
    pub(super) queue: VecDeque<Job>,
    /// First failure text of tests being retried.
    failed_attempts: HashMap<usize, String>,
    /// Tests queued or outstanding (without a final result yet).
    pub(super) pending: usize,
    pub(super) ending: Ending,
    /// Nothing more may run (interrupt, fail-fast, abort).
    pub(super) stopping: bool,
}

impl Book {
    pub(super) fn new() -> Book {
        Book {
            queue: VecDeque::new(),
            failed_attempts: HashMap::new(),
            pending: 0,
            ending: Ending::Completed,
            stopping: false,
        }
    }

    /// Queue the first attempt of test `idx`.
    pub(super) fn enqueue(&mut self, idx: usize) {
        self.queue.push_back(Job { idx, attempt: 1 });
        self.pending += 1;
    }

    /// Stop the batch: nothing more runs, and it ends with `ending`.
    pub(super) fn stop(&mut self, ending: Ending) {
        self.ending = ending;
        self.stopping = true;
    }

    /// Settle a finished attempt (its `start_s` and `worker` set): retry a failure while retries
    /// are left; otherwise report the final result — a pass after a failure is `flaky` — and
    /// stop on fail-fast.
    pub(super) fn settle(
        &mut self,
        job: Job,
        mut result: TestResult,
        tests: &[TestCase],
        opts: &Options,
        sink: &mut dyn FnMut(Progress<'_>),
    ) {
        let test = &tests[job.idx];
        result.attempts = job.attempt;
        if result.file.is_none() {
            result.file = test.file.clone();
        }
        if result.line.is_none() {
            result.line = test.line;
        }
        if result.outcome.is_failure() {
            let text = result.excerpt.clone().unwrap_or_default();
            self.failed_attempts.entry(job.idx).or_insert_with(|| {
                format!("attempt {}: {} — {}", job.attempt, result.outcome, text)
            });
            if job.attempt <= opts.retries {
                self.queue.push_front(Job {
                    idx: job.idx,
                    attempt: job.attempt + 1,
                });
                return;
            }
        } else if let Some(first) = self.failed_attempts.remove(&job.idx)
            && matches!(result.outcome, Outcome::Passed | Outcome::Xpassed)
        {
            result.outcome = Outcome::Flaky;
            result.excerpt = Some(format!(
                "passed on attempt {} after failing:\n{first}",
                job.attempt
            ));
        }
        sink(Progress::Finished { result: &result });
        self.pending -= 1;
        if opts.fail_fast && result.outcome.is_failure() {
            self.stop(Ending::FailFast);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::TestKey;
    use std::time::Duration;

    fn opts(retries: u32, fail_fast: bool) -> Options {
        Options {
            jobs: 1,
            timeout: Duration::from_secs(1),
            collect_timeout: Duration::from_secs(1),
            retries,
            fail_fast,
        }
    }

    fn attempt(outcome: Outcome, excerpt: &str) -> TestResult {
        let mut r = TestResult::new(TestKey::new("s", "t"), outcome, 0.1);
        r.excerpt = Some(excerpt.into());
        r
    }

    /// Settle `result` and return what reached the sink.
    fn settle(book: &mut Book, job: Job, result: TestResult, o: &Options) -> Vec<TestResult> {
        let mut tests = vec![TestCase::new("s", "t")];
        tests[0].file = Some("t.py".into());
        tests[0].line = Some(7);
        let mut out = Vec::new();
        book.settle(job, result, &tests, o, &mut |p| {
            if let Progress::Finished { result } = p {
                out.push(result.clone());
            }
        });
        out
    }

    #[test]
    fn a_failure_is_retried_first_then_reported_as_flaky_when_it_passes() {
        let o = opts(1, false);
        let mut book = Book::new();
        book.enqueue(0);
        let first = book.queue.pop_front().unwrap();
        assert!(settle(&mut book, first, attempt(Outcome::Failed, "boom"), &o).is_empty());
        let retry = book.queue.pop_front().unwrap();
        assert_eq!(retry, Job { idx: 0, attempt: 2 });
        let out = settle(&mut book, retry, attempt(Outcome::Passed, ""), &o);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].outcome, Outcome::Flaky);
        assert_eq!(out[0].attempts, 2);
        assert_eq!(
            out[0].excerpt.as_deref(),
            Some("passed on attempt 2 after failing:\nattempt 1: failed — boom")
        );
        assert_eq!(
            (out[0].file.as_deref(), out[0].line),
            (Some("t.py"), Some(7))
        );
        assert_eq!(book.pending, 0);
    }

    #[test]
    fn a_failure_without_retries_left_is_final_and_stops_a_fail_fast_batch() {
        let o = opts(1, true);
        let mut book = Book::new();
        book.enqueue(0);
        let _ = book.queue.pop_front();
        let out = settle(
            &mut book,
            Job { idx: 0, attempt: 2 },
            attempt(Outcome::Timeout, "slow"),
            &o,
        );
        assert_eq!(out[0].outcome, Outcome::Timeout);
        assert_eq!(out[0].attempts, 2);
        assert!(book.queue.is_empty() && book.stopping);
        assert_eq!(book.ending, Ending::FailFast);
    }

    #[test]
    fn a_skip_after_a_failure_stays_a_skip() {
        let o = opts(1, false);
        let mut book = Book::new();
        book.enqueue(0);
        let first = book.queue.pop_front().unwrap();
        settle(&mut book, first, attempt(Outcome::Error, "fixture"), &o);
        let retry = book.queue.pop_front().unwrap();
        let out = settle(&mut book, retry, attempt(Outcome::Skipped, "skip"), &o);
        assert_eq!(out[0].outcome, Outcome::Skipped);
        assert_eq!(out[0].excerpt.as_deref(), Some("skip"));
    }
}
