//! One batch of a suite on the suite's pool: start the workers, then loop — hand out tests,
//! replace dead workers, enforce timeouts, handle one worker event — until every test has its
//! final result or the batch stops.

use super::book::{Book, Job};
use super::options::{Options, Tests};
use super::pool::{Pool, Slot};
use super::progress::{Ending, Progress};
use super::texts::{abort_result, crash_text, lost_text, timeout_text, unreadable_text};
use crate::estimate::Estimates;
use crate::worker::{WorkerEvent, WorkerFactory, collection_error};
use rigor_model::{Outcome, TestCase, TestResult};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How many times in a row a worker may die before running anything.
const MAX_BARREN_SPAWNS: u32 = 3;

/// Expected seconds of work that pay for one more collecting worker (a process that imports the
/// project and collects before it runs anything): a batch of a few tiny tests runs on one.
const WORK_PER_COLLECTING_WORKER_S: f64 = 1.0;

/// How many workers the given tests can use: for collecting workers, one per
/// [`WORK_PER_COLLECTING_WORKER_S`] of expected work (at least one); never more than tests.
fn useful_workers(tests: &[(TestCase, f64)], collects: bool) -> usize {
    let runnable: Vec<f64> = tests
        .iter()
        .filter(|(t, _)| !t.ignored)
        .map(|(_, e)| e.max(0.0))
        .collect();
    if !collects {
        return runnable.len().max(1);
    }
    let total: f64 = runnable.iter().sum();
    let by_work = (total / WORK_PER_COLLECTING_WORKER_S).ceil() as usize;
    by_work.clamp(1, runnable.len().max(1))
}

/// How long to wait for a worker event before looking at timeouts and the stop flag again.
const POLL: Duration = Duration::from_millis(50);

/// Run a batch of a suite on the suite's pool. The workers stay in the pool for the suite's
/// next batch unless the batch stopped (interrupt, fail-fast, abort).
pub fn run_suite(
    pool: &mut Pool,
    factory: &dyn WorkerFactory,
    tests: Tests,
    opts: &Options,
    stop: &AtomicBool,
    run_start: Instant,
    sink: &mut dyn FnMut(Progress<'_>),
) -> Ending {
    let Pool { tx, rx, slots } = pool;
    let mut batch = Batch {
        slots,
        tx,
        factory,
        opts,
        run_start,
        sink,
        tests: Vec::new(),
        collecting: None,
        book: Book::new(),
        barren: 0,
    };
    if let Some(ending) = batch.start(tests) {
        return ending;
    }
    let ending = batch.run(rx, stop);
    if batch.book.stopping || ending != Ending::Completed {
        pool.kill_all();
    }
    ending
}

/// Go on with the loop, or leave it.
#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

/// The working state of one batch.
struct Batch<'a> {
    slots: &'a mut Vec<Slot>,
    tx: &'a mpsc::Sender<WorkerEvent>,
    factory: &'a dyn WorkerFactory,
    opts: &'a Options,
    run_start: Instant,
    sink: &'a mut dyn FnMut(Progress<'_>),
    /// The batch's tests in run order (empty until known); jobs index into it.
    tests: Vec<TestCase>,
    /// While the workers collect: how to order what they find.
    collecting: Option<Estimates>,
    book: Book,
    /// Workers that died in a row without running anything.
    barren: u32,
}

