//! The scheduler against fake workers: in-process workers that answer at once, following a
//! script per test (pass, fail, hang until killed, crash their process).

use super::*;
use crate::estimate::Estimates;
use crate::worker::{Worker, WorkerEvent, WorkerFactory};
use rigor_model::{Outcome, TestCase, TestKey, TestResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// What a fake test does.
#[derive(Clone, Copy, Debug)]
enum Act {
    Pass,
    Fail,
    /// Fails this many attempts, then passes.
    FailTimes(u32),
    /// Prints something and runs until its worker is killed.
    Hang,
    /// Kills its worker process once the worker knows what follows (its next test, or a
    /// flush), as a pytest worker runs a test once it knows its successor.
    Crash,
    /// Starts, then goes on to its next test without a result (the message was lost).
    LoseResult,
    /// Starts, then writes a result message that cannot be read.
    GarbleResult,
}

/// What the fake workers did, shared by the factory and its workers.
#[derive(Default)]
struct Log {
    spawned: usize,
    /// `(slot, test id)` in the order the workers started them.
    started: Vec<(usize, String)>,
    attempts: HashMap<String, u32>,
    flushes: usize,
    finished_inputs: usize,
}

struct Fake {
    acts: HashMap<String, Act>,
    /// Some: workers collect these tests when they start.
    collects: Option<Vec<TestCase>>,
    /// What collecting workers fail to collect: `(collector id, error)`.
    collection_errors: Vec<(String, String)>,
    /// Like pytest's: two tests at a time, killed as a whole (`Exited`). Otherwise like a
    /// process per test: one test at a time, a kill ends the test's process (a failed result).
    persistent: bool,
    /// Workers die as they start, before running anything.
    die_at_start: bool,
    /// Collecting workers write their collection in a message that cannot be read.
    garble_collection: bool,
    /// Collecting workers never report their collection.
    silent_collection: bool,
    cannot_spawn: bool,
    log: Arc<Mutex<Log>>,
}

impl Fake {
    fn new(acts: &[(&str, Act)]) -> Fake {
        Fake {
            acts: acts.iter().map(|(id, a)| (id.to_string(), *a)).collect(),
            collects: None,
            collection_errors: Vec::new(),
            persistent: false,
            die_at_start: false,
            garble_collection: false,
            silent_collection: false,
            cannot_spawn: false,
            log: Arc::default(),
        }
    }

    fn persistent(mut self, collects: Option<Vec<TestCase>>) -> Fake {
        self.collects = collects;
        self.persistent = true;
        self
    }

    fn started(&self) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.started.iter().map(|(_, id)| id.clone()).collect()
    }

    fn spawned(&self) -> usize {
        self.log.lock().unwrap().spawned
    }
}

impl WorkerFactory for Fake {
    fn spawn(
        &self,
        slot: usize,
        tx: mpsc::Sender<WorkerEvent>,
    ) -> std::io::Result<Box<dyn Worker>> {
        if self.cannot_spawn {
            return Err(std::io::Error::other("no such interpreter"));
        }
        self.log.lock().unwrap().spawned += 1;
        let mut w = FakeWorker {
            slot,
            tx,
            acts: self.acts.clone(),
            persistent: self.persistent,
            alive: true,
            running: None,
            crashing: false,
            log: self.log.clone(),
        };
        if self.die_at_start {
            w.exit(Some(2), "ModuleNotFoundError: No module named 'pytest'");
        } else if self.silent_collection {
        } else if self.garble_collection {
            w.unreadable("collected");
        } else if let Some(items) = &self.collects {
            let _ = w.tx.send(WorkerEvent::Collected {
                slot,
                items: items.clone(),
                errors: self.collection_errors.clone(),
            });
        }
        Ok(Box::new(w))
    }
    fn collects(&self) -> bool {
        self.collects.is_some()
    }
    fn suite(&self) -> &str {
        "s"
    }
    fn describe(&self) -> String {
        "fake suite `s`".into()
    }
}

