//! What the HTML report shows, loaded from the history.

use crate::error::Result;
use crate::history::{self, Evaluation};
use rigor_store::{DurationStats, FailureRate, RunRecord, StoredResult};

/// What the page shows, loaded from the history.
#[derive(Debug, Default)]
pub struct ReportData {
    pub run: Option<RunRecord>,
    /// Results of the last run and of its sibling shards (same commit, other shard).
    pub results: Vec<StoredResult>,
    /// Shard of each run shown: (run id, shard), the last run first.
    pub shards: Vec<(i64, Option<String>)>,
    /// Shard of each result in `results` (parallel to it).
    pub result_shards: Vec<Option<String>>,
    pub recent_runs: Vec<RunRecord>,
    pub slowest: Vec<DurationStats>,
    pub failure_rates: Vec<FailureRate>,
    /// Newest first.
    pub evaluations: Vec<Evaluation>,
    pub generated_at: f64,
}

impl ReportData {
    pub fn load(store: &mut rigor_store::Store, trend_runs: usize) -> Result<ReportData> {
        let run = store.last_finished_run()?;
        let mut results = Vec::new();
        let mut shards = Vec::new();
        let mut result_shards = Vec::new();
        if let Some(r) = &run {
            // a sharded CI run is one history run per shard: show the siblings with the same
            // commit (the newest run of each other shard)
            let mut runs = vec![r.clone()];
            if let (Some(commit), Some(shard)) = (&r.commit, &r.shard) {
                let mut seen = vec![shard.clone()];
                for o in store.recent_runs(200)? {
                    if o.id != r.id
                        && o.finished_at.is_some()
                        && o.commit.as_ref() == Some(commit)
                        && let Some(sh) = &o.shard
                        && !seen.contains(sh)
                    {
                        seen.push(sh.clone());
                        runs.push(o);
                    }
                }
            }
            for x in runs {
                let rs = store.run_results(x.id)?;
                result_shards.extend(std::iter::repeat_n(x.shard.clone(), rs.len()));
                results.extend(rs);
                shards.push((x.id, x.shard));
            }
        }
        Ok(ReportData {
            run,
            results,
            shards,
            result_shards,
            recent_runs: store.recent_runs(trend_runs)?,
            slowest: store.slowest(15)?,
            failure_rates: store.failure_rates(trend_runs.max(1))?,
            evaluations: history::recent(store, trend_runs)?,
            generated_at: history::now(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.run.is_none() && self.evaluations.is_empty()
    }
}
