//! Expected test durations from the history, and the order they give: longest expected first.

use crate::RunnerError;
use rigor_model::{TestCase, TestKey};
use rigor_store::Store;
use std::collections::HashMap;

/// Expected seconds per test of one suite: its history, else the suite's typical test.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Estimates {
    known: HashMap<TestKey, f64>,
    typical: f64,
}

impl Estimates {
    pub fn new(known: HashMap<TestKey, f64>, typical: f64) -> Self {
        Estimates { known, typical }
    }

    /// Read a suite's estimates from the history (see [`estimates`]).
    pub fn load(store: &Store, suite: &str) -> Result<Self, RunnerError> {
        let (known, typical) = estimates(store, suite)?;
        Ok(Estimates { known, typical })
    }

    /// How many tests of the suite the history knows (0 without history).
    pub fn known_tests(&self) -> usize {
        self.known.len()
    }

    /// Expected seconds for `test`.
    pub fn of(&self, test: &TestCase) -> f64 {
        self.known.get(&test.key).copied().unwrap_or(self.typical)
    }

    /// `tests` with their estimates, longest expected first (see [`order_longest_first`]).
    pub fn longest_first(&self, tests: Vec<TestCase>) -> Vec<(TestCase, f64)> {
        order_longest_first(tests, &self.known, self.typical)
    }
}

/// Expected durations for a suite's tests, and the value for unknown tests (the suite's median).
pub fn estimates(store: &Store, suite: &str) -> Result<(HashMap<TestKey, f64>, f64), RunnerError> {
    estimates_excluding(store, suite, None)
}

/// [`estimates`] without the results of runs at commit `exclude` (stable shard plans).
pub fn estimates_excluding(
    store: &Store,
    suite: &str,
    exclude: Option<&str>,
) -> Result<(HashMap<TestKey, f64>, f64), RunnerError> {
    let known = store.duration_estimates_excluding(suite, exclude)?;
    let mut v: Vec<f64> = known.values().copied().collect();
    v.sort_by(f64::total_cmp);
    let typical = if v.is_empty() { 0.0 } else { v[v.len() / 2] };
    Ok((known, typical))
}

/// Longest expected first; ties keep discovery order (so a first run follows the runner's order).
pub fn order_longest_first(
    tests: Vec<TestCase>,
    known: &HashMap<TestKey, f64>,
    typical: f64,
) -> Vec<(TestCase, f64)> {
    let mut v: Vec<(TestCase, f64)> = tests
        .into_iter()
        .map(|t| {
            let e = known.get(&t.key).copied().unwrap_or(typical);
            (t, e)
        })
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn longest_first_is_a_stable_permutation(durs in proptest::collection::vec(proptest::option::of(0.0f64..10.0), 0..50)) {
            let tests: Vec<TestCase> = (0..durs.len()).map(|i| TestCase::new("s", &format!("t{i}"))).collect();
            let known: HashMap<TestKey, f64> = durs.iter().enumerate()
                .filter_map(|(i, d)| d.map(|d| (TestKey::new("s", format!("t{i}")), d))).collect();
            let ordered = order_longest_first(tests.clone(), &known, 1.0);
            prop_assert_eq!(ordered.len(), tests.len());
            for w in ordered.windows(2) {
                prop_assert!(w[0].1 >= w[1].1);
                if w[0].1 == w[1].1 {
                    let a: usize = w[0].0.key.id[1..].parse().unwrap();
                    let b: usize = w[1].0.key.id[1..].parse().unwrap();
                    prop_assert!(a < b, "ties keep discovery order");
                }
            }
        }
    }

    #[test]
    fn unknown_tests_take_the_typical_value() {
        let e = Estimates::new(HashMap::from([(TestKey::new("s", "a"), 3.0)]), 0.5);
        assert_eq!(e.of(&TestCase::new("s", "a")), 3.0);
        assert_eq!(e.of(&TestCase::new("s", "new")), 0.5);
    }

    #[test]
    fn the_typical_value_is_the_median_of_the_history() {
        let mut store = Store::in_memory().unwrap();
        let run = store
            .begin_run(&rigor_store::NewRun {
                started_at: 0.0,
                commit: None,
                branch: None,
                base: None,
                trigger: "local".into(),
                shard: None,
                env: None,
                args: None,
            })
            .unwrap();
        let results: Vec<_> = [("a", 1.0), ("b", 4.0), ("c", 2.0)]
            .into_iter()
            .map(|(id, d)| {
                rigor_model::TestResult::new(TestKey::new("s", id), rigor_model::Outcome::Passed, d)
            })
            .collect();
        store.record_results(run, &results).unwrap();
        let e = Estimates::load(&store, "s").unwrap();
        assert_eq!(e.of(&TestCase::new("s", "b")), 4.0);
        assert_eq!(e.of(&TestCase::new("s", "unknown")), 2.0);
        let order: Vec<String> = e
            .longest_first(vec![
                TestCase::new("s", "a"),
                TestCase::new("s", "unknown"),
                TestCase::new("s", "b"),
            ])
            .into_iter()
            .map(|(t, _)| t.key.id)
            .collect();
        assert_eq!(order, ["b", "unknown", "a"]);
        assert_eq!(
            Estimates::load(&store, "empty").unwrap(),
            Estimates::default()
        );
    }
}