const CRASH: &str = "Fatal Python error: Segmentation fault";

struct FakeWorker {
    slot: usize,
    tx: mpsc::Sender<WorkerEvent>,
    acts: HashMap<String, Act>,
    persistent: bool,
    alive: bool,
    /// The hanging (or crashing) test.
    running: Option<String>,
    crashing: bool,
    log: Arc<Mutex<Log>>,
}

impl FakeWorker {
    fn result(&self, id: &str, outcome: Outcome, excerpt: &str) {
        let mut r = TestResult::new(TestKey::new("s", id), outcome, 0.01);
        r.excerpt = (!excerpt.is_empty()).then(|| excerpt.to_string());
        let _ = self.tx.send(WorkerEvent::Result {
            slot: self.slot,
            result: r,
        });
    }

    fn unreadable(&self, ev: &str) {
        let _ = self.tx.send(WorkerEvent::Unreadable {
            slot: self.slot,
            ev: ev.into(),
            error: "lone leading surrogate in hex escape".into(),
        });
    }

    fn exit(&mut self, code: Option<i32>, stderr: &str) {
        self.alive = false;
        let _ = self.tx.send(WorkerEvent::Exited {
            slot: self.slot,
            code,
            signal: code.is_none().then_some(9),
            stderr: stderr.into(),
        });
    }
}

impl Worker for FakeWorker {
    fn capacity(&self) -> usize {
        if self.persistent { 2 } else { 1 }
    }

    fn send(&mut self, test: &TestCase) -> std::io::Result<()> {
        if !self.alive {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        if self.running.is_some() {
            // One test at a time: the ones behind a hanging test wait (and die with it).
            if self.crashing {
                self.exit(Some(1), CRASH);
            }
            return Ok(());
        }
        let id = test.key.id.clone();
        let attempt = {
            let mut log = self.log.lock().unwrap();
            log.started.push((self.slot, id.clone()));
            let n = log.attempts.entry(id.clone()).or_default();
            *n += 1;
            *n
        };
        let _ = self.tx.send(WorkerEvent::Started {
            slot: self.slot,
            id: id.clone(),
        });
        match self.acts.get(&id).copied().unwrap_or(Act::Pass) {
            Act::Pass => self.result(&id, Outcome::Passed, ""),
            Act::Fail => self.result(&id, Outcome::Failed, "boom"),
            Act::FailTimes(n) if attempt <= n => self.result(&id, Outcome::Failed, "flaked"),
            Act::FailTimes(_) => self.result(&id, Outcome::Passed, ""),
            Act::Hang => self.running = Some(id),
            Act::LoseResult => {}
            Act::GarbleResult => self.unreadable("result"),
            Act::Crash => {
                self.running = Some(id);
                self.crashing = true;
            }
        }
        Ok(())
    }

    fn flush(&mut self) {
        self.log.lock().unwrap().flushes += 1;
        if self.crashing && self.alive {
            self.exit(Some(1), CRASH);
        }
    }

    fn finish_input(&mut self) -> bool {
        self.log.lock().unwrap().finished_inputs += 1;
        if self.persistent && self.alive {
            self.exit(Some(0), "");
        }
        self.persistent
    }

    fn kill(&mut self) {
        let hanging = self.running.take();
        if self.persistent {
            if self.alive {
                self.exit(None, "");
            }
        } else if let Some(id) = hanging {
            self.result(&id, Outcome::Failed, "half way through");
        }
    }
}

fn opts(jobs: usize) -> Options {
    Options {
        jobs,
        timeout: Duration::from_secs(30),
        collect_timeout: Duration::from_secs(30),
        retries: 0,
        fail_fast: false,
    }
}

fn given(ids: &[&str]) -> Tests {
    Tests::Given(ids.iter().map(|id| (TestCase::new("s", id), 1.0)).collect())
}

/// What the sink saw.
#[derive(Default)]
struct Seen {
    planned: Vec<(Vec<String>, f64)>,
    /// The workers each planned batch runs on.
    workers: Vec<usize>,
    started: Vec<String>,
    results: Vec<TestResult>,
}

impl Seen {
    fn outcome(&self, id: &str) -> Outcome {
        self.result(id).outcome
    }
    fn result(&self, id: &str) -> &TestResult {
        let found = self.results.iter().find(|r| r.key.id == id);
        found.unwrap_or_else(|| panic!("no result for {id}"))
    }
    fn ids(&self) -> Vec<&str> {
        self.results.iter().map(|r| r.key.id.as_str()).collect()
    }
}

/// Run a batch on `pool`; `stop_after` sets the stop flag once that many results arrived.
fn run_on(
    pool: &mut Pool,
    fake: &Fake,
    tests: Tests,
    o: &Options,
    stop_after: Option<usize>,
) -> (Ending, Seen) {
    let stop = Arc::new(AtomicBool::new(false));
    // A scheduler that hangs ends the test as interrupted instead of hanging it.
    let watchdog = stop.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(20));
        watchdog.store(true, Ordering::SeqCst);
    });
    let mut seen = Seen::default();
    let mut sink = |p: Progress<'_>| match p {
        Progress::Planned {
            tests,
            estimated_s,
            workers,
        } => {
            let ids = tests.iter().map(|t| t.key.id.clone()).collect();
            seen.planned.push((ids, estimated_s));
            seen.workers.push(workers);
        }
        Progress::Started { test } => seen.started.push(test.key.id.clone()),
        Progress::Finished { result } => {
            seen.results.push(result.clone());
            if stop_after == Some(seen.results.len()) {
                stop.store(true, Ordering::SeqCst);
            }
        }
        Progress::Tick => {}
    };
    let ending = run_suite(pool, fake, tests, o, &stop, Instant::now(), &mut sink);
    (ending, seen)
}

