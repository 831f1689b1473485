//! pytest suites: collection and persistent worker processes driven through rigor's plugin.

use crate::RunnerError;
use crate::process::{Group, Tail, drain, isolate};
use crate::worker::protocol::{self, LineWorker, Message};
use crate::worker::{Worker, WorkerEvent, WorkerFactory};
use rigor_model::TestCase;
use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;

/// The plugin rigor ships inside its binary and loads with `-p rigor_pytest`.
pub const PLUGIN_SOURCE: &str = include_str!("../../python/rigor_pytest.py");
/// The probe recorder of per-test coverage maps, imported by the plugin (`rigor_probes`).
pub const PROBES_SOURCE: &str = include_str!("../../python/rigor_probes.py");
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
    /// The files (node-id paths, relative to pytest's rootdir) of every test the workers may be
    /// given; the workers collect only these. Empty: the whole suite.
    pub only_files: Vec<String>,
    /// `file::name` of the module-level classes and functions of those tests: the workers
    /// build only their items. Empty: every name of the files.
    pub only_names: Vec<String>,
}

/// Above this size the file list is not passed (an environment variable has limits): workers
/// then collect the whole suite, which is what a selection that large costs anyway.
const ONLY_FILES_MAX_BYTES: usize = 64 * 1024;

/// The file part of a pytest node id (`tests/test_a.py::TestX::test_y[1]` → `tests/test_a.py`).
pub fn node_file(id: &str) -> &str {
    id.split("::").next().unwrap_or(id)
}

/// What a collection found.
#[derive(Debug, Default)]
pub struct Collected {
    pub items: Vec<TestCase>,
    pub errors: Vec<(String, String)>,
    pub python: Option<String>,
    pub pytest: Option<String>,
    /// What the collection depended on (for the discovery cache).
    pub inputs: Option<protocol::Inputs>,
}

