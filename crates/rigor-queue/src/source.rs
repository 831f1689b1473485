//! The job's side of the queue during the run: hands the runner one batch (of one suite) at a
//! time from the job's current lease; when the lease is used up, marks its tests done with
//! their outcomes and leases again — or waits while live jobs hold the last tests.

use crate::ops::{self, Done, Item, Leased};
use rigor_model::{TestCase, TestKey, TestResult};
use rigor_runner::outcome::fails_the_run;
use rigor_runner::{Batch, BatchSource};
use rigor_store::Store;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub(crate) struct QueueSource {
    /// The queue's own connection (the run's store records the results).
    pub(crate) store: Store,
    pub(crate) queue: i64,
    pub(crate) job: i64,
    pub(crate) timeout_s: f64,
    /// Workers of this job: a batch is never smaller.
    pub(crate) workers: usize,
    /// This job's discovered tests: key → (suite index, test).
    pub(crate) known: HashMap<TestKey, (usize, TestCase)>,
    pub(crate) quarantined: HashMap<TestKey, String>,
    pub(crate) stop: Arc<AtomicBool>,
    /// Tests of the current lease, and its batches not yet handed out.
    held: Vec<Item>,
    pending: VecDeque<Batch>,
    /// Results of the run already accounted for.
    seen: usize,
    run_registered: bool,
    pub(crate) error: Option<rigor_store::StoreError>,
    pub(crate) batches: usize,
    pub(crate) tests: usize,
}

impl QueueSource {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        store: Store,
        queue: i64,
        job: i64,
        timeout_s: f64,
        workers: usize,
        known: HashMap<TestKey, (usize, TestCase)>,
        quarantined: HashMap<TestKey, String>,
        stop: Arc<AtomicBool>,
    ) -> Self {
        QueueSource {
            store,
            queue,
            job,
            timeout_s,
            workers,
            known,
            quarantined,
            stop,
            held: Vec::new(),
            pending: VecDeque::new(),
            seen: 0,
            run_registered: false,
            error: None,
            batches: 0,
            tests: 0,
        }
    }

    /// Mark the held tests done with the verdicts in `results` (from `seen` on).
    fn complete(&mut self, run_id: i64, results: &[TestResult]) -> rigor_store::Result<()> {
        let fresh = &results[self.seen.min(results.len())..];
        self.seen = results.len();
        let by_key: HashMap<&TestKey, &TestResult> = fresh.iter().map(|r| (&r.key, r)).collect();
        let held_keys: std::collections::HashSet<TestKey> = self
            .held
            .iter()
            .map(|i| TestKey::new(&i.suite, &i.test))
            .collect();
        let done: Vec<Done> = self
            .held
            .iter()
            .map(|i| verdict(i, &by_key, &self.known, &self.quarantined))
            .collect();
        let extra = fresh
            .iter()
            .filter(|r| !held_keys.contains(&r.key) && fails_the_run(r, &self.quarantined))
            .count() as u64;
        if !done.is_empty() || extra > 0 {
            ops::complete(&mut self.store, self.queue, self.job, run_id, &done, extra)?;
        }
        self.held.clear();
        Ok(())
    }

    /// Lease until there is work, or the queue is done (or the run is stopped).
    fn lease(&mut self) -> rigor_store::Result<bool> {
        let poll = Duration::from_secs_f64((self.timeout_s / 4.0).clamp(0.05, 1.0));
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(false);
            }
            match ops::lease(
                &mut self.store,
                self.queue,
                self.job,
                self.timeout_s,
                self.workers,
            )? {
                Leased::Items(items) => {
                    self.hand_out(items);
                    return Ok(true);
                }
                Leased::Empty => return Ok(false),
                Leased::Wait => std::thread::sleep(poll),
            }
        }
    }

    /// The lease's tests as batches, one per suite in queue order; tests this job did not
    /// discover stay held (marked done as not found).
    fn hand_out(&mut self, items: Vec<Item>) {
        for it in &items {
            let key = TestKey::new(&it.suite, &it.test);
            let Some((suite, test)) = self.known.get(&key) else {
                continue;
            };
            match self.pending.iter_mut().find(|b| b.suite == *suite) {
                Some(b) => b.tests.push((test.clone(), it.estimated_s)),
                None => self.pending.push_back(Batch {
                    tier: None,
                    suite: *suite,
                    tests: vec![(test.clone(), it.estimated_s)],
                }),
            }
        }
        self.tests += items.len();
        self.held = items;
    }

    fn step(&mut self, run_id: i64, results: &[TestResult]) -> rigor_store::Result<Option<Batch>> {
        if !self.run_registered {
            ops::set_run(&mut self.store, self.job, run_id)?;
            self.run_registered = true;
        }
        loop {
            if let Some(b) = self.pending.pop_front() {
                self.batches += 1;
                return Ok(Some(b));
            }
            self.complete(run_id, results)?;
            if !self.lease()? {
                return Ok(None);
            }
        }
    }
}

/// A held test's verdict from this batch's results.
fn verdict(
    item: &Item,
    results: &HashMap<&TestKey, &TestResult>,
    known: &HashMap<TestKey, (usize, TestCase)>,
    quarantined: &HashMap<TestKey, String>,
) -> Done {
    let key = TestKey::new(&item.suite, &item.test);
    match results.get(&key) {
        Some(r) => Done {
            pos: item.pos,
            outcome: Some(r.outcome.as_str().to_string()),
            fails: fails_the_run(r, quarantined),
        },
        None => Done {
            pos: item.pos,
            outcome: Some(
                if known.contains_key(&key) {
                    "not_run"
                } else {
                    "not_found"
                }
                .into(),
            ),
            fails: true,
        },
    }
}

impl BatchSource for QueueSource {
    fn next_batch(&mut self, run_id: i64, results: &[TestResult]) -> Option<Batch> {
        if self.error.is_some() {
            return None;
        }
        match self.step(run_id, results) {
            Ok(b) => b,
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}