fn run(fake: &Fake, tests: Tests, o: &Options) -> (Ending, Seen) {
    run_on(&mut Pool::default(), fake, tests, o, None)
}

#[test]
fn given_tests_run_in_the_given_order_with_their_estimates() {
    let fake = Fake::new(&[]);
    let tests = Tests::Given(vec![
        (TestCase::new("s", "c"), 0.5),
        (TestCase::new("s", "a"), 2.0),
        (TestCase::new("s", "b"), 1.0),
    ]);
    let (ending, seen) = run(&fake, tests, &opts(1));
    assert_eq!(ending, Ending::Completed);
    assert_eq!(
        seen.planned,
        [(vec!["c".into(), "a".into(), "b".into()], 3.5)]
    );
    assert_eq!(fake.started(), ["c", "a", "b"]);
    assert_eq!(seen.started, ["c", "a", "b"]);
    for r in &seen.results {
        assert_eq!(
            (r.outcome, r.attempts, r.worker),
            (Outcome::Passed, 1, Some(0))
        );
        assert!(r.start_s.is_some());
    }
}

#[test]
fn collected_tests_run_longest_expected_first_after_the_collection_errors() {
    let items: Vec<TestCase> = ["a", "b", "c"]
        .iter()
        .map(|id| TestCase::new("s", id))
        .collect();
    let mut fake = Fake::new(&[]).persistent(Some(items));
    fake.collection_errors = vec![("broken.py".into(), "SyntaxError".into())];
    let estimates = Estimates::new(
        HashMap::from([(TestKey::new("s", "b"), 3.0), (TestKey::new("s", "c"), 2.0)]),
        1.0,
    );
    let (ending, seen) = run(&fake, Tests::Collect(estimates), &opts(1));
    assert_eq!(ending, Ending::Completed);
    assert_eq!(
        seen.planned,
        [(vec!["b".into(), "c".into(), "a".into()], 6.0)]
    );
    assert_eq!(fake.started(), ["b", "c", "a"]);
    assert_eq!(seen.ids(), ["broken.py", "b", "c", "a"]);
    assert_eq!(seen.outcome("broken.py"), Outcome::Error);
    assert!(
        fake.log.lock().unwrap().flushes > 0,
        "the last tests are flushed"
    );
}

