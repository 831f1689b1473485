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

    #[test]
    fn causes_round_trip_through_their_names() {
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cause::parse("test_bug"), Some(Cause::TestBug));
        assert_eq!(Cause::parse("bogus"), None);
    }
}
