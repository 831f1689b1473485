//! Suites made ready to run: which suites, their adapters, and discovery of their tests.

use crate::suite::command::ShellCommands;
use crate::suite::pytest::{PytestSuite, install_plugin};
use crate::suite::rust::{RustTestCommand, list_cargo_test, list_nextest};
use crate::worker::ProcessFactory;
use crate::{RunnerError, project};
use rigor_model::{Config, SuiteConfig, SuiteKind, TestCase};
use std::path::PathBuf;
use std::sync::Arc;

/// The suites to use: configured ones, else detected ones; filtered by name.
pub fn suites_for(config: &Config, only: &[String]) -> Result<Vec<SuiteConfig>, RunnerError> {
    let all = if config.suites.is_empty() {
        project::detect(&config.root).suites
    } else {
        config.suites.clone()
    };
    for name in only {
        if !all.iter().any(|s| &s.name == name) {
            let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            return Err(RunnerError::UnknownSuite(
                name.clone(),
                format!("[{}]", names.join(", ")),
            ));
        }
    }
    Ok(all
        .into_iter()
        .filter(|s| only.is_empty() || only.contains(&s.name))
        .collect())
}

/// A suite made ready to run.
pub enum Prepared {
    Pytest(PytestSuite),
    Process {
        tests: Vec<TestCase>,
        factory: ProcessFactory,
    },
}

pub(crate) fn suite_root(config: &Config, s: &SuiteConfig) -> PathBuf {
    config.root.join(&s.root)
}

fn pytest_suite(
    config: &Config,
    s: &SuiteConfig,
    extra: &[String],
    keep_output: bool,
) -> Result<PytestSuite, RunnerError> {
    let root = suite_root(config, s);
    let plugin_dir = config.root.join(".rigor").join("python");
    install_plugin(&plugin_dir)?;
    let mut args = s.args.clone();
    args.extend(extra.iter().cloned());
    Ok(PytestSuite {
        name: s.name.clone(),
        python: project::python_for(config, &root),
        root,
        args,
        env: s.env.clone(),
        plugin_dir,
        keep_output,
    })
}

/// Options that change how suites are prepared.
#[derive(Debug, Clone, Default)]
pub struct PrepareOptions {
    /// Keep captured output of passing tests.
    pub keep_output: bool,
    /// Precision mode: pytest workers record per-test coverage (coverage.py) into this directory.
    pub coverage_map: Option<PathBuf>,
}

pub(crate) fn prepare(
    config: &Config,
    s: &SuiteConfig,
    extra: &[String],
    popts: &PrepareOptions,
) -> Result<Prepared, RunnerError> {
    let keep_output = popts.keep_output || config.run.keep_output;
    let root = suite_root(config, s);
    let mut args = s.args.clone();
    args.extend(extra.iter().cloned());
    Ok(match s.kind {
        SuiteKind::Pytest => {
            let mut p = pytest_suite(config, s, extra, keep_output)?;
            if let Some(dir) = &popts.coverage_map {
                p.env.insert(
                    "RIGOR_COVERAGE_MAP".into(),
                    dir.join(&s.name).display().to_string(),
                );
            }
            Prepared::Pytest(p)
        }
        SuiteKind::Nextest | SuiteKind::CargoTest => {
            let listed = if s.kind == SuiteKind::Nextest && crate::suite::rust::nextest_available()
            {
                list_nextest(&s.name, &root, &args)?
            } else {
                list_cargo_test(&s.name, &root, &args)?
            };
            let tests = listed.tests.clone();
            Prepared::Process {
                tests,
                factory: ProcessFactory {
                    suite: s.name.clone(),
                    what: format!("{} suite `{}`", s.kind.as_str(), s.name),
                    runner: Arc::new(RustTestCommand {
                        tests: listed,
                        env: s.env.clone(),
                    }),
                    keep_output,
                },
            }
        }
        SuiteKind::Command => {
            let cmds = ShellCommands::new(root, s);
            Prepared::Process {
                tests: cmds.tests(&s.name),
                factory: ProcessFactory {
                    suite: s.name.clone(),
                    what: format!("command suite `{}`", s.name),
                    runner: Arc::new(cmds),
                    keep_output,
                },
            }
        }
    })
}

/// What a suite holds, without running it (for `rigor list`). Collection errors are returned
/// as `(collector id, text)`.
pub struct Discovered {
    pub suite: SuiteConfig,
    pub tests: Vec<TestCase>,
    pub errors: Vec<(String, String)>,
    pub(crate) prepared: Prepared,
}

pub fn discover(
    config: &Config,
    only: &[String],
    extra: &[String],
) -> Result<Vec<Discovered>, RunnerError> {
    discover_with(config, only, extra, &PrepareOptions::default())
}

/// [`discover`], preparing the suites for a later run with `popts`.
pub fn discover_with(
    config: &Config,
    only: &[String],
    extra: &[String],
    popts: &PrepareOptions,
) -> Result<Vec<Discovered>, RunnerError> {
    let mut out = Vec::new();
    for s in suites_for(config, only)? {
        let prepared = prepare(config, &s, extra, popts)?;
        let (tests, errors) = match &prepared {
            Prepared::Pytest(p) => {
                let c = p.collect()?;
                (c.items, c.errors)
            }
            Prepared::Process { tests, .. } => (tests.clone(), Vec::new()),
        };
        out.push(Discovered {
            suite: s,
            tests,
            errors,
            prepared,
        });
    }
    Ok(out)
}
