//! Quarantined tests (they still run; their failures do not fail the build) and the per-test
//! result sequences that flakiness scores are computed from.

use crate::{Migration, Result, Store, values};
use rigor_model::{Outcome, TestKey};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

pub(crate) const MIGRATIONS: &[Migration] = &[r#"
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    suite       TEXT NOT NULL,
    name        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  REAL NOT NULL,
    expires_at  REAL NOT NULL,
    released_at REAL,
    auto        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX quarantine_by_test ON quarantine (suite, name);
"#];

/// One result of a test: the run's commit and the outcome.
pub type Observed = (Option<String>, Outcome);

#[derive(Debug, Clone, Serialize)]
pub struct Quarantine {
    pub suite: String,
    pub id: String,
    pub reason: String,
    pub created_at: f64,
    pub expires_at: f64,
    pub auto: bool,
}

impl Store {
    /// Quarantine a test until `expires_at` (replaces an active quarantine of the same test).
    pub fn quarantine(
        &mut self,
        key: &TestKey,
        reason: &str,
        now: f64,
        expires_at: f64,
        auto: bool,
    ) -> Result<()> {
        self.with_tx(|db| {
            db.exec(
                "UPDATE quarantine SET released_at = ?3 WHERE suite = ?1 AND name = ?2 AND released_at IS NULL",
                &values![&key.suite, &key.id, now],
            )?;
            db.exec(
                "INSERT INTO quarantine (suite, name, reason, created_at, expires_at, auto) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &values![&key.suite, &key.id, reason, now, expires_at, auto],
            )?;
            Ok(())
        })
    }

    /// Release a test's active quarantine. Returns whether there was one.
    pub fn release(&self, key: &TestKey, now: f64) -> Result<bool> {
        let n = self.with_sql(|db| {
            db.exec(
                "UPDATE quarantine SET released_at = ?3 WHERE suite = ?1 AND name = ?2 AND released_at IS NULL AND expires_at > ?3",
                &values![&key.suite, &key.id, now],
            )
        })?;
        Ok(n > 0)
    }

    /// Quarantines in force at `now` (not released, not expired).
    pub fn active_quarantines(&self, now: f64) -> Result<Vec<Quarantine>> {
        self.with_sql(|db| {
            db.query(
                "SELECT suite, name, reason, created_at, expires_at, auto FROM quarantine
                 WHERE released_at IS NULL AND expires_at > ?1 ORDER BY suite, name",
                &values![now],
            )?
            .iter()
            .map(|r| {
                Ok(Quarantine {
                    suite: r.get(0)?,
                    id: r.get(1)?,
                    reason: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                    auto: r.get(5)?,
                })
            })
            .collect()
        })
    }

    /// Each test's last `window` results, oldest first, with the run's commit.
    pub fn observations(&self, window: usize) -> Result<HashMap<TestKey, Vec<Observed>>> {
        let rows = self.with_sql(|db| {
            db.query(
                "SELECT suite, name, commit_sha, outcome FROM (
                    SELECT t.suite AS suite, t.name AS name, u.commit_sha AS commit_sha, r.outcome AS outcome, r.run_id AS run_id,
                           ROW_NUMBER() OVER (PARTITION BY r.test_id ORDER BY r.run_id DESC) AS n
                    FROM results r JOIN tests t ON t.id = r.test_id JOIN runs u ON u.id = r.run_id
                 ) recent WHERE n <= ?1 ORDER BY run_id",
                &values![window],
            )
        })?;
        let mut out: HashMap<TestKey, Vec<Observed>> = HashMap::new();
        for r in rows {
            let outcome: String = r.get(3)?;
            out.entry(TestKey::new(r.get::<String>(0)?, r.get::<String>(1)?))
                .or_default()
                .push((
                    r.get(2)?,
                    Outcome::parse(&outcome).unwrap_or(Outcome::Error),
                ));
        }
        Ok(out)
    }

    /// Tests whose most recent result on `branch` (any branch when None) is a failure.
    pub fn failing_tests(&self, branch: Option<&str>) -> Result<HashSet<TestKey>> {
        self.failing_tests_excluding(branch, None)
    }

    /// [`Store::failing_tests`] without the runs at commit `exclude` (when given).
    pub fn failing_tests_excluding(
        &self,
        branch: Option<&str>,
        exclude: Option<&str>,
    ) -> Result<HashSet<TestKey>> {
        self.with_sql(|db| {
            db.query(
                "SELECT suite, name, outcome FROM (
                    SELECT t.suite AS suite, t.name AS name, r.outcome AS outcome,
                           ROW_NUMBER() OVER (PARTITION BY r.test_id ORDER BY r.run_id DESC) AS n
                    FROM results r JOIN tests t ON t.id = r.test_id JOIN runs u ON u.id = r.run_id
                    WHERE (CAST(?1 AS TEXT) IS NULL OR u.branch = ?1 OR u.branch IS NULL)
                      AND (CAST(?2 AS TEXT) IS NULL OR u.commit_sha IS NULL OR u.commit_sha != ?2)
                 ) latest WHERE n = 1 AND outcome IN ('failed', 'error', 'timeout')",
                &values![branch, exclude],
            )?
            .iter()
            .map(|r| Ok(TestKey::new(r.get::<String>(0)?, r.get::<String>(1)?)))
            .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewRun;
    use rigor_model::TestResult;

    #[test]
    fn quarantine_expires_and_releases() {
        let mut s = Store::in_memory().unwrap();
        let k = TestKey::new("py", "t");
        s.quarantine(&k, "flaky network", 100.0, 200.0, false)
            .unwrap();
        assert_eq!(s.active_quarantines(150.0).unwrap().len(), 1);
        assert_eq!(s.active_quarantines(250.0).unwrap().len(), 0, "expired");
        assert!(s.release(&k, 150.0).unwrap());
        assert!(!s.release(&k, 150.0).unwrap());
        assert_eq!(s.active_quarantines(160.0).unwrap().len(), 0);
    }

    #[test]
    fn observations_and_failing_tests_follow_the_latest_result() {
        let mut s = Store::in_memory().unwrap();
        for (i, o) in [Outcome::Failed, Outcome::Passed, Outcome::Failed]
            .iter()
            .enumerate()
        {
            let run = s
                .begin_run(&NewRun {
                    trigger: "local".into(),
                    branch: Some("main".into()),
                    commit: Some(format!("c{i}")),
                    ..Default::default()
                })
                .unwrap();
            s.record_results(
                run,
                &[
                    TestResult::new(TestKey::new("py", "a"), *o, 1.0),
                    TestResult::new(TestKey::new("py", "b"), Outcome::Passed, 1.0),
                ],
            )
            .unwrap();
        }
        let obs = s.observations(2).unwrap();
        assert_eq!(
            obs[&TestKey::new("py", "a")]
                .iter()
                .map(|o| o.1)
                .collect::<Vec<_>>(),
            vec![Outcome::Passed, Outcome::Failed]
        );
        let failing = s.failing_tests(Some("main")).unwrap();
        assert_eq!(failing, HashSet::from([TestKey::new("py", "a")]));
        assert!(s.failing_tests(Some("other")).unwrap().is_empty());
    }
}
