//! What the history says about tests, for selectors, priorities and estimates.

use crate::error::Result;
use rigor_model::{TestCase, TestKey};
use rigor_plan::selector::Facts;
use rigor_store::Store;
use std::collections::{HashMap, HashSet};

/// Seconds assumed for a test of a suite that has no history at all.
pub const UNKNOWN_TEST_S: f64 = 0.1;

/// What the history says about tests, for selectors and priorities.
pub struct HistoryFacts {
    pub estimates: HashMap<TestKey, f64>,
    pub typical: HashMap<String, f64>,
    pub failing: HashSet<TestKey>,
    pub known: HashSet<TestKey>,
}

impl HistoryFacts {
    pub fn load(store: &Store, suites: &[&str], branch: Option<&str>) -> Result<HistoryFacts> {
        HistoryFacts::load_excluding(store, suites, branch, None)
    }

    /// The facts of the whole history, or with `exclude`, of the history without the runs at
    /// that commit: shards of one commit then plan from the same facts whenever they start,
    /// whatever the shards that ran before them recorded.
    pub fn load_excluding(
        store: &Store,
        suites: &[&str],
        branch: Option<&str>,
        exclude: Option<&str>,
    ) -> Result<HistoryFacts> {
        let mut estimates = HashMap::new();
        let mut typical = HashMap::new();
        let mut known = HashSet::new();
        for s in suites {
            let (e, t) = rigor_runner::run::estimates_excluding(store, s, exclude)?;
            typical.insert(s.to_string(), if e.is_empty() { UNKNOWN_TEST_S } else { t });
            estimates.extend(e);
            known.extend(
                store
                    .known_tests_excluding(s, exclude)?
                    .into_iter()
                    .map(|id| TestKey::new(*s, id)),
            );
        }
        Ok(HistoryFacts {
            estimates,
            typical,
            failing: store.failing_tests_excluding(branch, exclude)?,
            known,
        })
    }

    /// Expected seconds: history, else the suite's typical test.
    pub fn expected(&self, t: &TestCase) -> f64 {
        self.estimates.get(&t.key).copied().unwrap_or_else(|| {
            self.typical
                .get(&t.key.suite)
                .copied()
                .unwrap_or(UNKNOWN_TEST_S)
        })
    }
}

impl Facts for HistoryFacts {
    fn estimate(&self, t: &TestCase) -> Option<f64> {
        self.estimates.get(&t.key).copied()
    }
    fn failed_last(&self, t: &TestCase) -> bool {
        self.failing.contains(&t.key)
    }
    fn is_new(&self, t: &TestCase) -> bool {
        !self.known.contains(&t.key)
    }
}
