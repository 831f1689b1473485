//! Workers: where tests execute. A persistent worker process (pytest) or a process per test
//! (test binaries, commands).

use crate::process::{kill_group, run_captured};
use rigor_model::{Outcome, TestCase, TestResult};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, mpsc};

/// What workers tell the scheduler.
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

/// Turns a test into the command that runs it alone, and its exit into a result.
pub trait TestCommand: Send + Sync {
    fn command(&self, test: &TestCase) -> Command;
    /// Interpret a finished process. Default: exit 0 passes; output is the excerpt on failure.
    fn interpret(
        &self,
        test: &TestCase,
        finished: &crate::process::Finished,
        duration_s: f64,
    ) -> TestResult {
        let outcome = if finished.success {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        let mut r = TestResult::new(test.key.clone(), outcome, duration_s);
        if !finished.success {
            let how = match (finished.code, finished.signal) {
                (_, Some(s)) => format!("killed by signal {s}"),
                (Some(c), None) => format!("exit code {c}"),
                _ => "failed".into(),
            };
            r.excerpt = Some(format!("{how}\n{}", last_lines(&finished.output, 60)));
            r.output = Some(finished.output.clone());
        }
        r
    }
}

pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Maximum captured output per test process.
const OUTPUT_CAP: usize = 256 * 1024;

/// A process per test.
pub struct ProcessFactory {
    pub suite: String,
    pub what: String,
    pub runner: Arc<dyn TestCommand>,
    pub keep_output: bool,
}

impl WorkerFactory for ProcessFactory {
    fn spawn(
        &self,
        slot: usize,
        tx: mpsc::Sender<WorkerEvent>,
    ) -> std::io::Result<Box<dyn Worker>> {
        Ok(Box::new(ProcessWorker {
            slot,
            tx,
            runner: self.runner.clone(),
            pgid: Arc::new(AtomicU32::new(0)),
            keep_output: self.keep_output,
        }))
    }
    fn collects(&self) -> bool {
        false
    }
    fn suite(&self) -> &str {
        &self.suite
    }
    fn describe(&self) -> String {
        self.what.clone()
    }
}

struct ProcessWorker {
    slot: usize,
    tx: mpsc::Sender<WorkerEvent>,
    runner: Arc<dyn TestCommand>,
    pgid: Arc<AtomicU32>,
    keep_output: bool,
}

impl Worker for ProcessWorker {
    fn capacity(&self) -> usize {
        1
    }

    fn send(&mut self, test: &TestCase) -> std::io::Result<()> {
        let test = test.clone();
        let tx = self.tx.clone();
        let runner = self.runner.clone();
        let pgid = self.pgid.clone();
        let slot = self.slot;
        let keep = self.keep_output;
        let cmd = runner.command(&test);
        std::thread::spawn(move || {
            let _ = tx.send(WorkerEvent::Started {
                slot,
                id: test.key.id.clone(),
            });
            let start = std::time::Instant::now();
            let result =
                match run_captured(cmd, OUTPUT_CAP, |pid| pgid.store(pid, Ordering::SeqCst)) {
                    Ok(f) => {
                        let mut r = runner.interpret(&test, &f, start.elapsed().as_secs_f64());
                        if keep && r.output.is_none() {
                            r.output = Some(f.output);
                        }
                        r
                    }
                    Err(e) => {
                        let mut r = TestResult::new(test.key.clone(), Outcome::Error, 0.0);
                        r.excerpt = Some(format!("cannot start the test process: {e}"));
                        r
                    }
                };
            pgid.store(0, Ordering::SeqCst);
            let _ = tx.send(WorkerEvent::Result { slot, result });
        });
        Ok(())
    }

    fn finish_input(&mut self) -> bool {
        false
    }

    fn kill(&mut self) {
        kill_group(self.pgid.load(Ordering::SeqCst));
    }
}