/// Write the plugin where the interpreter can import it (only when its content changed).
pub fn install_plugin(dir: &Path) -> Result<(), RunnerError> {
    for (module, source) in [
        (PLUGIN_MODULE, PLUGIN_SOURCE),
        ("rigor_probes", PROBES_SOURCE),
    ] {
        let path = dir.join(format!("{module}.py"));
        if std::fs::read_to_string(&path).ok().as_deref() == Some(source) {
            continue;
        }
        std::fs::create_dir_all(dir).map_err(|e| RunnerError::io(dir, e))?;
        let tmp = dir.join(format!(".{module}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, source).map_err(|e| RunnerError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| RunnerError::io(&path, e))?;
    }
    Ok(())
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
        let only = self.only_files.join("\n");
        if !only.is_empty() && only.len() <= ONLY_FILES_MAX_BYTES {
            cmd.env("RIGOR_ONLY_FILES", only);
            let names = self.only_names.join("\n");
            if mode == "worker" && !names.is_empty() && names.len() <= ONLY_FILES_MAX_BYTES {
                cmd.env("RIGOR_ONLY_NAMES", names);
            }
        }
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
            if let Some(Message::Collected {
                items,
                errors,
                python,
                pytest,
                inputs,
            }) = protocol::parse(line)
            {
                return Ok(Collected {
                    items: protocol::tests_of(&self.name, items),
                    errors: protocol::errors_of(errors),
                    python,
                    pytest,
                    inputs,
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
        let group = Group::new(child.id());
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let tail = Tail::new(64 * 1024);
        let err_thread = drain(child.stderr.take().expect("piped"), tail.clone());
        let suite = self.name.clone();
        let python = self.python.clone();
        let waiter = group.clone();
        std::thread::spawn(move || {
            protocol::forward(BufReader::new(stdout), slot, &suite, &tx);
            let status = waiter.wait(&mut child);
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
        Ok(Box::new(LineWorker::new(stdin, Some(group))))
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

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::Outcome;
    use std::time::Duration;

    /// Stands in for `python -m pytest -p rigor_pytest`: a shell script that speaks the worker
    /// protocol (see the file).
    const FAKE_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fake-python");

    fn fake_suite(dir: &Path, env: &[(&str, &str)]) -> PytestSuite {
        PytestSuite {
            name: "py".into(),
            root: dir.to_path_buf(),
            python: FAKE_PYTHON.into(),
            args: Vec::new(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            plugin_dir: dir.join("plugin"),
            keep_output: false,
            only_files: Vec::new(),
            only_names: Vec::new(),
        }
    }

    fn spawn(suite: &PytestSuite, tx: mpsc::Sender<WorkerEvent>) -> Box<dyn Worker> {
        suite.spawn(0, tx).expect("the fake interpreter starts")
    }

    /// The next event, as text.
    fn next(rx: &mpsc::Receiver<WorkerEvent>) -> String {
        match rx.recv_timeout(Duration::from_secs(20)).expect("an event") {
            WorkerEvent::Collected { items, errors, .. } => {
                format!("collected {} {}", items.len(), errors.len())
            }
            WorkerEvent::Started { id, .. } => format!("start {id}"),
            WorkerEvent::Result { result, .. } => {
                format!("result {} {}", result.key, result.outcome)
            }
            WorkerEvent::Exited { code, stderr, .. } => format!("exited {code:?}\n{stderr}"),
            WorkerEvent::Unreadable { ev, .. } => format!("unreadable {ev}"),
        }
    }

    #[test]
    fn a_worker_collects_runs_what_it_is_sent_and_ends_with_its_input() {
        let dir = tempfile::tempdir().unwrap();
        let suite = fake_suite(dir.path(), &[]);
        let (tx, rx) = mpsc::channel();
        let mut w = spawn(&suite, tx);
        assert_eq!(next(&rx), "collected 2 0");
        w.send(&TestCase::new("py", "t.py::a")).unwrap();
        w.flush();
        assert_eq!(next(&rx), "start t.py::a");
        assert_eq!(next(&rx), format!("result py::t.py::a {}", Outcome::Passed));
        assert!(w.finish_input());
        assert_eq!(next(&rx), "exited Some(0)\n", "a clean end carries no hint");
    }

    #[test]
    fn a_worker_that_dies_under_a_test_reports_its_exit_with_stderr_and_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let suite = fake_suite(dir.path(), &[]);
        let (tx, rx) = mpsc::channel();
        let mut w = spawn(&suite, tx);
        assert_eq!(next(&rx), "collected 2 0");
        w.send(&TestCase::new("py", "t.py::crash")).unwrap();
        assert_eq!(next(&rx), "start t.py::crash");
        let exited = next(&rx);
        assert!(
            exited.starts_with("exited Some(139)\nFatal Python error: Segmentation fault\n"),
            "{exited}"
        );
        assert!(exited.contains("hint: is `"), "{exited}");
        let err = rx.recv_timeout(Duration::from_millis(200));
        assert!(err.is_err(), "nothing after the exit");
    }

    #[test]
    fn collection_reads_the_collected_message() {
        let dir = tempfile::tempdir().unwrap();
        let suite = fake_suite(dir.path(), &[]);
        let c = suite.collect().unwrap();
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.items[0].key.id, "t.py::a");
        assert_eq!(c.errors, [("u.py".into(), "E   ImportError".into())]);
        assert_eq!(
            (c.python.as_deref(), c.pytest.as_deref()),
            (Some("3.13"), Some("8.4"))
        );
    }

    #[test]
    fn a_collection_that_reports_nothing_is_an_error_with_pytests_stderr_and_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let suite = fake_suite(dir.path(), &[("FAIL_COLLECT", "1")]);
        let err = suite.collect().unwrap_err();
        let RunnerError::Collection {
            suite,
            code,
            stderr,
            hint,
        } = &err
        else {
            panic!("{err}");
        };
        assert_eq!((suite.as_str(), *code), ("py", Some(4)));
        assert_eq!(stderr, "ERROR: usage: bad option");
        assert!(hint.contains("rejected its command line"), "{hint}");
    }

    #[test]
    fn an_interpreter_that_cannot_start_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let mut suite = fake_suite(dir.path(), &[]);
        suite.python = "/nonexistent/python".into();
        let err = suite.collect().unwrap_err().to_string();
        assert!(
            err.starts_with("cannot start /nonexistent/python -m pytest"),
            "{err}"
        );
        assert!(
            err.contains("hint: is `/nonexistent/python` the interpreter"),
            "{err}"
        );
        let (tx, _rx) = mpsc::channel();
        assert!(suite.spawn(0, tx).is_err());
    }

    #[test]
    fn hints_name_the_likely_cause() {
        assert!(pytest_hint(Some(1), "No module named pytest", "py3").contains("pip install"));
        assert!(pytest_hint(Some(2), "", "py3").contains("interrupted"));
        assert!(pytest_hint(Some(3), "", "py3").contains("internal error"));
        assert!(pytest_hint(Some(9), "", "py3").starts_with("is `py3`"));
    }

    #[test]
    fn the_plugin_is_written_once_and_rewritten_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let plugin = dir.path().join("p");
        install_plugin(&plugin).unwrap();
        let path = plugin.join("rigor_pytest.py");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), PLUGIN_SOURCE);
        std::fs::write(&path, "stale").unwrap();
        install_plugin(&plugin).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), PLUGIN_SOURCE);
        let probes = plugin.join("rigor_probes.py");
        assert_eq!(std::fs::read_to_string(&probes).unwrap(), PROBES_SOURCE);
    }
}
