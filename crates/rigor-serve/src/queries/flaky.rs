//! The flaky board: tests that failed or flaked in the recent runs, scored over their own
//! recent history.

use super::tests::{HistoryRow, TestInfo, flaky_score, history};
use super::{numbered, run_conditions, where_clause};
use crate::error::HttpError;
use crate::filter::Filter;
use rigor_plan::flaky::FlakyScore;
use rigor_store::Store;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlakyRow {
    pub suite: String,
    pub id: String,
    #[serde(flatten)]
    pub score: FlakyScore,
    pub last_outcome: String,
    pub last_run: i64,
}

/// Results per test that the score looks at (rigor flaky's default window).
pub const SCORE_WINDOW: usize = 30;

/// Tests with a failed, errored, timed-out or flaky result among the newest `window` runs of
/// the filter, scored over their last [`SCORE_WINDOW`] results, highest score first.
pub fn board(
    store: &Store,
    f: &Filter,
    now: f64,
    window: usize,
    limit: usize,
) -> Result<Vec<FlakyRow>, HttpError> {
    let (conds, mut vals) = run_conditions("u", f, now);
    vals.push(window.into());
    let sql = numbered(&format!(
        "SELECT DISTINCT t.id, t.suite, t.name, t.file, t.line FROM results r JOIN tests t ON t.id = r.test_id
         WHERE r.outcome IN ('failed', 'error', 'timeout', 'flaky')
           AND r.run_id IN (SELECT u.id FROM runs u {} ORDER BY u.id DESC LIMIT ?)",
        where_clause(&conds)
    ));
    let candidates: Vec<TestInfo> = store.with_sql(|db| {
        db.query(&sql, &vals)?
            .iter()
            .map(|r| {
                Ok(TestInfo {
                    key: r.get(0)?,
                    suite: r.get(1)?,
                    id: r.get(2)?,
                    file: r.get(3)?,
                    line: r.get(4)?,
                })
            })
            .collect()
    })?;
    let mut out = Vec::new();
    for t in candidates {
        let h: Vec<HistoryRow> = history(store, &t, f, now, SCORE_WINDOW)?;
        let Some(last) = h.first() else { continue };
        out.push(FlakyRow {
            last_outcome: last.outcome.clone(),
            last_run: last.run_id,
            score: flaky_score(&h),
            suite: t.suite,
            id: t.id,
        });
    }
    out.sort_by(|a, b| {
        b.score
            .score
            .total_cmp(&a.score.score)
            .then_with(|| (&a.suite, &a.id).cmp(&(&b.suite, &b.id)))
    });
    out.truncate(limit);
    Ok(out)
}
