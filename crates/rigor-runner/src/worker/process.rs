//! A process per test (test binaries, commands): a worker that starts the test's command on a
//! thread of its own, and reports its start and its result.

use super::{Worker, WorkerEvent, WorkerFactory, last_lines};
use crate::process::{Finished, Group, run_captured};
use rigor_model::{Outcome, TestCase, TestResult};
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};

/// Turns a test into the command that runs it alone, and its exit into a result.
pub trait TestCommand: Send + Sync {
    fn command(&self, test: &TestCase) -> Command;
    /// Interpret a finished process. Default: exit 0 passes; output is the excerpt on failure.
    fn interpret(&self, test: &TestCase, finished: &Finished, duration_s: f64) -> TestResult {
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
            group: Arc::default(),
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
    /// The running test's process group, while it runs.
    group: Arc<Mutex<Option<Arc<Group>>>>,
    keep_output: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Worker for ProcessWorker {
    fn capacity(&self) -> usize {
        1
    }

    fn send(&mut self, test: &TestCase) -> std::io::Result<()> {
        let test = test.clone();
        let tx = self.tx.clone();
        let runner = self.runner.clone();
        let group = self.group.clone();
        let slot = self.slot;
        let keep = self.keep_output;
        let cmd = runner.command(&test);
        std::thread::spawn(move || {
            let _ = tx.send(WorkerEvent::Started {
                slot,
                id: test.key.id.clone(),
            });
            let start = std::time::Instant::now();
            let result = match run_captured(cmd, OUTPUT_CAP, |g| *lock(&group) = Some(g)) {
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
            *lock(&group) = None;
            let _ = tx.send(WorkerEvent::Result { slot, result });
        });
        Ok(())
    }

    fn finish_input(&mut self) -> bool {
        false
    }

    fn kill(&mut self) {
        if let Some(g) = lock(&self.group).as_ref() {
            g.kill();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::command::ShellCommands;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn factory(commands: &[(&str, &str)], keep_output: bool) -> ProcessFactory {
        let dir = std::env::temp_dir();
        ProcessFactory {
            suite: "cmds".into(),
            what: "command suite `cmds`".into(),
            runner: Arc::new(ShellCommands {
                root: dir,
                commands: commands
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                env: BTreeMap::from([("RIGOR_T".into(), "from-env".into())]),
            }),
            keep_output,
        }
    }

    fn next(rx: &mpsc::Receiver<WorkerEvent>) -> WorkerEvent {
        rx.recv_timeout(Duration::from_secs(20))
            .expect("the worker reports within 20 s")
    }

    /// Run one test on a fresh worker of `f`; returns (started id, result).
    fn run_one(f: &ProcessFactory, id: &str) -> (String, TestResult) {
        let (tx, rx) = mpsc::channel();
        let mut w = f.spawn(3, tx).unwrap();
        assert_eq!(w.capacity(), 1);
        w.send(&TestCase::new("cmds", id)).unwrap();
        let WorkerEvent::Started { slot: 3, id } = next(&rx) else {
            panic!("expected Started for slot 3");
        };
        let WorkerEvent::Result { slot: 3, result } = next(&rx) else {
            panic!("expected Result for slot 3");
        };
        (id, result)
    }

    #[test]
    fn a_passing_command_passes_and_drops_its_output() {
        let f = factory(&[("ok", "echo $RIGOR_T")], false);
        let (id, r) = run_one(&f, "ok");
        assert_eq!(id, "ok");
        assert_eq!(r.outcome, Outcome::Passed);
        assert_eq!((r.excerpt, r.output), (None, None));
    }

    #[test]
    fn keep_output_keeps_what_a_passing_command_printed() {
        let f = factory(&[("ok", "echo $RIGOR_T")], true);
        let (_, r) = run_one(&f, "ok");
        assert_eq!(r.output.as_deref(), Some("from-env\n"));
    }

    #[test]
    fn a_failing_command_fails_with_its_exit_code_and_output() {
        let f = factory(&[("bad", "echo nope >&2; exit 2")], false);
        let (_, r) = run_one(&f, "bad");
        assert_eq!(r.outcome, Outcome::Failed);
        assert_eq!(r.excerpt.as_deref(), Some("exit code 2\nnope"));
        assert_eq!(r.output.as_deref(), Some("nope\n"));
        assert_eq!(r.key, rigor_model::TestKey::new("cmds", "bad"));
    }

    #[test]
    fn a_command_that_cannot_start_is_an_error() {
        struct Missing;
        impl TestCommand for Missing {
            fn command(&self, _: &TestCase) -> Command {
                Command::new("/nonexistent/rigor-test-binary")
            }
        }
        let f = ProcessFactory {
            suite: "cmds".into(),
            what: "x".into(),
            runner: Arc::new(Missing),
            keep_output: false,
        };
        let (_, r) = run_one(&f, "t");
        assert_eq!(r.outcome, Outcome::Error);
        let text = r.excerpt.unwrap();
        assert!(
            text.starts_with("cannot start the test process: "),
            "{text}"
        );
    }

    #[test]
    fn kill_ends_the_running_test_with_its_process_group() {
        let f = factory(&[("hang", "sleep 60 & wait")], false);
        let (tx, rx) = mpsc::channel();
        let mut w = f.spawn(0, tx).unwrap();
        assert!(
            !w.finish_input(),
            "a process per test has no session to end"
        );
        w.send(&TestCase::new("cmds", "hang")).unwrap();
        assert!(matches!(next(&rx), WorkerEvent::Started { .. }));
        // The process group is known once the process started: kill until the result comes.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let result = loop {
            w.kill();
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(WorkerEvent::Result { result, .. }) => break result,
                Ok(other) => panic!("unexpected {other:?}"),
                Err(_) => assert!(std::time::Instant::now() < deadline, "kill had no effect"),
            }
        };
        assert_eq!(result.outcome, Outcome::Failed);
        assert!(
            result.excerpt.unwrap().starts_with("killed by signal 9"),
            "SIGKILL to the group"
        );
    }
}
