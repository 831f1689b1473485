//! Recording results into the history while a run goes on.

use rigor_model::TestResult;
use rigor_store::Store;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch: the time stamps of the history.
pub fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Buffers results and writes them in small transactions (at most ~250 ms old).
pub(crate) struct Recorder<'a> {
    pub(crate) store: &'a mut Store,
    run_id: i64,
    buffer: Vec<TestResult>,
    last: Instant,
    pub(crate) error: Option<rigor_store::StoreError>,
    /// Results written to the history, and results not written (at and after a failure).
    pub(crate) recorded: usize,
    pub(crate) lost: usize,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(store: &'a mut Store, run_id: i64) -> Self {
        Recorder {
            store,
            run_id,
            buffer: Vec::new(),
            last: Instant::now(),
            error: None,
            recorded: 0,
            lost: 0,
        }
    }

    pub(crate) fn run_id(&self) -> i64 {
        self.run_id
    }

    pub(crate) fn push(&mut self, r: TestResult) {
        self.buffer.push(r);
        self.maybe_flush();
    }
    pub(crate) fn maybe_flush(&mut self) {
        if !self.buffer.is_empty()
            && (self.buffer.len() >= 256 || self.last.elapsed() >= Duration::from_millis(250))
        {
            self.flush();
        }
    }
    pub(crate) fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        // After a failure (a lost connection) nothing more is written: the run ends with it.
        if self.error.is_some() {
            self.lost += self.buffer.len();
        } else if let Err(e) = self.store.record_results(self.run_id, &self.buffer) {
            self.lost += self.buffer.len();
            self.error = Some(e);
        } else {
            self.recorded += self.buffer.len();
        }
        self.buffer.clear();
        self.last = Instant::now();
    }
}
