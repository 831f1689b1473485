//! Causes: one rule module per cause, asked in a fixed order; the first that recognises the
//! failure gives the verdict, with a confidence and the evidence in words. Nothing recognised
//! is `unknown`, saying what was looked at.

mod environment;
mod flaky;
mod infrastructure;
mod regression;
mod test_bug;

use crate::evidence::Evidence;
use crate::project::Project;
use crate::signature::Signature;
use rigor_model::Outcome;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    Regression,
    Flaky,
    Infrastructure,
    Environment,
    TestBug,
    Unknown,
}

impl Cause {
    pub const ALL: [Cause; 6] = [
        Cause::Regression,
        Cause::Flaky,
        Cause::Infrastructure,
        Cause::Environment,
        Cause::TestBug,
        Cause::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Regression => "regression",
            Cause::Flaky => "flaky",
            Cause::Infrastructure => "infrastructure",
            Cause::Environment => "environment",
            Cause::TestBug => "test-bug",
            Cause::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Cause> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        let s = if s == "testbug" {
            "test-bug".to_string()
        } else {
            s
        };
        Cause::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cause with how sure rigor is and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub cause: Cause,
    /// In [0, 1].
    pub confidence: f64,
    /// The evidence, in words, most telling first.
    pub evidence: Vec<String>,
}

impl Verdict {
    pub fn new(cause: Cause, confidence: f64, evidence: Vec<String>) -> Verdict {
        Verdict {
            cause,
            confidence: confidence.clamp(0.0, 1.0),
            evidence,
        }
    }
}

/// What a rule sees of one failure.
pub struct Facts<'a> {
    pub sig: &'a Signature,
    pub excerpt: &'a str,
    pub outcome: Outcome,
    pub attempts: u32,
    pub file: Option<&'a str>,
    pub evidence: &'a Evidence,
    pub project: &'a Project,
    /// The command of a `command` suite that is a known formatter or linter.
    pub lint_command: Option<&'a str>,
}

type Rule = fn(&Facts) -> Option<Verdict>;

/// The rules in the order they are asked. Passing on retry decides first (the issue's
/// contract: a test that passed on retry is flaky); then failures whose text names their cause
/// (infrastructure, environment, test code); then the history (a pass on this same commit is
/// flakiness, a pass on an earlier commit is a regression); the flakiness score last, so a
/// real break is never hidden as flaky on a score alone.
const RULES: &[Rule] = &[
    flaky::passed_on_retry,
    infrastructure::rule,
    environment::rule,
    test_bug::rule,
    flaky::same_commit,
    regression::rule,
    flaky::by_score,
];

pub fn classify(f: &Facts) -> Verdict {
    RULES
        .iter()
        .find_map(|rule| rule(f))
        .unwrap_or_else(|| unknown(f))
}

