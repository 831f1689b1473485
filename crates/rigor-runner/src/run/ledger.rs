//! What the run has produced so far: every final result (shown, and recorded into the history
//! as it arrives) and how each unit of a suite ended.

use crate::RunnerError;
use crate::outcome::SuiteRun;
use crate::record::Recorder;
use crate::report::Reporter;
use crate::scheduler::Ending;
use rigor_model::{SuiteConfig, TestResult};
use rigor_store::Store;

pub(super) struct Ledger<'s> {
    recorder: Recorder<'s>,
    pub(super) results: Vec<TestResult>,
    pub(super) suites: Vec<SuiteRun>,
}

impl<'s> Ledger<'s> {
    pub(super) fn new(store: &'s mut Store, run_id: i64) -> Self {
        Ledger {
            recorder: Recorder::new(store, run_id),
            results: Vec::new(),
            suites: Vec::new(),
        }
    }

    /// A final result: show it, record it, keep it.
    pub(super) fn record(&mut self, r: TestResult, reporter: &mut dyn Reporter) {
        reporter.finished(&r);
        self.recorder.push(r.clone());
        self.results.push(r);
    }

    /// Nothing happened for a moment: write buffered results if they waited long enough.
    pub(super) fn tick(&mut self) {
        self.recorder.maybe_flush();
    }

    pub(super) fn flush(&mut self) {
        self.recorder.flush();
    }

    /// Whether every result so far reached the history (no write failed).
    pub(super) fn all_recorded(&self) -> bool {
        self.recorder.error.is_none()
    }

    /// A unit of `suite` that ran nothing (setup or discovery failed).
    pub(super) fn aborted(&mut self, suite: &SuiteConfig) {
        self.suites.push(SuiteRun {
            name: suite.name.clone(),
            kind: suite.kind,
            ending: Ending::Aborted,
            planned: 0,
            estimated_s: 0.0,
        });
    }

    /// Write what is buffered; the first error the history reported during the run ends it.
    pub(super) fn close(
        mut self,
    ) -> Result<(&'s mut Store, Vec<TestResult>, Vec<SuiteRun>), RunnerError> {
        self.recorder.flush();
        if let Some(source) = self.recorder.error.take() {
            return Err(RunnerError::HistoryLost {
                location: self.recorder.store.path().display().to_string(),
                run_id: self.recorder.run_id(),
                recorded: self.recorder.recorded,
                lost: self.recorder.lost,
                source: Box::new(source),
            });
        }
        Ok((self.recorder.store, self.results, self.suites))
    }
}
