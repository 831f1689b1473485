//! Suites made ready to run: which suites, their adapters, discovery of their tests, and their
//! setup commands ([`setup`]).

pub mod cache;
pub mod setup;

use crate::suite::command::ShellCommands;
use crate::suite::pytest::{PytestSuite, install_plugin};
use crate::suite::rust::{RustTestCommand, list_cargo_test, list_nextest};
use crate::worker::process::ProcessFactory;
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
        only_files: Vec::new(),
        only_names: Vec::new(),
    })
}

/// Options that change how suites are prepared.
#[derive(Debug, Clone, Default)]
pub struct PrepareOptions {
    /// Keep captured output of passing tests.
    pub keep_output: bool,
    /// Precision mode: pytest workers record per-test coverage maps (one directory per suite).
    pub coverage_map: Option<rigor_model::MapRecording>,
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
            if let Some(rec) = &popts.coverage_map {
                p.env.insert(
                    "RIGOR_COVERAGE_MAP".into(),
                    rec.dir.join(&s.name).display().to_string(),
                );
                p.env
                    .insert("RIGOR_MAP_RECORDER".into(), rec.recorder.as_str().into());
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
    /// How a pytest suite's collection used the discovery cache (None: not asked to).
    pub cache: Option<cache::CacheUse>,
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
    discover_cached(config, only, extra, popts, None)
}

/// [`discover_with`], collecting pytest suites through their discovery cache when `judge` is
/// given (see [`cache`]): change-aware runs re-collect only what the change can alter.
pub fn discover_cached(
    config: &Config,
    only: &[String],
    extra: &[String],
    popts: &PrepareOptions,
    judge: Option<cache::Judge>,
) -> Result<Vec<Discovered>, RunnerError> {
    let mut out = Vec::new();
    for s in suites_for(config, only)? {
        let prepared = prepare(config, &s, extra, popts)?;
        let mut used = None;
        let (tests, errors) = match &prepared {
            Prepared::Pytest(p) => {
                let path = cache::path_for(&config.root, &s.name);
                let c = match judge {
                    Some(j) if std::env::var_os("RIGOR_NO_DISCOVERY_CACHE").is_none() => {
                        let (c, u) = cache::collect_cached(p, &path, j)?;
                        used = Some(u);
                        c
                    }
                    _ => {
                        let c = p.collect()?;
                        cache::remember(p, &path, &c);
                        c
                    }
                };
                (c.items, c.errors)
            }
            Prepared::Process { tests, .. } => (tests.clone(), Vec::new()),
        };
        out.push(Discovered {
            suite: s,
            tests,
            errors,
            prepared,
            cache: used,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::exit::HasExitCode;
    use std::path::Path;

    /// A project in `dir` with this rigor.toml.
    fn config(dir: &Path, toml: &str) -> Config {
        let file = dir.join("rigor.toml");
        std::fs::write(&file, toml).unwrap();
        Config::load(rigor_model::config::CORE_DEFAULTS, Some(&file), dir, &[]).unwrap()
    }

    const FAKE_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fake-python");

    const TWO_SUITES: &str = "[[suite]]\nname = \"checks\"\nkind = \"command\"\ncommands = { lint = \"true\", fmt = \"true\" }\n\n[[suite]]\nname = \"more\"\nkind = \"command\"\ncommands = { x = \"true\" }\n";

    #[test]
    fn suites_are_filtered_by_name_and_an_unknown_name_lists_the_suites() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path(), TWO_SUITES);
        let names = |only: &[&str]| -> Vec<String> {
            let only: Vec<String> = only.iter().map(|s| s.to_string()).collect();
            suites_for(&c, &only)
                .unwrap()
                .into_iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names(&[]), ["checks", "more"]);
        assert_eq!(names(&["more"]), ["more"]);
        let err = suites_for(&c, &["nope".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no suite named `nope`\n  hint: suites are [checks, more]"
        );
        assert_eq!(err.exit_code(), rigor_model::exit::USAGE);
    }

    #[test]
    fn without_configured_suites_the_detected_ones_are_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pytest.ini"), "[pytest]\n").unwrap();
        let c = config(dir.path(), "");
        let suites = suites_for(&c, &[]).unwrap();
        assert_eq!(suites.len(), 1);
        assert_eq!(
            (suites[0].name.as_str(), suites[0].kind),
            ("python", SuiteKind::Pytest)
        );
    }

    #[test]
    fn a_command_suite_has_a_test_per_command_run_as_a_process_each() {
        let dir = tempfile::tempdir().unwrap();
        let found = discover(&config(dir.path(), TWO_SUITES), &["checks".into()], &[]).unwrap();
        assert_eq!(found.len(), 1);
        let ids: Vec<&str> = found[0].tests.iter().map(|t| t.key.id.as_str()).collect();
        assert_eq!(ids, ["fmt", "lint"], "sorted by name");
        assert!(found[0].errors.is_empty());
        let Prepared::Process { factory, .. } = &found[0].prepared else {
            panic!("a command suite runs a process per test");
        };
        assert_eq!(factory.what, "command suite `checks`");
    }

    #[test]
    fn a_pytest_suite_is_collected_by_its_interpreter_with_the_plugin_installed() {
        let dir = tempfile::tempdir().unwrap();
        let toml = format!(
            "[python]\ninterpreter = \"{FAKE_PYTHON}\"\n\n[[suite]]\nname = \"py\"\nkind = \"pytest\"\nargs = [\"-x\"]\n"
        );
        let c = config(dir.path(), &toml);
        let popts = PrepareOptions {
            keep_output: true,
            coverage_map: Some(rigor_model::MapRecording {
                dir: dir.path().join("cov"),
                recorder: rigor_model::MapRecorder::Probes,
            }),
        };
        let found = discover_with(&c, &[], &["-k".into(), "a".into()], &popts).unwrap();
        assert_eq!(found[0].tests.len(), 1);
        assert_eq!(found[0].errors, [("u.py".into(), "E   ImportError".into())]);
        assert!(dir.path().join(".rigor/python/rigor_pytest.py").is_file());
        let Prepared::Pytest(p) = &found[0].prepared else {
            panic!("a pytest suite has persistent workers");
        };
        assert_eq!(
            p.args,
            ["-x", "-k", "a"],
            "the suite's args, then the extra ones"
        );
        assert!(p.keep_output);
        let map = dir.path().join("cov").join("py").display().to_string();
        assert_eq!(p.env.get("RIGOR_COVERAGE_MAP"), Some(&map));
        assert_eq!(
            p.env.get("RIGOR_MAP_RECORDER").map(String::as_str),
            Some("probes")
        );
        assert!(dir.path().join(".rigor/python/rigor_probes.py").is_file());
    }

    #[test]
    fn a_failed_collection_fails_discovery() {
        let dir = tempfile::tempdir().unwrap();
        let toml = format!(
            "[python]\ninterpreter = \"{FAKE_PYTHON}\"\n\n[[suite]]\nname = \"py\"\nkind = \"pytest\"\nenv = {{ FAIL_COLLECT = \"1\" }}\n"
        );
        let err = discover(&config(dir.path(), &toml), &[], &[])
            .err()
            .unwrap();
        assert!(matches!(err, RunnerError::Collection { .. }), "{err}");
        assert_eq!(err.exit_code(), rigor_model::exit::FAILED);
    }
}