impl Batch<'_> {
    /// Plan given tests and start the missing workers (those of an earlier batch are reused).
    /// `Some` when the batch is over already: nothing to run, or no worker could start.
    fn start(&mut self, tests: Tests) -> Option<Ending> {
        let mut workers = self.opts.jobs.max(1);
        match tests {
            Tests::Given(tests) => {
                workers = workers.min(useful_workers(&tests, self.factory.collects()));
                self.plan(tests, workers);
                if self.book.pending == 0 {
                    return Some(Ending::Completed);
                }
            }
            Tests::Collect(estimates) => {
                // The number of tests is known once collected: until then, no more workers than
                // the history knows tests (one without history); more start after collection.
                workers = workers.min(estimates.known_tests().max(1));
                self.collecting = Some(estimates);
            }
        }
        if let Err(e) = self.grow_to(workers) {
            self.abort(&format!("cannot start a worker: {e}"));
            return Some(Ending::Aborted);
        }
        None
    }

    /// Make the first `n` slots available, starting workers in new ones.
    fn grow_to(&mut self, n: usize) -> std::io::Result<()> {
        for s in self.slots.iter_mut().take(n) {
            s.retired = false;
        }
        while self.slots.len() < n {
            let i = self.slots.len();
            self.slots.push(Slot::empty());
            self.slots[i].start(self.factory, i, self.tx)?;
        }
        Ok(())
    }

    /// Retire the slots from `n` on: they get no tests, and their idle workers end.
    fn retire_beyond(&mut self, n: usize) {
        for s in self.slots.iter_mut().skip(n) {
            s.retired = true;
            if let Some(w) = s.worker.as_mut()
                && s.outstanding.is_empty()
                && !w.finish_input()
            {
                s.worker = None;
            }
        }
    }

    fn run(&mut self, rx: &mpsc::Receiver<WorkerEvent>, stop: &AtomicBool) -> Ending {
        loop {
            if stop.load(Ordering::SeqCst) && !self.book.stopping {
                self.book.stop(Ending::Interrupted);
            }
            if self.book.stopping {
                self.slots.iter_mut().for_each(Slot::kill);
                break;
            }
            if self.collecting.is_none() && self.hand_out() == Flow::Stop {
                break;
            }
            self.enforce_timeouts();
            let event = match rx.recv_timeout(POLL) {
                Ok(e) => e,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    (self.sink)(Progress::Tick);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            if self.handle(event) == Flow::Stop {
                break;
            }
        }
        self.book.ending
    }

    /// The tests are known: report them, skip the ignored ones, queue the others in order.
    fn plan(&mut self, chosen: Vec<(TestCase, f64)>, workers: usize) {
        let estimated_s: f64 = chosen.iter().map(|(_, e)| e).sum();
        self.tests = chosen.into_iter().map(|(t, _)| t).collect();
        (self.sink)(Progress::Planned {
            tests: &self.tests,
            estimated_s,
            workers,
        });
        for (idx, t) in self.tests.iter().enumerate() {
            if t.ignored {
                let mut r = TestResult::new(t.key.clone(), Outcome::Skipped, 0.0);
                r.file = t.file.clone();
                r.line = t.line;
                r.excerpt = Some("ignored".into());
                (self.sink)(Progress::Finished { result: &r });
            } else {
                self.book.enqueue(idx);
            }
        }
    }

    /// Hand out work and replace dead workers; `Stop` when the batch is done or cannot go on.
    fn hand_out(&mut self) -> Flow {
        self.dispatch();
        if !self.book.queue.is_empty() {
            self.respawn();
        }
        if self.book.pending == 0 {
            return Flow::Stop;
        }
        if self.all_gone() && self.barren >= MAX_BARREN_SPAWNS {
            self.book.ending = Ending::Aborted;
            return Flow::Stop;
        }
        Flow::Go
    }

    /// Fill each ready worker up to its capacity, in queue order. When nothing is left to hand
    /// out, tell workers holding tests to run them all (repeating it is harmless).
    fn dispatch(&mut self) {
        for slot in self.slots.iter_mut() {
            if !slot.ready || slot.retired {
                continue;
            }
            let Some(worker) = slot.worker.as_mut() else {
                continue;
            };
            while slot.outstanding.len() < worker.capacity() {
                let Some(job) = self.book.queue.pop_front() else {
                    break;
                };
                if worker.send(&self.tests[job.idx]).is_err() {
                    // The worker is going away; its Exited event requeues.
                    self.book.queue.push_front(job);
                    break;
                }
                slot.outstanding.push_back(job);
            }
            if self.book.queue.is_empty() && !slot.outstanding.is_empty() {
                worker.flush();
            }
        }
    }

    /// Start a new worker in each empty slot, unless workers keep dying without running anything.
    fn respawn(&mut self) {
        for i in 0..self.slots.len() {
            if self.slots[i].worker.is_some()
                || self.slots[i].retired
                || self.barren >= MAX_BARREN_SPAWNS
            {
                continue;
            }
            if let Err(e) = self.slots[i].start(self.factory, i, self.tx) {
                self.abort(&format!("cannot start a worker: {e}"));
                self.book.stopping = true;
            }
        }
    }

    /// Kill the worker of a test that has run longer than the timeout, and a worker that has
    /// not reported its collection in time; its exit reports it.
    fn enforce_timeouts(&mut self) {
        for slot in self.slots.iter_mut() {
            if slot.worker.is_some()
                && !slot.ready
                && !slot.collect_timed_out
                && slot.spawned.elapsed() > self.opts.collect_timeout
            {
                slot.collect_timed_out = true;
                slot.kill();
            }
            if let (Some((job, started)), None) = (slot.running, slot.timed_out)
                && started.elapsed() > self.opts.timeout
            {
                slot.timed_out = Some(job.idx);
                slot.kill();
            }
        }
    }

    fn handle(&mut self, event: WorkerEvent) -> Flow {
        match event {
            WorkerEvent::Collected {
                slot,
                items,
                errors,
            } => self.on_collected(slot, items, errors),
            WorkerEvent::Started { slot, id } => {
                self.on_started(slot, &id);
                Flow::Go
            }
            WorkerEvent::Result { slot, result } => {
                self.on_result(slot, result);
                Flow::Go
            }
            WorkerEvent::Unreadable { slot, ev, error } => self.on_unreadable(slot, &ev, &error),
            WorkerEvent::Exited {
                slot,
                code,
                signal,
                stderr,
            } => self.on_exited(slot, code, signal, &stderr),
        }
    }

    /// A worker wrote a message rigor cannot read. An unreadable collection aborts the suite
    /// (the tests are unknown); any other message settles the test the worker is running as an
    /// error carrying the reason, so that no result is silently lost.
    fn on_unreadable(&mut self, slot: usize, ev: &str, error: &str) -> Flow {
        let s = &mut self.slots[slot];
        if ev == "collected" && !s.ready {
            self.abort(&format!(
                "the collection its worker reported could not be read: {error}\nhint: a test file name or marker may not be valid UTF-8; rename it"
            ));
            self.book.stopping = true;
            return Flow::Stop;
        }
        if let Some((job, started)) = s.running.take() {
            s.outstanding.retain(|j| j.idx != job.idx);
            let key = self.tests[job.idx].key.clone();
            let mut r = TestResult::new(key, Outcome::Error, started.elapsed().as_secs_f64());
            r.excerpt = Some(unreadable_text(ev, error));
            self.finish_attempt(slot, job, started, r);
        }
        Flow::Go
    }

    /// A worker runs the tests handed to it in order: when it reports on the test at `pos` of
    /// its outstanding tests, those before it ended without a result that rigor could read.
    /// Settle them as errors instead of waiting for them forever.
    fn settle_lost(&mut self, slot: usize, pos: usize) {
        for _ in 0..pos {
            let s = &mut self.slots[slot];
            let job = s
                .outstanding
                .pop_front()
                .expect("pos is within outstanding");
            let started = match s.running {
                Some((running, t)) if running == job => {
                    s.running = None;
                    t
                }
                _ => Instant::now(),
            };
            if s.timed_out == Some(job.idx) {
                s.timed_out = None;
            }
            let key = self.tests[job.idx].key.clone();
            let mut r = TestResult::new(key, Outcome::Error, started.elapsed().as_secs_f64());
            r.excerpt = Some(lost_text());
            self.finish_attempt(slot, job, started, r);
        }
    }

    /// A worker collected the suite. The first collection plans the batch (with its collection
    /// errors as results); every collecting worker is then ready for tests.
    fn on_collected(
        &mut self,
        slot: usize,
        items: Vec<TestCase>,
        errors: Vec<(String, String)>,
    ) -> Flow {
        self.slots[slot].ready = true;
        let Some(estimates) = self.collecting.take() else {
            return Flow::Go;
        };
        for (id, text) in errors {
            let r = collection_error(self.factory.suite(), &id, &text);
            (self.sink)(Progress::Finished { result: &r });
        }
        let workers = self.slots.len();
        self.plan(estimates.longest_first(items), workers);
        if self.book.pending == 0 {
            return Flow::Stop;
        }
        // Now that the tests are known: as many workers as there is work, up to --jobs.
        let wanted = self.opts.jobs.max(1).min(self.book.pending);
        if let Err(e) = self.grow_to(wanted) {
            self.abort(&format!("cannot start a worker: {e}"));
            self.book.stopping = true;
            return Flow::Stop;
        }
        self.retire_beyond(wanted);
        Flow::Go
    }

    fn on_started(&mut self, slot: usize, id: &str) {
        let tests = &self.tests;
        let s = &self.slots[slot];
        if let Some(pos) = s.outstanding.iter().position(|j| tests[j.idx].key.id == id) {
            self.settle_lost(slot, pos);
            let (s, tests) = (&mut self.slots[slot], &self.tests);
            let job = s.outstanding[0];
            s.running = Some((job, Instant::now()));
            s.ran_any = true;
            self.barren = 0;
            (self.sink)(Progress::Started {
                test: &tests[job.idx],
            });
        }
    }

    /// A test handed to this worker finished (a result for anything else is ignored).
    fn on_result(&mut self, slot: usize, mut result: TestResult) {
        let tests = &self.tests;
        let Some(pos) = self.slots[slot]
            .outstanding
            .iter()
            .position(|j| tests[j.idx].key.id == result.key.id)
        else {
            return;
        };
        self.settle_lost(slot, pos);
        let s = &mut self.slots[slot];
        let job = s.outstanding.pop_front().expect("position is valid");
        let started = s.running.map(|(_, t)| t).unwrap_or_else(Instant::now);
        s.running = None;
        if s.timed_out == Some(job.idx) {
            s.timed_out = None;
            result.outcome = Outcome::Timeout;
            result.excerpt = Some(timeout_text(self.opts.timeout, result.excerpt.take()));
        }
        self.finish_attempt(slot, job, started, result);
    }

    /// A worker ended: the test it was running timed out or crashed it, the tests it held go
    /// back to the queue, and a suite whose workers keep dying is aborted.
    fn on_exited(
        &mut self,
        slot: usize,
        code: Option<i32>,
        signal: Option<i32>,
        stderr: &str,
    ) -> Flow {
        let s = &mut self.slots[slot];
        s.worker = None;
        if !s.ran_any && !s.retired {
            self.barren += 1;
        }
        // Only while nothing is collected does a slow collection stop the suite; a late worker
        // that is slow to collect is just a dead worker.
        if std::mem::take(&mut s.collect_timed_out) && self.collecting.is_some() {
            let limit = rigor_model::duration::human(self.opts.collect_timeout.as_secs_f64());
            self.abort(&format!(
                "its worker did not report its collection within {limit} and was killed\nhint: run `pytest --collect-only` in the project to see where collection stops (a conftest.py or test module that blocks at import?)"
            ));
            self.book.stopping = true;
            return Flow::Stop;
        }
        let timed_out = s.timed_out.take();
        if let Some((job, started)) = s.running.take() {
            s.outstanding.retain(|j| j.idx != job.idx);
            let (outcome, text) = if timed_out == Some(job.idx) {
                (Outcome::Timeout, timeout_text(self.opts.timeout, None))
            } else {
                (Outcome::Error, crash_text(code, signal, stderr))
            };
            let key = self.tests[job.idx].key.clone();
            let mut r = TestResult::new(key, outcome, started.elapsed().as_secs_f64());
            r.excerpt = Some(text);
            self.finish_attempt(slot, job, started, r);
        }
        // Unstarted work goes back to the queue, in order.
        let s = &mut self.slots[slot];
        while let Some(job) = s.outstanding.pop_back() {
            self.book.queue.push_front(job);
        }
        let gave_up = if self.collecting.is_some() {
            self.barren >= 1
        } else {
            self.barren >= MAX_BARREN_SPAWNS
        };
        if gave_up && self.all_gone() {
            self.abort(&crash_text(code, signal, stderr));
            return Flow::Stop;
        }
        Flow::Go
    }

    /// Stamp an attempt with when and where it ran, and settle it.
    fn finish_attempt(&mut self, slot: usize, job: Job, started: Instant, mut r: TestResult) {
        r.start_s = Some(
            started
                .duration_since(self.run_start)
                .as_secs_f64()
                .max(0.0),
        );
        r.worker = Some(slot as u32);
        self.book
            .settle(job, r, &self.tests, self.opts, &mut *self.sink);
    }

    fn all_gone(&self) -> bool {
        self.slots.iter().all(|s| s.worker.is_none())
    }

    /// The suite cannot run its tests: say why in a result, and end the batch as aborted.
    fn abort(&mut self, why: &str) {
        let r = abort_result(self.factory, why);
        (self.sink)(Progress::Finished { result: &r });
        self.book.ending = Ending::Aborted;
    }
}
