//! `rigor queue status NAME`: a queue's progress, from the history (any engine that holds it).

use crate::ops::{self, server_now};
use crate::{QueueError, Result};
use rigor_store::{Store, values};
use serde::Serialize;

/// The `rigor.queue/1` JSON contract (docs/store.md).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QueueStatus {
    pub schema: &'static str,
    pub name: String,
    pub commit: String,
    pub created_at: f64,
    /// Tests in the plan.
    pub total: u64,
    pub estimated_s: f64,
    pub pending: u64,
    pub leased: u64,
    pub done: u64,
    /// Done tests whose verdict fails the queue.
    pub failed: u64,
    /// Failures of the jobs' runs outside the queue's tests (collection errors, setup).
    pub other_failures: u64,
    /// Every test is done.
    pub finished: bool,
    pub jobs: Vec<JobStatus>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobStatus {
    pub id: i64,
    /// `host:pid` of the job.
    pub label: String,
    /// The job's run in the history.
    pub run_id: Option<i64>,
    /// Its lease is live (heartbeat within the timeout) and it has not ended.
    pub live: bool,
    pub finished: bool,
    /// Tests it holds now, and tests it finished.
    pub leased: u64,
    pub done: u64,
}

pub const SCHEMA: &str = "rigor.queue/1";

/// The status of queue `name` at `commit` (default: the newest queue of that name).
pub fn queue_status(store: &mut Store, name: &str, commit: Option<&str>) -> Result<QueueStatus> {
    ops::migrate(store)?;
    let found = store.with_sql(|db| {
        let row = match commit {
            Some(c) => db.query_opt(
                "SELECT id, commit_sha, created_at, total, estimated_s FROM queues WHERE name = ?1 AND commit_sha LIKE ?2 ORDER BY id DESC LIMIT 1",
                &values![name, format!("{c}%")],
            )?,
            None => db.query_opt(
                "SELECT id, commit_sha, created_at, total, estimated_s FROM queues WHERE name = ?1 ORDER BY id DESC LIMIT 1",
                &values![name],
            )?,
        };
        let Some(r) = row else { return Ok(None) };
        let id: i64 = r.get(0)?;
        let mut st = QueueStatus {
            schema: SCHEMA,
            name: name.to_string(),
            commit: r.get(1)?,
            created_at: r.get(2)?,
            total: r.get::<i64>(3)?.max(0) as u64,
            estimated_s: r.get(4)?,
            pending: 0,
            leased: 0,
            done: 0,
            failed: 0,
            other_failures: 0,
            finished: false,
            jobs: Vec::new(),
        };
        for r in db.query(
            "SELECT state, COUNT(*), SUM(CASE WHEN fails <> 0 THEN 1 ELSE 0 END) FROM queue_items WHERE queue_id = ?1 GROUP BY state",
            &values![id],
        )? {
            let n = r.get::<i64>(1)?.max(0) as u64;
            match r.get::<String>(0)?.as_str() {
                "pending" => st.pending = n,
                "leased" => st.leased = n,
                _ => {
                    st.done = n;
                    st.failed = r.get::<i64>(2)?.max(0) as u64;
                }
            }
        }
        st.finished = st.done == st.total;
        let now = server_now(db)?;
        for r in db.query(
            "SELECT j.id, j.label, j.run_id, j.deadline, j.finished_at, j.extra_failures,
                    (SELECT COUNT(*) FROM queue_items i WHERE i.queue_id = j.queue_id AND i.job_id = j.id AND i.state = 'leased'),
                    (SELECT COUNT(*) FROM queue_items i WHERE i.queue_id = j.queue_id AND i.job_id = j.id AND i.state = 'done')
             FROM queue_jobs j WHERE j.queue_id = ?1 ORDER BY j.id",
            &values![id],
        )? {
            let finished = r.get::<Option<f64>>(4)?.is_some();
            st.other_failures += r.get::<i64>(5)?.max(0) as u64;
            st.jobs.push(JobStatus {
                id: r.get(0)?,
                label: r.get(1)?,
                run_id: r.get(2)?,
                live: !finished && r.get::<f64>(3)? >= now,
                finished,
                leased: r.get::<i64>(6)?.max(0) as u64,
                done: r.get::<i64>(7)?.max(0) as u64,
            });
        }
        Ok(Some(st))
    })?;
    found.ok_or_else(|| QueueError::Unknown {
        name: name.to_string(),
        commit: commit
            .map(|c| format!(" at commit {c}"))
            .unwrap_or_default(),
        hint: "queues are created by `rigor run --queue NAME` against the same store.url",
    })
}

/// Human text of a status.
pub fn render(st: &QueueStatus) -> String {
    let mut out = format!(
        "queue {} at {}: {}/{} tests done ({} failing), {} leased, {} pending{}\n",
        st.name,
        if st.commit.is_empty() {
            "(no commit)"
        } else {
            &st.commit[..st.commit.len().min(12)]
        },
        st.done,
        st.total,
        st.failed,
        st.leased,
        st.pending,
        if st.finished { " — finished" } else { "" }
    );
    for j in &st.jobs {
        let state = match (j.finished, j.live) {
            (true, _) => "finished",
            (false, true) => "live",
            (false, false) => "lease expired",
        };
        out.push_str(&format!(
            "  job {} {}: {state}, run {}, {} done, {} held\n",
            j.id,
            j.label,
            j.run_id.map_or("-".to_string(), |r| r.to_string()),
            j.done,
            j.leased
        ));
    }
    out
}
