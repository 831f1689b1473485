//! Flakiness as a score in [0, 1] from a test's recent history, not a yes/no.
//!
//! Only results that disagree about **the same code** are evidence of non-determinism, over
//! the last `window` results of the test:
//! - `retried_passes`: results that failed and then passed on a retry (outcome `flaky`);
//! - `same_commit_flips`: pass↔fail changes between consecutive results of the same commit.
//!
//! score = min(1, (retried_passes + same_commit_flips) / runs)
//!
//! A test that fails on every run of one commit or branch and passes on another scores 0: that
//! is a regression (or its fix), not flakiness, however the runs of the two interleave. So does
//! a test that always fails. `alternations` (pass↔fail changes between consecutive results of
//! different commits, beyond the first) is reported for context and never scored. Results
//! without a commit (no git) can only show flakiness by passing on a retry.

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
    let same_commit_flips = same_commit_flips(&considered);
    let verdicts: Vec<(Option<&str>, bool)> = considered
        .iter()
        .filter_map(|o| Some((o.commit.as_deref(), verdict(o.outcome)?)))
        .collect();
    let across = verdicts
        .windows(2)
        .filter(|w| w[0].1 != w[1].1 && (w[0].0.is_none() || w[0].0 != w[1].0))
        .count();
    let alternations = across.saturating_sub(1);
    let raw = (retried_passes + same_commit_flips) as f64 / runs as f64;
    FlakyScore {
        score: raw.min(1.0),
        runs,
        failures,
        retried_passes,
        same_commit_flips,
        alternations,
    }
}

/// Pass↔fail changes between consecutive results of the same commit (oldest first).
fn same_commit_flips(considered: &[&Observation]) -> usize {
    let mut last: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    let mut flips = 0;
    for o in considered {
        if let (Some(c), Some(v)) = (o.commit.as_deref(), verdict(o.outcome))
            && last.insert(c, v).is_some_and(|prev| prev != v)
        {
            flips += 1;
        }
    }
    flips
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

    /// Issue 17: a test failing on every run of a broken branch and passing on main, the runs
    /// of the two interleaved, is a regression, not flaky.
    #[test]
    fn failing_on_one_commit_and_passing_on_another_scores_zero() {
        let seq: Vec<_> = (0..12)
            .map(|i| {
                if i % 2 == 0 {
                    (Some("main"), Outcome::Passed)
                } else {
                    (Some("broken"), Outcome::Failed)
                }
            })
            .collect();
        let s = score(&obs(&seq));
        assert_eq!(
            (s.score, s.same_commit_flips, s.failures),
            (0.0, 0, 6),
            "{s:?}"
        );
        assert_eq!(s.alternations, 10, "reported, not scored");
    }

    #[test]
    fn intermittent_failures_on_the_same_commit_flip() {
        let seq: Vec<_> = (0..10)
            .map(|i| {
                let o = if i % 2 == 0 {
                    Outcome::Passed
                } else {
                    Outcome::Failed
                };
                (Some("a"), o)
            })
            .collect();
        let s = score(&obs(&seq));
        assert_eq!((s.same_commit_flips, s.alternations), (9, 0));
        assert!((s.score - 0.9).abs() < 1e-9, "{s:?}");
        // Without commits, alternation alone is no evidence.
        let none: Vec<_> = seq.iter().map(|(_, o)| (None, *o)).collect();
        let s = score(&obs(&none));
        assert_eq!((s.score, s.alternations), (0.0, 8));
    }

    proptest! {
        #[test]
        fn score_is_in_unit_interval(seq in proptest::collection::vec((proptest::option::of("[ab]"), 0usize..8), 0..40)) {
            let v: Vec<Observation> = seq.into_iter().map(|(c, o)| Observation { commit: c, outcome: Outcome::ALL[o] }).collect();
            let s = score(&v);
            prop_assert!((0.0..=1.0).contains(&s.score));
        }

        /// Results that agree within each commit — each commit passes or fails throughout,
        /// whatever the order the commits' runs interleave in — score 0; as soon as one commit
        /// has both a pass and a failure, or a result passed on retry, the score is positive.
        #[test]
        fn only_same_commit_disagreement_and_retries_count(
            fails in proptest::collection::vec(any::<bool>(), 4),
            seq in proptest::collection::vec((0usize..4, 0usize..3, any::<bool>()), 1..40),
            flip in proptest::option::of((0usize..40, 0usize..3)),
            retry in proptest::option::of(0usize..40),
        ) {
            let passes = [Outcome::Passed, Outcome::Xpassed, Outcome::Skipped];
            let failures = [Outcome::Failed, Outcome::Error, Outcome::Timeout];
            let mut v: Vec<Observation> = seq
                .iter()
                .map(|&(c, k, _)| Observation {
                    commit: Some(format!("c{c}")),
                    outcome: if fails[c] { failures[k] } else { passes[k] },
                })
                .collect();
            prop_assert_eq!(score(&v).score, 0.0);
            if let Some((at, k)) = flip {
                // The same commit as `at`, with the opposite verdict (inserted after it).
                let at = at % v.len();
                let c = seq[at].0;
                let o = if fails[c] { passes[k] } else { failures[k] };
                v.insert(at + 1, Observation { commit: Some(format!("c{c}")), outcome: o });
            }
            if let Some(at) = retry {
                let at = at % (v.len() + 1);
                v.insert(at, Observation { commit: Some("c0".into()), outcome: Outcome::Flaky });
            }
            let disagree = v.iter().any(|o| {
                verdict(o.outcome) == Some(true)
                    && v.iter().any(|p| p.commit == o.commit && verdict(p.outcome) == Some(false))
            });
            let evidence = retry.is_some() || disagree;
            prop_assert_eq!(score(&v).score > 0.0, evidence, "{:?}", v);
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