#[test]
fn workers_start_up_to_jobs_but_never_more_than_the_tests() {
    let fake = Fake::new(&[]);
    let (_, seen) = run(&fake, given(&["a", "b"]), &opts(4));
    assert_eq!(fake.spawned(), 2);
    let mut workers: Vec<_> = seen.results.iter().map(|r| r.worker.unwrap()).collect();
    workers.sort();
    assert_eq!(workers, [0, 1], "each worker takes a test");
}

/// Issue 17, item 3: workers that import and collect before running anything are started only
/// as far as the expected work pays for them — two tiny tests run on one.
#[test]
fn collecting_workers_are_started_only_as_far_as_the_work_can_use_them() {
    let tiny = |ids: &[&str], each: f64| {
        Tests::Given(
            ids.iter()
                .map(|id| (TestCase::new("s", id), each))
                .collect(),
        )
    };
    let collecting = || Fake::new(&[]).persistent(Some(Vec::new()));
    let fake = collecting();
    let (ending, seen) = run(&fake, tiny(&["a", "b"], 0.01), &opts(4));
    assert_eq!(ending, Ending::Completed);
    assert_eq!((fake.spawned(), seen.workers.clone()), (1, vec![1]));
    assert_eq!(seen.ids(), ["a", "b"]);
    // 2.5 s of expected work: three workers (of four jobs) pay for themselves.
    let fake = collecting();
    let (_, seen) = run(&fake, tiny(&["a", "b", "c", "d", "e"], 0.5), &opts(4));
    assert_eq!((fake.spawned(), seen.workers), (3, vec![3]));
    // Long tests: up to the jobs.
    let fake = collecting();
    let (_, seen) = run(&fake, tiny(&["a", "b", "c", "d", "e"], 5.0), &opts(4));
    assert_eq!((fake.spawned(), seen.workers), (4, vec![4]));
    // A process per test costs nothing to start: one per test, up to the jobs.
    let fake = Fake::new(&[]);
    let (_, seen) = run(&fake, tiny(&["a", "b"], 0.01), &opts(4));
    assert_eq!((fake.spawned(), seen.workers), (2, vec![2]));
}

#[test]
fn ignored_tests_are_skipped_without_running() {
    let fake = Fake::new(&[]);
    let mut skipped = TestCase::new("s", "ignored");
    skipped.ignored = true;
    skipped.line = Some(9);
    let tests = Tests::Given(vec![(skipped, 0.0), (TestCase::new("s", "a"), 0.0)]);
    let (_, seen) = run(&fake, tests, &opts(1));
    assert_eq!(fake.started(), ["a"]);
    let r = seen.result("ignored");
    assert_eq!((r.outcome, r.line), (Outcome::Skipped, Some(9)));
    assert_eq!(r.excerpt.as_deref(), Some("ignored"));
}

#[test]
fn only_ignored_tests_start_no_worker() {
    let fake = Fake::new(&[]);
    let mut t = TestCase::new("s", "ignored");
    t.ignored = true;
    let (ending, seen) = run(&fake, Tests::Given(vec![(t, 0.0)]), &opts(2));
    assert_eq!(
        (ending, fake.spawned(), seen.results.len()),
        (Ending::Completed, 0, 1)
    );
}

#[test]
fn a_failing_test_is_retried_at_once_and_a_pass_on_retry_is_flaky() {
    let fake = Fake::new(&[("a", Act::FailTimes(1)), ("b", Act::Fail)]);
    let o = Options {
        retries: 1,
        ..opts(1)
    };
    let (ending, seen) = run(&fake, given(&["a", "b", "c"]), &o);
    assert_eq!(ending, Ending::Completed);
    assert_eq!(fake.started(), ["a", "a", "b", "b", "c"]);
    let a = seen.result("a");
    assert_eq!((a.outcome, a.attempts), (Outcome::Flaky, 2));
    let b = seen.result("b");
    assert_eq!((b.outcome, b.attempts), (Outcome::Failed, 2));
    assert_eq!(seen.results.len(), 3, "one final result per test");
}

