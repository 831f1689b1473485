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
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(store: &'a mut Store, run_id: i64) -> Self {
        Recorder {
            store,
            run_id,
            buffer: Vec::new(),
            last: Instant::now(),
            error: None,
        }
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
        if let Err(e) = self.store.record_results(self.run_id, &self.buffer) {
            self.error.get_or_insert(e);
        }
        self.buffer.clear();
        self.last = Instant::now();
    }
}
