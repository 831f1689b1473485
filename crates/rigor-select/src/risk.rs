//! Risk of a selected test: how likely the change breaks it (the run order is in
//! [`crate::order`]).
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
//! risk = 1 − Π (1 − wᵢ).

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

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
