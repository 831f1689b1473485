//! Tiers: ordered selections, each with an optional time budget. A test runs in the first tier
//! that selects it and has room for it; `rigor run --tier NAME` runs the tiers up to NAME.
//!
//! Within a tier, tests are taken by priority: failed last time, then new, then by risk (when
//! change-aware selection provides it), then by value per second (cheapest first). A tier with
//! a budget takes the tests that fit it: the estimated serial time divided by the workers must
//! stay within the budget; tests that do not fit are left to the later tiers.

use crate::selector::{Facts, ParseError, Selector};
use rigor_model::TestCase;
use rigor_model::duration::parse_duration;
use serde::Deserialize;
use std::collections::HashMap;
use thiserror::Error;

/// One tier as written in `[tiers]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TierConfig {
    pub select: String,
    #[serde(default)]
    pub budget: Option<String>,
    /// At most this many tests per test file (e.g. 1 for a smoke tier touching every file).
    #[serde(default)]
    pub per_file: Option<usize>,
}

#[derive(Debug, Error)]
pub enum TierError {
    #[error("tier `{tier}`: invalid selector: {source}")]
    Selector {
        tier: String,
        #[source]
        source: Box<ParseError>,
    },
    #[error("tier `{tier}`: invalid budget `{budget}`: {message}")]
    Budget {
        tier: String,
        budget: String,
        message: String,
    },
    #[error("no tier named `{0}`\n  hint: tiers are {1}")]
    Unknown(String, String),
}

#[derive(Debug, Clone)]
pub struct Tier {
    pub name: String,
    pub selector: Selector,
    pub budget_s: Option<f64>,
    pub per_file: Option<usize>,
}

impl Tier {
    pub fn from_config(name: &str, c: &TierConfig) -> Result<Tier, TierError> {
        let selector = Selector::parse(&c.select).map_err(|source| TierError::Selector {
            tier: name.into(),
            source: Box::new(source),
        })?;
        let budget_s = match &c.budget {
            Some(b) => Some(
                parse_duration(b)
                    .map_err(|message| TierError::Budget {
                        tier: name.into(),
                        budget: b.clone(),
                        message,
                    })?
                    .as_secs_f64(),
            ),
            None => None,
        };
        Ok(Tier {
            name: name.into(),
            selector,
            budget_s,
            per_file: c.per_file,
        })
    }
}

/// Index of the tier named `name`.
pub fn tier_index(tiers: &[Tier], name: &str) -> Result<usize, TierError> {
    tiers.iter().position(|t| t.name == name).ok_or_else(|| {
        TierError::Unknown(
            name.into(),
            tiers
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )
    })
}

/// The membership of each tier, as indices into the tests, in run order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TierPlan {
    /// (tier name, tests, estimated serial seconds)
    pub tiers: Vec<(String, Vec<usize>, f64)>,
    /// Tests no tier took.
    pub unassigned: Vec<usize>,
}

/// Priority key: smaller runs first.
fn priority(
    test: &TestCase,
    estimate: f64,
    risk: Option<f64>,
    facts: &dyn Facts,
) -> (u8, i64, i64) {
    let class = if facts.failed_last(test) {
        0
    } else if facts.is_new(test) {
        1
    } else {
        2
    };
    // Higher risk first; then cheaper first (value per second).
    let risk_key = -((risk.unwrap_or(0.0) * 1e6) as i64);
    let cost_key = (estimate * 1e6) as i64;
    (class, risk_key, cost_key)
}

/// Assign tests to tiers. `estimates[i]` is test i's expected seconds; `risk` optional per test.
pub fn plan_tiers(
    tests: &[TestCase],
    estimates: &[f64],
    risk: Option<&[f64]>,
    tiers: &[Tier],
    jobs: usize,
    facts: &dyn Facts,
) -> TierPlan {
    let jobs = jobs.max(1) as f64;
    let mut taken = vec![false; tests.len()];
    let mut plan = TierPlan::default();
    for tier in tiers {
        let mut candidates: Vec<usize> = (0..tests.len())
            .filter(|&i| !taken[i] && !tests[i].ignored && tier.selector.matches(&tests[i], facts))
            .collect();
        candidates.sort_by_key(|&i| {
            (
                priority(&tests[i], estimates[i], risk.map(|r| r[i]), facts),
                tests[i].key.clone(),
            )
        });
        let mut chosen = Vec::new();
        let mut used = 0.0;
        let mut per_file: HashMap<&str, usize> = HashMap::new();
        for i in candidates {
            if let Some(b) = tier.budget_s
                && (estimates[i] > b || (used + estimates[i]) / jobs > b)
            {
                continue;
            }
            if let Some(limit) = tier.per_file {
                let n = per_file
                    .entry(tests[i].file.as_deref().unwrap_or(""))
                    .or_default();
                if *n >= limit {
                    continue;
                }
                *n += 1;
            }
            used += estimates[i];
            taken[i] = true;
            chosen.push(i);
        }
        plan.tiers.push((tier.name.clone(), chosen, used));
    }
    plan.unassigned = (0..tests.len())
        .filter(|&i| !taken[i] && !tests[i].ignored)
        .collect();
    plan
}

