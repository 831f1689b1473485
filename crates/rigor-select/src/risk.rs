//! Risk of a selected test and the run order: failures first, cheap first among equals.
//!
//! The score is a noisy-or of independent signals, each a probability-like weight in [0, 1]:
//!
//! | signal | weight |
//! |---|---|
//! | failed in the last run on the branch | 0.90 |
//! | covers a changed line (coverage map) | 0.80 |
//! | its name mentions a changed function or class (`test_chunked` ↔ `def chunked`) | 0.60 |
//! | its name shares a word (≥ 4 letters) with a changed function or class | 0.30 |
//! | its own file changed | 0.50 |
//! | graph distance d to a changed file | 0.40 / (1 + d) |
//! | co-failure with a changed file (history) | rate |
//! | failure rate over the recent window | 0.5 × rate |
//! | new test | 0.30 |
//! | churn: commits touching its file among the recent ones | 0.02 × n, at most 0.20 |
//!
//! risk = 1 − Π (1 − wᵢ). Ties (within 1e-9) are broken by the estimated duration, shortest
//! first, then by id, so the order is deterministic.

use crate::select::Selection;
use rigor_model::TestKey;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// What a test's risk is computed from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskFactors {
    pub last_failed: bool,
    pub new: bool,
    pub own_file: bool,
    pub covers_change: bool,
    pub name_affinity: bool,
    /// Its name shares a word with a changed definition (`test_greater_than` ↔ `matches_greater`).
    #[serde(default)]
    pub name_words: bool,
    /// Hops in the impact graph from the test's file to the nearest changed file.
    pub distance: Option<u32>,
    pub failure_rate: f64,
    pub cofail: f64,
    pub churn: u32,
}

impl RiskFactors {
    /// Keep the smallest distance seen.
    pub fn distance_min(&mut self, d: u32) {
        self.distance = Some(self.distance.map_or(d, |x| x.min(d)));
    }
}

/// The risk score in [0, 1] (see the module documentation).
pub fn risk(f: &RiskFactors) -> f64 {
    let mut weights = Vec::with_capacity(9);
    if f.last_failed {
        weights.push(0.90);
    }
    if f.covers_change {
        weights.push(0.80);
    }
    if f.name_affinity {
        weights.push(0.60);
    }
    if f.name_words {
        weights.push(0.30);
    }
    if f.own_file {
        weights.push(0.50);
    }
    if let Some(d) = f.distance {
        weights.push(0.40 / (1.0 + d as f64));
    }
    weights.push(f.cofail.clamp(0.0, 1.0));
    weights.push(0.5 * f.failure_rate.clamp(0.0, 1.0));
    if f.new {
        weights.push(0.30);
    }
    weights.push((0.02 * f.churn as f64).min(0.20));
    1.0 - weights.iter().fold(1.0, |p, w| p * (1.0 - w))
}

/// A test in run order, as in `rigor plan --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedTest {
    pub id: String,
    pub suite: String,
    pub reasons: Vec<String>,
    pub risk: f64,
    pub estimated_s: f64,
}

/// Order the selected tests: risk descending, then estimated duration ascending, then id.
/// `estimates` are per-test durations; a test without one gets the median of the known ones
/// (or `default_s` when none is known).
pub fn order_by_risk(
    selection: &Selection,
    estimates: &HashMap<TestKey, f64>,
    default_s: f64,
) -> Vec<PlannedTest> {
    let mut known: Vec<f64> = selection
        .selected
        .iter()
        .filter_map(|s| estimates.get(&s.key).copied())
        .collect();
    known.sort_by(f64::total_cmp);
    let typical = if known.is_empty() {
        default_s
    } else {
        known[known.len() / 2]
    };
    let mut out: Vec<PlannedTest> = selection
        .selected
        .iter()
        .map(|s| PlannedTest {
            id: s.key.id.clone(),
            suite: s.key.suite.clone(),
            reasons: s.reasons.clone(),
            risk: (s.risk * 1e6).round() / 1e6,
            estimated_s: estimates.get(&s.key).copied().unwrap_or(typical),
        })
        .collect();
    out.sort_by(|a, b| {
        b.risk
            .total_cmp(&a.risk)
            .then(a.estimated_s.total_cmp(&b.estimated_s))
            .then_with(|| a.suite.cmp(&b.suite))
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// APFD of an order for faults each detected by a set of tests:
/// 1 − ΣTFᵢ/(n·m) + 1/(2n), TFᵢ the 1-based position of the first test detecting fault i.
/// A fault that no test in `order` detects counts at position n + 1 (the usual convention for
/// an order that misses it). `None` when there are no tests or no faults.
pub fn apfd(order: &[TestKey], faults: &[HashSet<TestKey>]) -> Option<f64> {
    let n = order.len();
    let m = faults.len();
    if n == 0 || m == 0 {
        return None;
    }
    let pos: HashMap<&TestKey, usize> = order.iter().enumerate().map(|(i, k)| (k, i + 1)).collect();
    let sum: usize = faults
        .iter()
        .map(|f| {
            f.iter()
                .filter_map(|k| pos.get(k).copied())
                .min()
                .unwrap_or(n + 1)
        })
        .sum();
    Some(1.0 - sum as f64 / (n as f64 * m as f64) + 1.0 / (2.0 * n as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> TestKey {
        TestKey::new("s", s)
    }

    #[test]
    fn apfd_matches_the_formula() {
        let order = vec![k("a"), k("b"), k("c"), k("d")];
        let faults = vec![HashSet::from([k("b")]), HashSet::from([k("a"), k("d")])];
        // TF = 2 and 1; 1 - 3/8 + 1/8 = 0.75
        assert!((apfd(&order, &faults).unwrap() - 0.75).abs() < 1e-12);
        assert_eq!(apfd(&[], &faults), None);
    }

    #[test]
    fn stronger_signals_rank_higher() {
        let base = RiskFactors {
            distance: Some(3),
            ..RiskFactors::default()
        };
        let near = RiskFactors {
            distance: Some(1),
            ..RiskFactors::default()
        };
        let covering = RiskFactors {
            covers_change: true,
            distance: Some(3),
            ..RiskFactors::default()
        };
        let failed = RiskFactors {
            last_failed: true,
            ..RiskFactors::default()
        };
        assert!(risk(&near) > risk(&base));
        assert!(risk(&covering) > risk(&near));
        assert!(risk(&failed) > risk(&covering) - 0.2);
        assert!((0.0..=1.0).contains(&risk(&RiskFactors {
            last_failed: true,
            covers_change: true,
            name_affinity: true,
            name_words: true,
            own_file: true,
            distance: Some(0),
            failure_rate: 1.0,
            cofail: 1.0,
            new: true,
            churn: 100
        })));
    }
}
