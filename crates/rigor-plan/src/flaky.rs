//! Flakiness as a score in [0, 1] from a test's recent history, not a yes/no.
//!
//! Evidence of non-determinism, over the last `window` results of the test:
//! - `retried_passes`: results that failed and then passed on a retry (outcome `flaky`);
//! - `same_commit_flips`: commits on which the test both passed and failed;
//! - `alternations`: pass↔fail changes between consecutive runs beyond the first one (a test
//!   that broke and stays broken changes once; an intermittent one changes again and again).
//!
//! score = min(1, (retried_passes + same_commit_flips + ½·alternations) / runs)
//!
//! A test that always fails scores 0 (broken, not flaky); one that passes on retry every
//! other run scores ≈ 0.5.

use rigor_model::Outcome;
use serde::Serialize;

/// One result of a test, oldest first.
#[derive(Debug, Clone)]
pub struct Observation {
    pub commit: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FlakyScore {
    pub score: f64,
    pub runs: usize,
    pub failures: usize,
    pub retried_passes: usize,
    pub same_commit_flips: usize,
    pub alternations: usize,
}

fn verdict(o: Outcome) -> Option<bool> {
    match o {
        Outcome::Passed | Outcome::Xpassed => Some(true),
        Outcome::Failed | Outcome::Error | Outcome::Timeout => Some(false),
        // A flaky result is a failure and a pass at once: counted by retried_passes.
        Outcome::Flaky | Outcome::Skipped | Outcome::Xfailed => None,
    }
}

pub fn score(history: &[Observation]) -> FlakyScore {
    let considered: Vec<&Observation> = history
        .iter()
        .filter(|o| !matches!(o.outcome, Outcome::Skipped | Outcome::Xfailed))
        .collect();
    let runs = considered.len();
    if runs == 0 {
        return FlakyScore::default();
    }
    let retried_passes = considered
        .iter()
        .filter(|o| o.outcome == Outcome::Flaky)
        .count();
    let failures = considered.iter().filter(|o| o.outcome.is_failure()).count();
    let mut by_commit: std::collections::HashMap<&str, (bool, bool)> =
        std::collections::HashMap::new();
    for o in &considered {
        if let (Some(c), Some(v)) = (o.commit.as_deref(), verdict(o.outcome)) {
            let e = by_commit.entry(c).or_default();
            if v { e.0 = true } else { e.1 = true }
        }
    }
    let same_commit_flips = by_commit.values().filter(|(p, f)| *p && *f).count();
    let verdicts: Vec<bool> = considered
        .iter()
        .filter_map(|o| verdict(o.outcome))
        .collect();
    let changes = verdicts.windows(2).filter(|w| w[0] != w[1]).count();
    let alternations = changes.saturating_sub(1);
    let raw = (retried_passes as f64 + same_commit_flips as f64 + 0.5 * alternations as f64)
        / runs as f64;
    FlakyScore {
        score: raw.min(1.0),
        runs,
        failures,
        retried_passes,
        same_commit_flips,
        alternations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn obs(seq: &[(Option<&str>, Outcome)]) -> Vec<Observation> {
        seq.iter()
            .map(|(c, o)| Observation {
                commit: c.map(str::to_string),
                outcome: *o,
            })
            .collect()
    }

    #[test]
    fn broken_is_not_flaky() {
        let s = score(&obs(&[
            (Some("a"), Outcome::Passed),
            (Some("b"), Outcome::Failed),
            (Some("c"), Outcome::Failed),
            (Some("d"), Outcome::Failed),
        ]));
        assert_eq!(s.score, 0.0);
        assert_eq!(s.failures, 3);
    }

    #[test]
    fn pass_on_retry_and_same_commit_flips_count() {
        let s = score(&obs(&[
            (Some("a"), Outcome::Flaky),
            (Some("a"), Outcome::Passed),
            (Some("b"), Outcome::Passed),
            (Some("b"), Outcome::Failed),
        ]));
        assert_eq!(s.retried_passes, 1);
        assert_eq!(s.same_commit_flips, 1);
        assert!((s.score - 0.5).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn intermittent_failures_alternate() {
        let seq: Vec<_> = (0..10)
            .map(|i| {
                (
                    None,
                    if i % 2 == 0 {
                        Outcome::Passed
                    } else {
                        Outcome::Failed
                    },
                )
            })
            .collect();
        let s = score(&obs(&seq));
        assert_eq!(s.alternations, 8);
        assert!(s.score >= 0.4);
    }

    proptest! {
        #[test]
        fn score_is_in_unit_interval(seq in proptest::collection::vec((proptest::option::of("[ab]"), 0usize..8), 0..40)) {
            let v: Vec<Observation> = seq.into_iter().map(|(c, o)| Observation { commit: c, outcome: Outcome::ALL[o] }).collect();
            let s = score(&v);
            prop_assert!((0.0..=1.0).contains(&s.score));
        }

        /// All passes, or all failures, is never flaky.
        #[test]
        fn consistent_results_score_zero(n in 1usize..30, pass in any::<bool>()) {
            let o = if pass { Outcome::Passed } else { Outcome::Failed };
            let v: Vec<Observation> = (0..n).map(|i| Observation { commit: Some(format!("c{i}")), outcome: o }).collect();
            prop_assert_eq!(score(&v).score, 0.0);
        }
    }
}
