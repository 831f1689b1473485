//! A suite's setup commands (`setup = [...]` in rigor.toml): run once per run, in order, in the
//! suite's root with its environment, before the suite's first test.

use super::suite_root;
use crate::process::run_captured;
use crate::worker::last_lines;
use rigor_model::{Config, Outcome, SuiteConfig, TestKey, TestResult};
use std::process::Command;
use std::time::Instant;

/// Output kept of a setup command.
const OUTPUT_CAP: usize = 256 * 1024;
/// Lines of a failed setup command's output shown in its result.
const SHOWN_LINES: usize = 80;

/// The setup command that failed, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupFailure {
    pub command: String,
    pub duration_s: f64,
    /// `exit Some(N)` and the end of its output, or why it could not start.
    pub detail: String,
}

impl SetupFailure {
    /// The error result that reports it (`SUITE::setup: COMMAND`).
    pub fn result(&self, suite: &str) -> TestResult {
        let mut r = TestResult::new(
            TestKey::new(suite, format!("setup: {}", self.command)),
            Outcome::Error,
            self.duration_s,
        );
        r.excerpt = Some(format!(
            "setup command failed: {}\n{}",
            self.command, self.detail
        ));
        r
    }
}

/// Run the suite's setup commands with `sh -c`; the first that fails stops the others.
pub fn run_setup(config: &Config, suite: &SuiteConfig) -> Result<(), SetupFailure> {
    for command in &suite.setup {
        let mut cmd = Command::new("sh");
        cmd.current_dir(suite_root(config, suite))
            .args(["-c", command])
            .envs(&suite.env);
        let started = Instant::now();
        let (ok, detail) = match run_captured(cmd, OUTPUT_CAP, |_| {}) {
            Ok(f) => (
                f.success,
                format!("exit {:?}\n{}", f.code, last_lines(&f.output, SHOWN_LINES)),
            ),
            Err(e) => (false, format!("cannot start: {e}")),
        };
        if !ok {
            return Err(SetupFailure {
                command: command.clone(),
                duration_s: started.elapsed().as_secs_f64(),
                detail,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::SuiteKind;

    fn config(dir: &std::path::Path) -> Config {
        Config::load(rigor_model::config::CORE_DEFAULTS, None, dir, &[]).unwrap()
    }

    fn suite(setup: &[&str]) -> SuiteConfig {
        SuiteConfig {
            name: "s".into(),
            kind: SuiteKind::Command,
            root: "sub".into(),
            args: Vec::new(),
            setup: setup.iter().map(|s| s.to_string()).collect(),
            timeout: None,
            commands: Default::default(),
            env: [("GREETING".to_string(), "hello".to_string())].into(),
        }
    }

    #[test]
    fn setup_commands_run_in_order_in_the_suite_root_with_its_environment() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let s = suite(&["echo $GREETING > one", "cat one > two"]);
        run_setup(&config(dir.path()), &s).unwrap();
        let two = std::fs::read_to_string(dir.path().join("sub/two")).unwrap();
        assert_eq!(two, "hello\n");
    }

    #[test]
    fn the_first_failing_command_stops_setup_and_is_reported_with_its_output() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let failing = "echo building >&2; echo broken >&2; exit 3";
        let s = suite(&["true", failing, "touch never"]);
        let failure = run_setup(&config(dir.path()), &s).unwrap_err();
        assert_eq!(failure.command, failing);
        assert_eq!(failure.detail, "exit Some(3)\nbuilding\nbroken");
        assert!(
            !dir.path().join("sub/never").exists(),
            "later commands do not run"
        );

        let r = failure.result("s");
        assert_eq!(r.key, TestKey::new("s", format!("setup: {failing}")));
        assert_eq!(r.outcome, Outcome::Error);
        assert_eq!(
            r.excerpt.unwrap(),
            format!("setup command failed: {failing}\nexit Some(3)\nbuilding\nbroken")
        );
    }

    #[test]
    fn a_missing_suite_root_means_the_command_cannot_start() {
        let dir = tempfile::tempdir().unwrap();
        let failure = run_setup(&config(dir.path()), &suite(&["true"])).unwrap_err();
        assert!(
            failure.detail.starts_with("cannot start: "),
            "{}",
            failure.detail
        );
    }

    #[test]
    fn a_long_output_is_cut_to_its_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let s = suite(&["seq 1 100; exit 1"]);
        let failure = run_setup(&config(dir.path()), &s).unwrap_err();
        let lines: Vec<&str> = failure.detail.lines().collect();
        assert_eq!(lines.len(), 1 + SHOWN_LINES);
        assert_eq!((lines[1], lines[SHOWN_LINES]), ("21", "100"));
    }

    #[test]
    fn no_setup_is_nothing_to_do() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(run_setup(&config(dir.path()), &suite(&[])), Ok(()));
    }
}