impl rigor_model::exit::HasExitCode for TierError {
    fn exit_code(&self) -> i32 {
        rigor_model::exit::USAGE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::NoHistory;
    use proptest::prelude::*;

    fn tier(name: &str, select: &str, budget: Option<&str>, per_file: Option<usize>) -> Tier {
        Tier::from_config(
            name,
            &TierConfig {
                select: select.into(),
                budget: budget.map(str::to_string),
                per_file,
            },
        )
        .unwrap()
    }

    fn tests(n: usize, files: usize) -> Vec<TestCase> {
        (0..n)
            .map(|i| {
                let mut t = TestCase::new("py", &format!("tests/test_{}.py::t{i:03}", i % files));
                t.file = Some(format!("tests/test_{}.py", i % files));
                if i % 7 == 0 {
                    t.markers.push("slow".into());
                }
                t
            })
            .collect()
    }

    #[test]
    fn smoke_touches_every_file_within_budget() {
        let ts = tests(40, 5);
        let est: Vec<f64> = (0..40).map(|i| 0.5 + i as f64 * 0.1).collect();
        let tiers = vec![
            tier("smoke", "all()", Some("30s"), Some(1)),
            tier("rest", "all()", None, None),
        ];
        let p = plan_tiers(&ts, &est, None, &tiers, 1, &NoHistory);
        let smoke = &p.tiers[0];
        let files: std::collections::HashSet<_> =
            smoke.1.iter().map(|&i| ts[i].file.clone()).collect();
        assert_eq!(files.len(), 5, "one per file");
        assert!(smoke.2 <= 30.0);
        // the cheapest test of each file
        assert!(smoke.1.iter().all(|&i| i < 5));
        assert_eq!(p.tiers[1].1.len(), 35);
        assert!(p.unassigned.is_empty());
    }

    #[test]
    fn budgets_count_workers_and_skip_what_does_not_fit() {
        let ts = tests(10, 10);
        let est = vec![10.0; 10];
        let tiers = vec![tier("fast", "all()", Some("20s"), None)];
        assert_eq!(
            plan_tiers(&ts, &est, None, &tiers, 1, &NoHistory).tiers[0]
                .1
                .len(),
            2
        );
        assert_eq!(
            plan_tiers(&ts, &est, None, &tiers, 2, &NoHistory).tiers[0]
                .1
                .len(),
            4
        );
        let big = vec![25.0; 10];
        let p = plan_tiers(&ts, &big, None, &tiers, 4, &NoHistory);
        assert!(
            p.tiers[0].1.is_empty(),
            "a test longer than the budget never fits"
        );
        assert_eq!(p.unassigned.len(), 10);
    }

    #[test]
    fn markers_route_tests_to_later_tiers() {
        let ts = tests(14, 2);
        let est = vec![1.0; 14];
        let tiers = vec![
            tier("standard", "not marker(slow)", None, None),
            tier("advanced", "marker(slow)", None, None),
        ];
        let p = plan_tiers(&ts, &est, None, &tiers, 1, &NoHistory);
        assert_eq!(p.tiers[1].1, vec![0, 7]);
        assert_eq!(p.tiers[0].1.len(), 12);
    }

    #[test]
    fn bad_selectors_and_budgets_name_the_tier() {
        let e = Tier::from_config(
            "smoke",
            &TierConfig {
                select: "all(".into(),
                budget: None,
                per_file: None,
            },
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("tier `smoke`: invalid selector"),
            "{e}"
        );
        let e = Tier::from_config(
            "smoke",
            &TierConfig {
                select: "all()".into(),
                budget: Some("soon".into()),
                per_file: None,
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("invalid budget `soon`"));
    }

    proptest! {
        /// Every test lands in at most one tier, and every budget is respected.
        #[test]
        fn tiers_are_disjoint_and_within_budget(est in proptest::collection::vec(0.0f64..20.0, 0..80), jobs in 1usize..4) {
            let ts = tests(est.len(), 6);
            let tiers = vec![
                tier("smoke", "not slower(5s)", Some("10s"), Some(1)),
                tier("fast", "not marker(slow)", Some("30s"), None),
                tier("all", "all()", None, None),
            ];
            let p = plan_tiers(&ts, &est, None, &tiers, jobs, &NoHistory);
            let mut seen: Vec<usize> = p.tiers.iter().flat_map(|t| t.1.clone()).chain(p.unassigned.clone()).collect();
            seen.sort();
            prop_assert_eq!(seen, (0..ts.len()).collect::<Vec<_>>());
            for (t, (_, members, used)) in tiers.iter().zip(&p.tiers) {
                if let Some(b) = t.budget_s {
                    prop_assert!(used / jobs as f64 <= b + 1e-9);
                }
                let sum: f64 = members.iter().map(|&i| est[i]).sum();
                prop_assert!((sum - used).abs() < 1e-6);
            }
            prop_assert!(p.unassigned.is_empty(), "the last tier takes all the rest");
        }
    }
}
