//! The run order of planned tests — the one `rigor plan`, `rigor run --changed` and `rigor ci`
//! use — and APFD, to measure an order.

use rigor_model::TestKey;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// A planned test as the run order sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderItem<'a> {
    /// Position of the test's suite in the run: suites run one after another.
    pub suite_rank: usize,
    pub key: &'a TestKey,
    /// Risk in [0, 1] (see [`crate::risk()`]).
    pub risk: f64,
    /// Expected seconds.
    pub estimated_s: f64,
}

/// Risk as it is compared and reported: to six decimals, so that floating-point noise between
/// equal signals does not decide the order.
pub fn round_risk(risk: f64) -> f64 {
    (risk * 1e6).round() / 1e6
}

/// The run order of `items`, as indices into it: suite by suite (by rank), highest risk first,
/// cheapest first among equal risks, then by suite name and id — deterministic for the same
/// history.
pub fn order_by_risk(items: &[OrderItem]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| run_before(&items[a], &items[b]));
    order
}

fn run_before(a: &OrderItem, b: &OrderItem) -> Ordering {
    a.suite_rank
        .cmp(&b.suite_rank)
        .then(round_risk(b.risk).total_cmp(&round_risk(a.risk)))
        .then(a.estimated_s.total_cmp(&b.estimated_s))
        .then_with(|| a.key.suite.cmp(&b.key.suite))
        .then_with(|| a.key.id.cmp(&b.key.id))
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
    fn suites_first_then_risk_then_cheap_then_id() {
        let keys = [k("d"), k("c"), k("b"), k("a"), TestKey::new("r", "z")];
        let item = |i: usize, suite_rank, risk, estimated_s| OrderItem {
            suite_rank,
            key: &keys[i],
            risk,
            estimated_s,
        };
        let items = [
            item(0, 0, 0.5, 1.0),
            item(1, 0, 0.9, 2.0),
            // Equal to d's risk up to noise, cheaper.
            item(2, 0, 0.5 + 1e-12, 0.5),
            item(3, 0, 0.5, 1.0),
            item(4, 1, 1.0, 0.1),
        ];
        let ids: Vec<&str> = order_by_risk(&items)
            .into_iter()
            .map(|i| items[i].key.id.as_str())
            .collect();
        assert_eq!(ids, ["c", "b", "a", "d", "z"]);
    }
}