fn unknown(f: &Facts) -> Verdict {
    let mut ev = vec![format!(
        "no rule recognised `{}`: not a retry pass, not an infrastructure, environment or test-code error",
        f.sig.headline()
    )];
    if f.evidence.history.is_empty() {
        ev.push("the test has no earlier results to compare with".into());
    } else if f.evidence.last_pass.is_none() {
        ev.push(format!(
            "it never passed in its {} earlier results",
            f.evidence.history.len()
        ));
    }
    Verdict::new(Cause::Unknown, 0.0, ev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_store::PastResult;
    use std::path::Path;

    fn project() -> Project {
        Project::from_files(
            Path::new("/p"),
            vec![
                "pkg/__init__.py".into(),
                "pkg/core.py".into(),
                "tests/test_core.py".into(),
            ],
        )
    }

    fn evidence(history: Vec<PastResult>, commit: &str) -> Evidence {
        let passed = |r: &&PastResult| r.outcome == Outcome::Passed;
        Evidence {
            same_commit_pass: history
                .iter()
                .filter(passed)
                .find(|r| r.commit.as_deref() == Some(commit))
                .cloned(),
            last_pass: history
                .iter()
                .filter(passed)
                .find(|r| r.commit.as_deref() != Some(commit))
                .cloned(),
            history,
            flaky: Default::default(),
            commit: Some(commit.into()),
            base: None,
            streak_start: None,
            changed: vec!["pkg/core.py".into()],
            reach: vec!["tests/test_core.py imports pkg/core.py".into()],
            reach_files: vec!["pkg/core.py".into()],
        }
    }

    fn past(run_id: i64, commit: &str, outcome: Outcome) -> PastResult {
        PastResult {
            run_id,
            started_at: 0.0,
            commit: Some(commit.into()),
            branch: None,
            outcome,
            attempts: 1,
            duration_s: 0.1,
            excerpt: None,
        }
    }

    fn verdict(excerpt: &str, outcome: Outcome, ev: &Evidence) -> Verdict {
        let sig = Signature::of(excerpt);
        let p = project();
        classify(&Facts {
            sig: &sig,
            excerpt,
            outcome,
            attempts: 2,
            file: Some("tests/test_core.py"),
            evidence: ev,
            project: &p,
            lint_command: None,
        })
    }

    const ASSERT: &str = "[call] def test_x():\n>       assert core.f() == 2\nE       assert 3 == 2\n\ntests/test_core.py:5: AssertionError";

    #[test]
    fn each_cause_is_recognised_from_its_own_evidence() {
        let none = evidence(Vec::new(), "b");
        let before = evidence(vec![past(1, "a", Outcome::Passed)], "b");
        let same = evidence(vec![past(1, "b", Outcome::Passed)], "b");
        let cases: &[(&str, Outcome, &Evidence, Cause)] = &[
            (ASSERT, Outcome::Flaky, &none, Cause::Flaky),
            (ASSERT, Outcome::Failed, &before, Cause::Regression),
            (ASSERT, Outcome::Failed, &same, Cause::Flaky),
            (ASSERT, Outcome::Failed, &none, Cause::Unknown),
            (
                "[call] x\nE       ModuleNotFoundError: No module named 'yaml'\n\ntests/test_core.py:1: ModuleNotFoundError",
                Outcome::Failed,
                &before,
                Cause::Environment,
            ),
            (
                "[call] x\nE       ModuleNotFoundError: No module named 'pkg.gone'\n\ntests/test_core.py:1: ModuleNotFoundError",
                Outcome::Failed,
                &before,
                Cause::Regression,
            ),
            (
                "[call] x\nE       OSError: [Errno 98] Address already in use\n\ntests/test_core.py:1: OSError",
                Outcome::Failed,
                &before,
                Cause::Infrastructure,
            ),
            (
                "the worker process killed by signal 9 while running this test\n..",
                Outcome::Error,
                &before,
                Cause::Infrastructure,
            ),
            (
                "[setup] def f():\n>       raise RuntimeError('x')\nE       RuntimeError: x\n\ntests/test_core.py:3: RuntimeError",
                Outcome::Error,
                &before,
                Cause::TestBug,
            ),
            (
                "[call] def t():\n>       y\nE       NameError: name 'y' is not defined\n\ntests/test_core.py:3: NameError",
                Outcome::Failed,
                &before,
                Cause::TestBug,
            ),
            (
                "[call] def t():\n>       core.f()\n\ntests/test_core.py:3:\n\npkg/core.py:9: in f\nE       TypeError: bad\n\npkg/core.py:9: TypeError",
                Outcome::Failed,
                &before,
                Cause::Regression,
            ),
            (
                "[call] x\nE       FileNotFoundError: [Errno 2] No such file or directory: 'jq'\n\ntests/test_core.py:2: FileNotFoundError",
                Outcome::Failed,
                &before,
                Cause::Environment,
            ),
        ];
        for (text, outcome, ev, want) in cases {
            let v = verdict(text, *outcome, ev);
            assert_eq!(v.cause, *want, "{text}: {v:?}");
            assert!(!v.evidence.is_empty());
            assert!((0.0..=1.0).contains(&v.confidence));
        }
    }

    /// A regression with a flakiness score from earlier flips on other commits stays a
    /// regression: the score is asked last.
    #[test]
    fn a_score_never_hides_a_regression() {
        let mut ev = evidence(vec![past(1, "a", Outcome::Passed)], "b");
        ev.flaky.score = 0.9;
        assert_eq!(
            verdict(ASSERT, Outcome::Failed, &ev).cause,
            Cause::Regression
        );
    }

    #[test]
    fn causes_round_trip_through_their_names() {
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cause::parse("test_bug"), Some(Cause::TestBug));
        assert_eq!(Cause::parse("bogus"), None);
    }
}
