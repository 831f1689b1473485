//! One long-lived pytest worker process (python/worker.py): started once, collects once, then
//! runs batches (a mutant id and its tests) in forked children on request.

use crate::error::{MutateError, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The worker script, written into the sandbox.
pub const SCRIPT: &str = include_str!("../python/worker.py");

/// How to start workers.
#[derive(Debug, Clone)]
pub struct WorkerSpec {
    pub python: String,
    /// The script's path.
    pub script: std::path::PathBuf,
    /// The directory pytest runs in (the suite root inside the sandbox).
    pub cwd: std::path::PathBuf,
    /// pytest arguments (options and the test files to collect).
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Where each worker's pytest output goes (one file per worker).
    pub log_dir: std::path::PathBuf,
}

/// A batch request.
#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    pub mutant: u32,
    pub tests: Vec<String>,
    pub timeout: f64,
    pub probe: bool,
    pub stop_first: bool,
}

/// One test's row in a reply: id, outcome, seconds, mutants reached (probe only).
#[derive(Debug, Clone, Deserialize)]
pub struct Row(pub String, pub String, pub f64, pub Vec<u32>);

/// A batch's reply.
#[derive(Debug, Clone, Deserialize)]
pub struct Reply {
    #[allow(dead_code)]
    pub mutant: u32,
    pub results: Vec<Row>,
    pub timeout: bool,
    /// The test that was running when the batch timed out.
    #[serde(default)]
    pub hung: Option<String>,
}

#[derive(Deserialize)]
struct Ready {
    ready: Option<Vec<String>>,
    error: Option<String>,
}

pub struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    log: std::path::PathBuf,
    /// The tests the worker collected (pytest node ids).
    pub collected: Vec<String>,
}

impl Worker {
    /// Start worker number `n` and wait for its collection.
    pub fn start(spec: &WorkerSpec, n: usize) -> Result<Worker> {
        let log = spec.log_dir.join(format!("worker-{n}.log"));
        let log_file = std::fs::File::create(&log).map_err(|source| MutateError::Write {
            path: log.display().to_string(),
            source,
        })?;
        let mut cmd = Command::new(&spec.python);
        cmd.arg(&spec.script)
            .args(&spec.args)
            .current_dir(&spec.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file));
        for (k, v) in &spec.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().map_err(|e| MutateError::Worker {
            message: format!("cannot start `{}`: {e}", spec.python),
            hint: rigor_runner::suite::pytest::python_hint(&spec.python),
        })?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut w = Worker {
            child,
            stdin,
            stdout,
            log,
            collected: Vec::new(),
        };
        let line = w.read_line()?;
        let ready: Ready = serde_json::from_str(&line).map_err(|e| w.failed(&e.to_string()))?;
        match (ready.ready, ready.error) {
            (Some(ids), _) => w.collected = ids,
            (None, Some(e)) => return Err(w.failed(&e)),
            (None, None) => return Err(w.failed("an unexpected first message")),
        }
        Ok(w)
    }

    fn read_line(&mut self) -> Result<String> {
        let mut line = String::new();
        let n = self
            .stdout
            .read_line(&mut line)
            .map_err(|e| self.failed(&e.to_string()))?;
        if n == 0 {
            return Err(self.failed("the worker exited"));
        }
        Ok(line)
    }

    fn failed(&self, what: &str) -> MutateError {
        let tail = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = tail.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        MutateError::Worker {
            message: format!(
                "pytest worker: {what}; its output ({}) ends with:\n{}",
                self.log.display(),
                tail.join("\n")
            ),
            hint: "run the suite with `rigor run` to see whether pytest collects and passes".into(),
        }
    }

    /// Run one batch and wait for its reply.
    pub fn run(&mut self, batch: &Batch) -> Result<Reply> {
        let mut text = serde_json::to_string(batch).expect("a batch serialises");
        text.push('\n');
        self.stdin
            .write_all(text.as_bytes())
            .and_then(|_| self.stdin.flush())
            .map_err(|e| self.failed(&e.to_string()))?;
        let line = self.read_line()?;
        serde_json::from_str(&line).map_err(|e| self.failed(&format!("bad reply ({e}): {line}")))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.stdin.write_all(b"{\"quit\": true}\n");
        let _ = self.stdin.flush();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                _ => break,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The worker's `PYTHONPATH`: the sandbox's root and `src/` first, so the tests import the
/// mutated copy rather than an installed or editable version of the project.
pub fn python_path(sandbox_root: &Path) -> String {
    let mut parts = vec![sandbox_root.display().to_string()];
    let src = sandbox_root.join("src");
    if src.is_dir() {
        parts.push(src.display().to_string());
    }
    if let Ok(old) = std::env::var("PYTHONPATH")
        && !old.is_empty()
    {
        parts.push(old);
    }
    parts.join(":")
}