#[test]
fn fail_fast_stops_at_the_first_final_failure_and_kills_the_workers() {
    let fake = Fake::new(&[("b", Act::Fail)]).persistent(None);
    let o = Options {
        fail_fast: true,
        ..opts(1)
    };
    let mut pool = Pool::default();
    let (ending, seen) = run_on(&mut pool, &fake, given(&["a", "b", "c", "d"]), &o, None);
    assert_eq!(ending, Ending::FailFast);
    assert_eq!(seen.ids(), ["a", "b"]);
    assert!(!fake.started().contains(&"d".to_string()));
    assert!(pool.slots.iter().all(|s| s.worker.is_none()));
}

#[test]
fn the_stop_flag_interrupts_the_batch() {
    let fake = Fake::new(&[]);
    let mut pool = Pool::default();
    let (ending, seen) = run_on(&mut pool, &fake, given(&["a", "b", "c"]), &opts(1), Some(1));
    assert_eq!(ending, Ending::Interrupted);
    assert_eq!(seen.ids(), ["a"]);
    assert_eq!(fake.started(), ["a"]);
}

#[test]
fn a_test_over_its_timeout_kills_its_worker_and_the_batch_goes_on() {
    let fake = Fake::new(&[("hang", Act::Hang)]).persistent(None);
    let o = Options {
        timeout: Duration::from_millis(100),
        ..opts(1)
    };
    let (ending, seen) = run(&fake, given(&["hang", "a"]), &o);
    assert_eq!(ending, Ending::Completed);
    let r = seen.result("hang");
    assert_eq!(r.outcome, Outcome::Timeout);
    assert_eq!(
        r.excerpt.as_deref(),
        Some("timed out after 100ms; its process group was killed")
    );
    assert!(r.duration_s >= 0.1, "{}", r.duration_s);
    assert_eq!(seen.outcome("a"), Outcome::Passed);
    assert_eq!(fake.spawned(), 2, "a new worker replaces the killed one");
}

#[test]
fn a_process_per_test_timeout_keeps_what_the_test_printed() {
    let fake = Fake::new(&[("hang", Act::Hang)]);
    let o = Options {
        timeout: Duration::from_millis(100),
        retries: 1,
        ..opts(1)
    };
    let (_, seen) = run(&fake, given(&["hang"]), &o);
    let r = seen.result("hang");
    assert_eq!(
        (r.outcome, r.attempts),
        (Outcome::Timeout, 2),
        "timeouts are retried"
    );
    let text = r.excerpt.as_deref().unwrap();
    assert!(
        text.ends_with("--- output before the timeout ---\nhalf way through"),
        "{text}"
    );
    assert_eq!(fake.spawned(), 1, "the worker outlives its test process");
}

#[test]
fn a_worker_that_dies_under_a_test_fails_that_test_and_requeues_the_others() {
    let fake = Fake::new(&[("crash", Act::Crash)]).persistent(None);
    let (ending, seen) = run(&fake, given(&["crash", "a", "b"]), &opts(1));
    assert_eq!(ending, Ending::Completed);
    let r = seen.result("crash");
    assert_eq!(r.outcome, Outcome::Error);
    assert_eq!(
        r.excerpt.as_deref(),
        Some(
            "the worker process exited with code 1 while running this test\nFatal Python error: Segmentation fault"
        )
    );
    // `a` was handed to the worker that died: it runs on the next one.
    assert_eq!(fake.started(), ["crash", "a", "b"]);
    assert_eq!(seen.outcome("a"), Outcome::Passed);
    assert_eq!(seen.outcome("b"), Outcome::Passed);
    assert_eq!(fake.spawned(), 2);
}

