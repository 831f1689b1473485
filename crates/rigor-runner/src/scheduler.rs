//! The scheduler: feeds tests to worker slots longest-expected-first, enforces per-test
//! timeouts (killing the worker's whole process group), retries failures, stops on fail-fast
//! or interrupt, and hands every final result to a sink as soon as it is known.

use crate::worker::{Worker, WorkerEvent, WorkerFactory};
use rigor_model::{Outcome, TestCase, TestResult};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Options {
    pub jobs: usize,
    pub timeout: Duration,
    pub retries: u32,
    pub fail_fast: bool,
}

/// What the scheduler reports while it works.
pub enum Progress<'a> {
    /// The tests of a suite are known (after discovery/collection), with their total estimate.
    Planned {
        tests: &'a [TestCase],
        estimated_s: f64,
    },
    Started {
        test: &'a TestCase,
    },
    Finished {
        result: &'a TestResult,
    },
    /// Nothing happened for a moment (lets the sink flush buffers).
    Tick,
}

/// How a suite's execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Completed,
    FailFast,
    Interrupted,
    /// Workers could not start or kept dying; the reason is in a result.
    Aborted,
}

/// Chooses and orders what to run once the tests are known; returns `(test, estimate_s)`.
pub type Planner<'a> = dyn FnMut(Vec<TestCase>) -> Vec<(TestCase, f64)> + 'a;

#[derive(Clone, Copy)]
struct Job {
    idx: usize,
    attempt: u32,
}

struct Slot {
    worker: Option<Box<dyn Worker>>,
    ready: bool,
    /// Told that no successor is coming for its queued tests (pytest runs the last one with
    /// `nextitem = None`, tearing fixtures down).
    flushed: bool,
    outstanding: VecDeque<Job>,
    running: Option<(Job, Instant)>,
    timed_out: Option<usize>,
    ran_any: bool,
}

impl Slot {
    /// Start a fresh worker in this slot (a collecting worker is ready once it reports).
    fn start(
        &mut self,
        factory: &dyn WorkerFactory,
        index: usize,
        tx: &mpsc::Sender<WorkerEvent>,
    ) -> std::io::Result<()> {
        let worker = factory.spawn(index, tx.clone())?;
        *self = Slot::empty();
        self.ready = !factory.collects();
        self.worker = Some(worker);
        Ok(())
    }

    fn empty() -> Slot {
        Slot {
            worker: None,
            ready: false,
            flushed: false,
            outstanding: VecDeque::new(),
            running: None,
            timed_out: None,
            ran_any: false,
        }
    }
}

/// How many times in a row a worker may die before running anything.
const MAX_BARREN_SPAWNS: u32 = 3;

/// The workers of one suite, kept between the batches (tiers) of a run, so that pytest workers
/// collect the suite once per run rather than once per tier.
pub struct Pool {
    tx: mpsc::Sender<WorkerEvent>,
    rx: mpsc::Receiver<WorkerEvent>,
    slots: Vec<Slot>,
}

impl Default for Pool {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Pool {
            tx,
            rx,
            slots: Vec::new(),
        }
    }
}

