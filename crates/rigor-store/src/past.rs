//! Reads of earlier results for explaining failures (`rigor triage`): a test's past results
//! with their runs' commits, and the failures of a window of runs.

use crate::{Result, Store, values};
use rigor_model::Outcome;
use serde::Serialize;

/// One result of a test in some run, with what the run knew about its code.
#[derive(Debug, Clone, Serialize)]
pub struct PastResult {
    pub run_id: i64,
    pub started_at: f64,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub outcome: Outcome,
    pub attempts: u32,
    pub duration_s: f64,
    pub excerpt: Option<String>,
}

/// A failed (or passed-on-retry) result of any test in a window of runs.
#[derive(Debug, Clone, Serialize)]
pub struct PastFailure {
    pub run_id: i64,
    pub started_at: f64,
    pub suite: String,
    pub id: String,
    pub excerpt: Option<String>,
}

impl Store {
    /// The results of one test in runs up to and including `up_to_run`, newest first, at most
    /// `limit`.
    pub fn test_history(
        &self,
        suite: &str,
        id: &str,
        up_to_run: i64,
        limit: usize,
    ) -> Result<Vec<PastResult>> {
        self.with_sql(|db| {
            db.query(
                "SELECT u.id, u.started_at, u.commit_sha, u.branch, r.outcome, r.attempts, r.duration_s, r.excerpt
                 FROM results r JOIN tests t ON t.id = r.test_id JOIN runs u ON u.id = r.run_id
                 WHERE t.suite = ?1 AND t.name = ?2 AND u.id <= ?3
                 ORDER BY u.id DESC LIMIT ?4",
                &values![suite, id, up_to_run, limit],
            )?
            .iter()
            .map(|r| {
                Ok(PastResult {
                    run_id: r.get(0)?,
                    started_at: r.get(1)?,
                    commit: r.get(2)?,
                    branch: r.get(3)?,
                    outcome: Outcome::parse(&r.get::<String>(4)?).unwrap_or(Outcome::Error),
                    attempts: r.get(5)?,
                    duration_s: r.get(6)?,
                    excerpt: r.get(7)?,
                })
            })
            .collect()
        })
    }

    /// Failed, errored, timed-out and passed-on-retry results of the `runs` newest runs up to
    /// and including `up_to_run`, oldest first.
    pub fn failures_window(&self, up_to_run: i64, runs: usize) -> Result<Vec<PastFailure>> {
        self.with_sql(|db| {
            db.query(
                "SELECT u.id, u.started_at, t.suite, t.name, r.excerpt
                 FROM results r JOIN tests t ON t.id = r.test_id JOIN runs u ON u.id = r.run_id
                 WHERE u.id IN (SELECT id FROM runs WHERE id <= ?1 ORDER BY id DESC LIMIT ?2)
                   AND r.outcome IN ('failed', 'error', 'timeout', 'flaky')
                 ORDER BY u.id, r.rowid",
                &values![up_to_run, runs],
            )?
            .iter()
            .map(|r| {
                Ok(PastFailure {
                    run_id: r.get(0)?,
                    started_at: r.get(1)?,
                    suite: r.get(2)?,
                    id: r.get(3)?,
                    excerpt: r.get(4)?,
                })
            })
            .collect()
        })
    }

    /// The base revision a run was recorded with (`rigor ci`, `--base`), if any.
    pub fn run_base(&self, run_id: i64) -> Result<Option<String>> {
        self.with_sql(|db| {
            match db.query_opt("SELECT base FROM runs WHERE id = ?1", &values![run_id])? {
                Some(r) => r.get(0),
                None => Ok(None),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewRun;
    use rigor_model::{TestKey, TestResult};

    #[test]
    fn history_is_newest_first_and_bounded_by_the_run() {
        let mut s = Store::in_memory().unwrap();
        let mut ids = Vec::new();
        for (i, o) in [Outcome::Passed, Outcome::Failed, Outcome::Flaky]
            .iter()
            .enumerate()
        {
            let run = s
                .begin_run(&NewRun {
                    commit: Some(format!("c{i}")),
                    base: Some("c0".into()),
                    ..Default::default()
                })
                .unwrap();
            let mut r = TestResult::new(TestKey::new("py", "t"), *o, 1.0);
            r.excerpt = (*o != Outcome::Passed).then(|| format!("boom {i}"));
            s.record_results(run, &[r]).unwrap();
            ids.push(run);
        }
        let h = s.test_history("py", "t", ids[1], 10).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(
            (h[0].outcome, h[0].commit.as_deref()),
            (Outcome::Failed, Some("c1"))
        );
        assert_eq!(h[1].outcome, Outcome::Passed);
        let f = s.failures_window(ids[2], 2).unwrap();
        assert_eq!(
            f.iter().map(|f| f.run_id).collect::<Vec<_>>(),
            vec![ids[1], ids[2]]
        );
        assert_eq!(s.run_base(ids[0]).unwrap().as_deref(), Some("c0"));
        assert_eq!(s.run_base(999).unwrap(), None);
    }
}