#[test]
fn a_collecting_worker_that_dies_before_collecting_aborts_the_suite() {
    let mut fake = Fake::new(&[]).persistent(Some(vec![TestCase::new("s", "a")]));
    fake.die_at_start = true;
    let (ending, seen) = run(&fake, Tests::Collect(Estimates::default()), &opts(1));
    assert_eq!(ending, Ending::Aborted);
    assert_eq!(
        fake.spawned(),
        1,
        "no second try before anything was collected"
    );
    assert_eq!(seen.ids(), ["<worker>"]);
    assert_eq!(
        seen.results[0].excerpt.as_deref(),
        Some(
            "fake suite `s` could not run its tests: the worker process exited with code 2 while running this test\nModuleNotFoundError: No module named 'pytest'"
        )
    );
}

#[test]
fn workers_that_keep_dying_before_running_anything_abort_the_suite() {
    let mut fake = Fake::new(&[]).persistent(None);
    fake.die_at_start = true;
    let (ending, seen) = run(&fake, given(&["a", "b"]), &opts(1));
    assert_eq!(ending, Ending::Aborted);
    assert_eq!(fake.spawned(), 3);
    assert_eq!(seen.ids(), ["<worker>"]);
}

#[test]
fn a_worker_that_cannot_start_aborts_the_suite() {
    let mut fake = Fake::new(&[]);
    fake.cannot_spawn = true;
    let (ending, seen) = run(&fake, given(&["a"]), &opts(2));
    assert_eq!(ending, Ending::Aborted);
    let r = seen.result("<worker>");
    assert_eq!(r.key.suite, "s");
    assert_eq!(
        r.excerpt.as_deref(),
        Some("fake suite `s` could not run its tests: cannot start a worker: no such interpreter")
    );
}

#[test]
fn the_pool_keeps_its_workers_between_batches_until_shutdown() {
    let fake = Fake::new(&[]).persistent(None);
    let mut pool = Pool::default();
    let (first, _) = run_on(&mut pool, &fake, given(&["a", "b", "c"]), &opts(2), None);
    let (second, seen) = run_on(&mut pool, &fake, given(&["d", "e"]), &opts(2), None);
    assert_eq!((first, second), (Ending::Completed, Ending::Completed));
    assert_eq!(seen.ids().len(), 2);
    assert_eq!(fake.spawned(), 2, "the second batch reuses the workers");
    pool.shutdown(&AtomicBool::new(false));
    assert_eq!(fake.log.lock().unwrap().finished_inputs, 2);
}

#[test]
fn a_lost_result_is_an_error_once_the_worker_goes_on_and_the_batch_ends() {
    let fake = Fake::new(&[("lost", Act::LoseResult)]).persistent(None);
    let start = Instant::now();
    let (ending, seen) = run(&fake, given(&["lost", "b", "c"]), &opts(1));
    assert_eq!(ending, Ending::Completed, "not interrupted by the watchdog");
    assert!(start.elapsed() < Duration::from_secs(10));
    let r = seen.result("lost");
    assert_eq!(r.outcome, Outcome::Error);
    let text = r.excerpt.as_deref().unwrap();
    assert!(text.contains("no readable result"), "{text}");
    assert_eq!(seen.outcome("b"), Outcome::Passed);
    assert_eq!(seen.outcome("c"), Outcome::Passed);
    assert_eq!(seen.results.len(), 3, "one result per test");
}

#[test]
fn an_unreadable_result_settles_the_running_test_at_once_even_when_it_is_the_last() {
    let fake = Fake::new(&[("bad", Act::GarbleResult)]).persistent(None);
    let start = Instant::now();
    let (ending, seen) = run(&fake, given(&["a", "bad"]), &opts(1));
    assert_eq!(ending, Ending::Completed);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "not left to its timeout"
    );
    let r = seen.result("bad");
    assert_eq!(r.outcome, Outcome::Error, "an error, not a timeout");
    let text = r.excerpt.as_deref().unwrap();
    assert!(
        text.contains("could not read the `result` message")
            && text.contains("lone leading surrogate"),
        "{text}"
    );
    assert_eq!(seen.outcome("a"), Outcome::Passed);
}

