//! pytest suites: collection and persistent worker processes driven through rigor's plugin.

use crate::RunnerError;
use crate::process::{Tail, drain, isolate, kill_group};
use crate::worker::{Worker, WorkerEvent, WorkerFactory};
use rigor_model::{Outcome, TestCase, TestKey, TestResult};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;

/// The plugin rigor ships inside its binary and loads with `-p rigor_pytest`.
pub const PLUGIN_SOURCE: &str = include_str!("../../python/rigor_pytest.py");
const PLUGIN_MODULE: &str = "rigor_pytest";

#[derive(Debug, Clone)]
pub struct PytestSuite {
    pub name: String,
    pub root: PathBuf,
    pub python: String,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// Directory holding the plugin module (put on PYTHONPATH).
    pub plugin_dir: PathBuf,
    pub keep_output: bool,
}

/// What a collection found.
#[derive(Debug, Default)]
pub struct Collected {
    pub items: Vec<TestCase>,
    pub errors: Vec<(String, String)>,
    pub python: Option<String>,
    pub pytest: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    file: Option<String>,
    line: Option<u32>,
    #[serde(default)]
    markers: Vec<String>,
}

#[derive(Deserialize)]
struct CollectError {
    id: String,
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "ev", rename_all = "lowercase")]
enum Message {
    Collected {
        items: Vec<Item>,
        #[serde(default)]
        errors: Vec<CollectError>,
        python: Option<String>,
        pytest: Option<String>,
    },
    Start {
        id: String,
    },
    Result {
        id: String,
        outcome: String,
        duration: f64,
        excerpt: Option<String>,
        output: Option<String>,
    },
    Done {},
}