impl Pool {
    /// Let persistent workers end their sessions (fixture teardown), then make sure every worker
    /// is gone. A process-per-test worker has nothing left running once its results are in.
    pub fn shutdown(mut self, stop: &AtomicBool) {
        for s in self.slots.iter_mut() {
            if let Some(w) = s.worker.as_mut()
                && !w.finish_input()
            {
                if s.running.is_some() {
                    w.kill();
                }
                s.worker = None;
            }
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.slots.iter().any(|s| s.worker.is_some()) && Instant::now() < deadline {
            match self.rx.recv_timeout(Duration::from_millis(100)) {
                Ok(WorkerEvent::Exited { slot, .. }) => self.slots[slot].worker = None,
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        self.kill_all();
    }

    fn kill_all(&mut self) {
        for s in self.slots.iter_mut() {
            if let Some(w) = s.worker.as_mut() {
                w.kill();
            }
            s.worker = None;
        }
    }
}

/// Run a batch of a suite on the suite's pool. `known` are the tests when discovered up front
/// (None: the workers collect them).
#[allow(clippy::too_many_arguments)]
pub fn run_suite(
    pool: &mut Pool,
    factory: &dyn WorkerFactory,
    known: Option<Vec<TestCase>>,
    planner: &mut Planner<'_>,
    opts: &Options,
    stop: &AtomicBool,
    run_start: Instant,
    sink: &mut dyn FnMut(Progress<'_>),
) -> Ending {
    let tx = pool.tx.clone();
    let rx = &pool.rx;
    let slots = &mut pool.slots;
    let mut tests: Vec<TestCase> = Vec::new();
    let mut book = Book {
        queue: VecDeque::new(),
        failed_attempts: HashMap::new(),
        pending: 0,
        ending: Ending::Completed,
        stopping: false,
    };
    let mut planned = false;
    let mut barren = 0u32;

    let mut plan = |items: Vec<TestCase>,
                    tests: &mut Vec<TestCase>,
                    book: &mut Book,
                    sink: &mut dyn FnMut(Progress<'_>)| {
        let chosen = planner(items);
        let estimated: f64 = chosen.iter().map(|(_, e)| e).sum();
        *tests = chosen.into_iter().map(|(t, _)| t).collect();
        sink(Progress::Planned {
            tests: tests.as_slice(),
            estimated_s: estimated,
        });
        for (idx, t) in tests.iter().enumerate() {
            if t.ignored {
                let mut r = TestResult::new(t.key.clone(), Outcome::Skipped, 0.0);
                r.file = t.file.clone();
                r.line = t.line;
                r.excerpt = Some("ignored".into());
                sink(Progress::Finished { result: &r });
            } else {
                book.queue.push_back(Job { idx, attempt: 1 });
                book.pending += 1;
            }
        }
    };

    let mut initial_workers = opts.jobs.max(1);
    if let Some(items) = known {
        plan(items, &mut tests, &mut book, sink);
        planned = true;
        initial_workers = initial_workers.min(book.pending.max(1));
        if book.pending == 0 {
            return Ending::Completed;
        }
    }
    // Workers left from an earlier batch are reused; start the missing ones.
    while slots.len() < initial_workers {
        let i = slots.len();
        slots.push(Slot::empty());
        if let Err(e) = slots[i].start(factory, i, &tx) {
            report_abort(sink, factory, &format!("cannot start a worker: {e}"));
            return Ending::Aborted;
        }
    }

    loop {
        if stop.load(Ordering::SeqCst) && !book.stopping {
            book.stopping = true;
            book.ending = Ending::Interrupted;
        }
        if book.stopping {
            for s in slots.iter_mut() {
                if let Some(w) = s.worker.as_mut() {
                    w.kill();
                }
            }
            break;
        }

        // Dispatch.
        if planned {
            for slot in slots.iter_mut() {
                if !slot.ready {
                    continue;
                }
                let Some(worker) = slot.worker.as_mut() else {
                    continue;
                };
                while slot.outstanding.len() < worker.capacity() {
                    let Some(job) = book.queue.pop_front() else {
                        break;
                    };
                    if let Err(e) = worker.send(&tests[job.idx]) {
                        // The worker is going away; its Exited event requeues.
                        book.queue.push_front(job);
                        let _ = e;
                        break;
                    }
                    slot.outstanding.push_back(job);
                    slot.flushed = false;
                }
                if book.queue.is_empty() && !slot.outstanding.is_empty() {
                    // Nothing left to hand out: let the worker run its last tests.
                    worker.flush();
                    slot.flushed = true;
                }
            }
            // Respawn slots whose worker died while work remains.
            if !book.queue.is_empty() {
                for (i, slot) in slots.iter_mut().enumerate() {
                    if slot.worker.is_none() {
                        if barren >= MAX_BARREN_SPAWNS {
                            continue;
                        }
                        if let Err(e) = slot.start(factory, i, &tx) {
                            report_abort(sink, factory, &format!("cannot start a worker: {e}"));
                            book.ending = Ending::Aborted;
                            book.stopping = true;
                        }
                    }
                }
            }
            if book.pending == 0 {
                break;
            }
            if slots.iter().all(|s| s.worker.is_none()) && barren >= MAX_BARREN_SPAWNS {
                book.ending = Ending::Aborted;
                break;
            }
        }

        // Timeouts.
        for slot in slots.iter_mut() {
            if let (Some((job, started)), None) = (slot.running, slot.timed_out)
                && started.elapsed() > opts.timeout
            {
                slot.timed_out = Some(job.idx);
                if let Some(w) = slot.worker.as_mut() {
                    w.kill();
                }
            }
        }

        let event = match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(e) => e,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                sink(Progress::Tick);
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        match event {
            WorkerEvent::Collected {
                slot,
                items,
                errors,
            } => {
                if !planned {
                    for (id, text) in errors {
                        let mut r = TestResult::new(
                            rigor_model::TestKey::new(factory.suite(), id.clone()),
                            Outcome::Error,
                            0.0,
                        );
                        r.file = Some(id.split("::").next().unwrap_or(&id).to_string());
                        r.excerpt = Some(format!("collection error:\n{text}"));
                        sink(Progress::Finished { result: &r });
                    }
                    plan(items, &mut tests, &mut book, sink);
                    planned = true;
                    if book.pending == 0 {
                        break;
                    }
                }
                slots[slot].ready = true;
            }
            WorkerEvent::Started { slot, id } => {
                let s = &mut slots[slot];
                if let Some(pos) = s.outstanding.iter().position(|j| tests[j.idx].key.id == id) {
                    let job = s.outstanding[pos];
                    s.running = Some((job, Instant::now()));
                    s.ran_any = true;
                    barren = 0;
                    sink(Progress::Started {
                        test: &tests[job.idx],
                    });
                }
            }
            WorkerEvent::Result { slot, mut result } => {
                let s = &mut slots[slot];
                let Some(pos) = s
                    .outstanding
                    .iter()
                    .position(|j| tests[j.idx].key.id == result.key.id)
                else {
                    continue;
                };
                let job = s.outstanding.remove(pos).expect("position is valid");
                let started = s.running.map(|(_, t)| t).unwrap_or_else(Instant::now);
                s.running = None;
                if s.timed_out == Some(job.idx) {
                    s.timed_out = None;
                    result.outcome = Outcome::Timeout;
                    result.excerpt = Some(timeout_text(opts.timeout, result.excerpt.take()));
                }
                result.start_s = Some(started.duration_since(run_start).as_secs_f64().max(0.0));
                result.worker = Some(slot as u32);
                book.settle(job, result, &tests, opts, sink);
            }
            WorkerEvent::Exited {
                slot,
                code,
                signal,
                stderr,
            } => {
                let s = &mut slots[slot];
                s.worker = None;
                if !s.ran_any {
                    barren += 1;
                }
                let timed_out = s.timed_out.take();
                if let Some((job, started)) = s.running.take() {
                    s.outstanding.retain(|j| j.idx != job.idx);
                    let (outcome, text) = if timed_out == Some(job.idx) {
                        (Outcome::Timeout, timeout_text(opts.timeout, None))
                    } else {
                        (Outcome::Error, crash_text(code, signal, &stderr))
                    };
                    let mut r = TestResult::new(
                        tests[job.idx].key.clone(),
                        outcome,
                        started.elapsed().as_secs_f64(),
                    );
                    r.excerpt = Some(text);
                    r.start_s = Some(started.duration_since(run_start).as_secs_f64().max(0.0));
                    r.worker = Some(slot as u32);
                    book.settle(job, r, &tests, opts, sink);
                }
                // Unstarted work goes back to the queue, in order.
                while let Some(job) = s.outstanding.pop_back() {
                    book.queue.push_front(job);
                }
                if !planned && slots.iter().all(|s| s.worker.is_none()) && barren >= 1 {
                    report_abort(sink, factory, &crash_text(code, signal, &stderr));
                    book.ending = Ending::Aborted;
                    break;
                }
                if barren >= MAX_BARREN_SPAWNS && slots.iter().all(|s| s.worker.is_none()) {
                    report_abort(sink, factory, &crash_text(code, signal, &stderr));
                    book.ending = Ending::Aborted;
                    break;
                }
            }
        }
    }

    // Stopped (interrupt, fail-fast, abort): nothing of this suite runs any more. Otherwise the
    // workers stay, idle, for the suite's next batch; `Pool::shutdown` ends them.
    if book.stopping || book.ending != Ending::Completed {
        pool.kill_all();
    }
    book.ending
}

/// The scheduler's bookkeeping: what is left to run and how the suite is ending.
struct Book {
    queue: VecDeque<Job>,
    /// First failure text of tests being retried.
    failed_attempts: HashMap<usize, String>,
    /// Jobs queued or outstanding.
    pending: usize,
    ending: Ending,
    stopping: bool,
}

impl Book {
    /// Settle a finished attempt (its `start_s` and `worker` set): retry a failure while retries
    /// are left; otherwise report the final result — a pass after a failure is `flaky` — and
    /// stop on fail-fast.
    fn settle(
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
            self.ending = Ending::FailFast;
            self.stopping = true;
        }
    }
}

fn timeout_text(limit: Duration, partial: Option<String>) -> String {
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

fn crash_text(code: Option<i32>, signal: Option<i32>, stderr: &str) -> String {
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

fn report_abort(sink: &mut dyn FnMut(Progress<'_>), factory: &dyn WorkerFactory, why: &str) {
    let mut r = TestResult::new(
        rigor_model::TestKey::new(factory.suite(), "<worker>"),
        Outcome::Error,
        0.0,
    );
    r.excerpt = Some(format!(
        "{} could not run its tests: {why}",
        factory.describe()
    ));
    sink(Progress::Finished { result: &r });
}