#[test]
fn an_unreadable_collection_aborts_the_suite_with_the_reason() {
    let mut fake = Fake::new(&[]).persistent(Some(vec![TestCase::new("s", "a")]));
    fake.garble_collection = true;
    let (ending, seen) = run(&fake, Tests::Collect(Estimates::default()), &opts(2));
    assert_eq!(ending, Ending::Aborted);
    let text = seen.result("<worker>").excerpt.clone().unwrap();
    assert!(
        text.contains("collection its worker reported could not be read") && text.contains("hint:"),
        "{text}"
    );
}

#[test]
fn a_worker_that_never_reports_its_collection_is_killed_at_the_collection_timeout() {
    let mut fake = Fake::new(&[]).persistent(Some(vec![TestCase::new("s", "a")]));
    fake.silent_collection = true;
    let o = Options {
        collect_timeout: Duration::from_millis(200),
        ..opts(1)
    };
    let start = Instant::now();
    let (ending, seen) = run(&fake, Tests::Collect(Estimates::default()), &o);
    assert_eq!(ending, Ending::Aborted, "not interrupted by the watchdog");
    assert!(start.elapsed() < Duration::from_secs(10));
    let text = seen.result("<worker>").excerpt.clone().unwrap();
    assert!(
        text.contains("did not report its collection within 200ms"),
        "{text}"
    );
}

#[test]
fn the_collection_timeout_is_never_below_the_minimum_nor_the_test_timeout() {
    use super::options::MIN_COLLECT_TIMEOUT;
    let t = Options::collect_timeout_for(Duration::from_secs(1));
    assert_eq!(t, MIN_COLLECT_TIMEOUT);
    let long = Duration::from_secs(3600);
    assert_eq!(Options::collect_timeout_for(long), long);
}

fn cases(ids: &[&str]) -> Vec<TestCase> {
    ids.iter().map(|id| TestCase::new("s", id)).collect()
}

#[test]
fn workers_are_capped_by_the_planned_work() {
    // Known tests: never more workers than tests.
    let fake = Fake::new(&[]).persistent(None);
    let (_, seen) = run(&fake, given(&["a"]), &opts(20));
    assert_eq!((fake.spawned(), seen.results.len()), (1, 1));
    // Collected tests without history: one worker collects; more start once the tests are
    // known, up to --jobs and the number of tests.
    let fake = Fake::new(&[]).persistent(Some(cases(&["a"])));
    let (ending, seen) = run(&fake, Tests::Collect(Estimates::default()), &opts(20));
    assert_eq!(ending, Ending::Completed);
    assert_eq!((fake.spawned(), seen.results.len()), (1, 1));
    let fake = Fake::new(&[]).persistent(Some(cases(&["a", "b", "c", "d", "e"])));
    let (_, seen) = run(&fake, Tests::Collect(Estimates::default()), &opts(3));
    assert_eq!((fake.spawned(), seen.results.len()), (3, 5));
}

#[test]
fn workers_started_for_tests_the_history_knows_are_retired_when_fewer_are_collected() {
    let known = ["a", "b", "c", "d"]
        .iter()
        .map(|id| (TestKey::new("s", *id), 1.0))
        .collect();
    let fake = Fake::new(&[]).persistent(Some(cases(&["a"])));
    let (ending, seen) = run(&fake, Tests::Collect(Estimates::new(known, 1.0)), &opts(8));
    assert_eq!(ending, Ending::Completed);
    assert_eq!(fake.spawned(), 4, "as many as the history knows tests");
    assert_eq!(seen.results.len(), 1);
    assert_eq!(
        fake.log.lock().unwrap().finished_inputs,
        3,
        "the three surplus workers are told to end"
    );
}