/// Write the plugin where the interpreter can import it (only when its content changed).
pub fn install_plugin(dir: &Path) -> Result<(), RunnerError> {
    let path = dir.join(format!("{PLUGIN_MODULE}.py"));
    if std::fs::read_to_string(&path).ok().as_deref() == Some(PLUGIN_SOURCE) {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| RunnerError::io(dir, e))?;
    let tmp = dir.join(format!(".{PLUGIN_MODULE}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, PLUGIN_SOURCE).map_err(|e| RunnerError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| RunnerError::io(&path, e))
}

impl PytestSuite {
    fn command(&self, mode: &str, extra: &[&str]) -> Command {
        let mut cmd = Command::new(&self.python);
        cmd.current_dir(&self.root);
        cmd.args(["-m", "pytest", "-p", PLUGIN_MODULE]);
        cmd.args(extra);
        cmd.args(&self.args);
        let mut pythonpath = self.plugin_dir.display().to_string();
        if let Ok(existing) = std::env::var("PYTHONPATH")
            && !existing.is_empty()
        {
            pythonpath = format!("{pythonpath}:{existing}");
        }
        cmd.env("PYTHONPATH", pythonpath);
        cmd.env("RIGOR_MODE", mode);
        if self.keep_output {
            cmd.env("RIGOR_KEEP_OUTPUT", "1");
        }
        cmd.envs(&self.env);
        cmd
    }

    /// Collect the suite's tests (`pytest --collect-only` with the plugin).
    pub fn collect(&self) -> Result<Collected, RunnerError> {
        let mut cmd = isolate(self.command("collect", &["--collect-only", "-q"]));
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| RunnerError::Spawn {
                what: format!("{} -m pytest", self.python),
                source: e,
                hint: python_hint(&self.python),
            })?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        for line in stdout.lines() {
            if let Ok(Message::Collected {
                items,
                errors,
                python,
                pytest,
            }) = serde_json::from_str(line)
            {
                return Ok(Collected {
                    items: items.into_iter().map(|i| to_case(&self.name, i)).collect(),
                    errors: errors
                        .into_iter()
                        .map(|e| (e.id, e.text.unwrap_or_default()))
                        .collect(),
                    python,
                    pytest,
                });
            }
        }
        Err(RunnerError::Collection {
            suite: self.name.clone(),
            code: out.status.code(),
            stderr: crate::worker::last_lines(&String::from_utf8_lossy(&out.stderr), 30),
            hint: pytest_hint(
                out.status.code(),
                &String::from_utf8_lossy(&out.stderr),
                &self.python,
            ),
        })
    }
}

fn to_case(suite: &str, i: Item) -> TestCase {
    TestCase {
        key: TestKey::new(suite, i.id),
        file: i.file,
        line: i.line,
        markers: i.markers,
        ignored: false,
    }
}

pub fn python_hint(python: &str) -> String {
    format!(
        "is `{python}` the interpreter of this project? Set [python] interpreter in rigor.toml, or create .venv/ with pytest installed"
    )
}

/// A hint for a pytest process that ended without collecting.
pub fn pytest_hint(code: Option<i32>, stderr: &str, python: &str) -> String {
    if stderr.contains("No module named pytest") {
        return format!(
            "pytest is not installed for `{python}`: `{python} -m pip install pytest`, or set [python] interpreter"
        );
    }
    match code {
        Some(4) => "pytest rejected its command line (exit 4): check the suite's `args` and the project's addopts".into(),
        Some(3) => "pytest hit an internal error (exit 3): see the error above; a plugin or conftest.py may be broken".into(),
        Some(2) => "pytest was interrupted (exit 2): a conftest.py may fail to import".into(),
        _ => python_hint(python),
    }
}

impl WorkerFactory for PytestSuite {
    fn spawn(
        &self,
        slot: usize,
        tx: mpsc::Sender<WorkerEvent>,
    ) -> std::io::Result<Box<dyn Worker>> {
        let mut cmd = isolate(self.command("worker", &["-q"]));
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn()?;
        let pid = child.id();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped");
        let tail = Tail::new(64 * 1024);
        let err_thread = drain(child.stderr.take().expect("piped"), tail.clone());
        let suite = self.name.clone();
        let python = self.python.clone();
        std::thread::spawn(move || {
            let reader = BufReader::new(stdout);
            for line in reader.lines() {
                let Ok(line) = line else { break };
                let Ok(msg) = serde_json::from_str::<Message>(&line) else {
                    continue;
                };
                let event = match msg {
                    Message::Collected { items, errors, .. } => WorkerEvent::Collected {
                        slot,
                        items: items.into_iter().map(|i| to_case(&suite, i)).collect(),
                        errors: errors
                            .into_iter()
                            .map(|e| (e.id, e.text.unwrap_or_default()))
                            .collect(),
                    },
                    Message::Start { id } => WorkerEvent::Started { slot, id },
                    Message::Result {
                        id,
                        outcome,
                        duration,
                        excerpt,
                        output,
                    } => {
                        let outcome = Outcome::parse(&outcome).unwrap_or(Outcome::Error);
                        let mut result =
                            TestResult::new(TestKey::new(&suite, id), outcome, duration);
                        result.excerpt = excerpt;
                        result.output = output;
                        WorkerEvent::Result { slot, result }
                    }
                    Message::Done {} => continue,
                };
                if tx.send(event).is_err() {
                    break;
                }
            }
            let status = child.wait();
            kill_group(pid);
            let _ = err_thread.join();
            let (code, signal) = match status {
                Ok(s) => crate::process::exit_of(&s),
                Err(_) => (None, None),
            };
            let mut stderr = tail.text();
            if code != Some(0) && code != Some(1) && code != Some(5) {
                stderr.push_str(&format!("\nhint: {}", pytest_hint(code, &stderr, &python)));
            }
            let _ = tx.send(WorkerEvent::Exited {
                slot,
                code,
                signal,
                stderr,
            });
        });
        Ok(Box::new(PytestWorker { stdin, pid }))
    }

    fn collects(&self) -> bool {
        true
    }

    fn suite(&self) -> &str {
        &self.name
    }

    fn describe(&self) -> String {
        format!("pytest suite `{}`", self.name)
    }
}

struct PytestWorker {
    stdin: Option<ChildStdin>,
    pid: u32,
}

impl Worker for PytestWorker {
    fn capacity(&self) -> usize {
        2
    }

    fn send(&mut self, test: &TestCase) -> std::io::Result<()> {
        let stdin = self.stdin.as_mut().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "worker input closed")
        })?;
        stdin.write_all(test.key.id.as_bytes())?;
        stdin.write_all(b"\n")?;
        stdin.flush()
    }

    fn flush(&mut self) {
        // An empty line: the plugin runs its queued tests, the last one with no successor.
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = stdin.write_all(b"\n").and_then(|_| stdin.flush());
        }
    }

    fn finish_input(&mut self) -> bool {
        self.stdin = None;
        true
    }

    fn kill(&mut self) {
        kill_group(self.pid);
    }
}
