//! The queue's statements, one SQL text for both engines (`rigor_store::db::Sql`); the row
//! locks of a lease (`FOR UPDATE … SKIP LOCKED`) are PostgreSQL's, SQLite's write transaction
//! serialises leases by itself (it serves the unit tests; queue mode itself refuses SQLite).

use crate::batch::{MAX_BATCH, batch_len};
use crate::schema::MIGRATIONS;
use rigor_store::db::{Dialect, Sql, Value};
use rigor_store::{Result, Store, values};

/// One test of a queue's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Position in the plan (0: longest expected).
    pub pos: i64,
    pub suite: String,
    pub test: String,
    pub estimated_s: f64,
}

/// What a lease found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Leased {
    /// Tests for this job, in queue order.
    Items(Vec<Item>),
    /// Nothing to take now, but live jobs hold tests (they may die: try again later).
    Wait,
    /// Every test of the queue is done.
    Empty,
}

/// A test of a finished batch: its final outcome (None: no result came) and whether it fails
/// the queue.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Done {
    pub pos: i64,
    pub outcome: Option<String>,
    pub fails: bool,
}

pub(crate) fn migrate(store: &mut Store) -> Result<()> {
    store.migrate_shared_area("queue", MIGRATIONS)
}

/// The database server's clock, in seconds since the epoch: every job compares lease deadlines
/// on one clock, whatever its own says.
pub(crate) fn server_now(db: &mut dyn Sql) -> Result<f64> {
    let sql = match db.dialect() {
        Dialect::Postgres => {
            "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"
        }
        Dialect::Sqlite => "SELECT (julianday('now') - 2440587.5) * 86400.0",
    };
    let row = db.query_opt(sql, &[])?;
    row.map_or(Ok(0.0), |r| r.get(0))
}

/// The queue `name` at `commit`, created with `items` by the first job to arrive; later jobs
/// (even at the same moment: the insert waits on the unique key) find it. Its id, and whether
/// this call created it.
pub(crate) fn enqueue(
    store: &mut Store,
    name: &str,
    commit: &str,
    items: &[Item],
) -> Result<(i64, bool)> {
    store.with_tx(|db| {
        let now = server_now(db)?;
        let total: f64 = items.iter().map(|i| i.estimated_s).sum();
        let created = db.query_opt(
            "INSERT INTO queues (name, commit_sha, created_at, total, estimated_s) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (name, commit_sha) DO NOTHING RETURNING id",
            &values![name, commit, now, items.len(), total],
        )?;
        let Some(row) = created else {
            let row = db.query_opt(
                "SELECT id FROM queues WHERE name = ?1 AND commit_sha = ?2",
                &values![name, commit],
            )?;
            return Ok((row.map_or(Ok(0), |r| r.get(0))?, false));
        };
        let id: i64 = row.get(0)?;
        for chunk in items.chunks(100) {
            insert_items(db, id, chunk)?;
        }
        Ok((id, true))
    })
}

fn insert_items(db: &mut dyn Sql, queue: i64, items: &[Item]) -> Result<()> {
    let mut sql = String::from(
        "INSERT INTO queue_items (queue_id, pos, suite, test, estimated_s, state) VALUES ",
    );
    let mut params: Vec<Value> = vec![queue.into()];
    for (k, it) in items.iter().enumerate() {
        let b = 2 + 4 * k;
        if k > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(?1, ?{}, ?{}, ?{}, ?{}, 'pending')",
            b,
            b + 1,
            b + 2,
            b + 3
        ));
        params.extend([
            it.pos.into(),
            (&it.suite).into(),
            (&it.test).into(),
            it.estimated_s.into(),
        ]);
    }
    db.exec(&sql, &params)?;
    Ok(())
}

/// A new job of the queue, live for `timeout_s` (its heartbeat renews it).
pub(crate) fn register_job(
    store: &mut Store,
    queue: i64,
    label: &str,
    timeout_s: f64,
) -> Result<i64> {
    store.with_tx(|db| {
        let now = server_now(db)?;
        let row = db.query_opt(
            "INSERT INTO queue_jobs (queue_id, label, started_at, deadline) VALUES (?1, ?2, ?3, ?4) RETURNING id",
            &values![queue, label, now, now + timeout_s],
        )?;
        row.map_or(Ok(0), |r| r.get(0))
    })
}

/// The history run this job records into.
pub(crate) fn set_run(store: &mut Store, job: i64, run_id: i64) -> Result<()> {
    store.with_tx(|db| {
        db.exec(
            "UPDATE queue_jobs SET run_id = ?1 WHERE id = ?2",
            &values![run_id, job],
        )
    })?;
    Ok(())
}

/// Push the job's deadline `timeout_s` past now (the heartbeat).
pub(crate) fn renew(store: &mut Store, job: i64, timeout_s: f64) -> Result<()> {
    store.with_tx(|db| {
        let now = server_now(db)?;
        db.exec(
            "UPDATE queue_jobs SET deadline = ?1 WHERE id = ?2 AND finished_at IS NULL",
            &values![now + timeout_s, job],
        )
    })?;
    Ok(())
}

/// Lease the next batch for `job`: pending tests, and tests held by jobs whose lease expired,
/// in queue order, skipping rows another job is leasing at this moment.
pub(crate) fn lease(
    store: &mut Store,
    queue: i64,
    job: i64,
    timeout_s: f64,
    min_tests: usize,
) -> Result<Leased> {
    store.with_tx(|db| {
        let now = server_now(db)?;
        db.exec(
            "UPDATE queue_jobs SET deadline = ?1 WHERE id = ?2",
            &values![now + timeout_s, job],
        )?;
        let left = db.query_opt(
            "SELECT COUNT(*), COALESCE(SUM(estimated_s), 0.0) FROM queue_items WHERE queue_id = ?1 AND state <> 'done'",
            &values![queue],
        )?;
        let (left, remaining_s): (i64, f64) = match left {
            Some(r) => (r.get(0)?, r.get(1)?),
            None => (0, 0.0),
        };
        if left == 0 {
            return Ok(Leased::Empty);
        }
        let live: i64 = db
            .query_opt(
                "SELECT COUNT(*) FROM queue_jobs WHERE queue_id = ?1 AND finished_at IS NULL AND deadline >= ?2",
                &values![queue, now],
            )?
            .map_or(Ok(1), |r| r.get(0))?;
        let lock = match db.dialect() {
            Dialect::Postgres => " FOR UPDATE OF i SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let sql = format!(
            "SELECT i.pos, i.suite, i.test, i.estimated_s FROM queue_items i
             WHERE i.queue_id = ?1 AND (i.state = 'pending' OR (i.state = 'leased' AND i.job_id IN
               (SELECT j.id FROM queue_jobs j WHERE j.queue_id = ?1 AND j.deadline < ?2 AND j.id <> ?3)))
             ORDER BY i.pos LIMIT ?4{lock}"
        );
        let rows = db.query(&sql, &values![queue, now, job, MAX_BATCH])?;
        let available = rows
            .iter()
            .map(|r| {
                Ok(Item {
                    pos: r.get(0)?,
                    suite: r.get(1)?,
                    test: r.get(2)?,
                    estimated_s: r.get(3)?,
                })
            })
            .collect::<Result<Vec<Item>>>()?;
        if available.is_empty() {
            return Ok(Leased::Wait);
        }
        let estimates: Vec<f64> = available.iter().map(|i| i.estimated_s).collect();
        let n = batch_len(&estimates, remaining_s, live.max(1) as usize, min_tests);
        let mine: Vec<Item> = available.into_iter().take(n).collect();
        set_state(db, queue, job, &mine)?;
        Ok(Leased::Items(mine))
    })
}

/// Mark `items` leased by `job`.
fn set_state(db: &mut dyn Sql, queue: i64, job: i64, items: &[Item]) -> Result<()> {
    let mut params: Vec<Value> = vec![queue.into(), job.into()];
    let marks: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(k, it)| {
            params.push(it.pos.into());
            format!("?{}", k + 3)
        })
        .collect();
    db.exec(
        &format!(
            "UPDATE queue_items SET state = 'leased', job_id = ?2, leases = leases + 1
             WHERE queue_id = ?1 AND pos IN ({})",
            marks.join(", ")
        ),
        &params,
    )?;
    Ok(())
}

/// Record a finished batch: each test done with its outcome, if `job` still holds it (a job
/// whose lease expired may find its tests taken over: then the other job's verdict counts).
/// Also adds failures of the run outside the queue's tests (collection errors, setup). The
/// tests marked done.
pub(crate) fn complete(
    store: &mut Store,
    queue: i64,
    job: i64,
    run_id: i64,
    done: &[Done],
    extra_failures: u64,
) -> Result<u64> {
    store.with_tx(|db| {
        let mut marked = 0;
        for d in done {
            marked += db.exec(
                "UPDATE queue_items SET state = 'done', outcome = ?1, fails = ?2, run_id = ?3
                 WHERE queue_id = ?4 AND pos = ?5 AND job_id = ?6 AND state = 'leased'",
                &values![d.outcome.clone(), d.fails, run_id, queue, d.pos, job],
            )?;
        }
        if extra_failures > 0 {
            db.exec(
                "UPDATE queue_jobs SET extra_failures = extra_failures + ?1 WHERE id = ?2",
                &values![extra_failures as i64, job],
            )?;
        }
        Ok(marked)
    })
}

/// Give back the tests `job` holds (an interrupted job): pending again at once.
pub(crate) fn release(store: &mut Store, queue: i64, job: i64) -> Result<u64> {
    store.with_tx(|db| {
        db.exec(
            "UPDATE queue_items SET state = 'pending', job_id = NULL
             WHERE queue_id = ?1 AND job_id = ?2 AND state = 'leased'",
            &values![queue, job],
        )
    })
}

/// The job ended: no longer live.
pub(crate) fn finish_job(store: &mut Store, job: i64) -> Result<()> {
    store.with_tx(|db| {
        let now = server_now(db)?;
        db.exec(
            "UPDATE queue_jobs SET finished_at = ?1 WHERE id = ?2",
            &values![now, job],
        )
    })?;
    Ok(())
}

/// The queue's failures: tests done with a failing verdict, and failures outside its tests.
pub(crate) fn failures(store: &Store, queue: i64) -> Result<(u64, u64)> {
    store.with_sql(|db| {
        let items: i64 = db
            .query_opt(
                "SELECT COUNT(*) FROM queue_items WHERE queue_id = ?1 AND state = 'done' AND fails <> 0",
                &values![queue],
            )?
            .map_or(Ok(0), |r| r.get(0))?;
        let extra: i64 = db
            .query_opt(
                "SELECT CAST(COALESCE(SUM(extra_failures), 0) AS BIGINT) FROM queue_jobs WHERE queue_id = ?1",
                &values![queue],
            )?
            .map_or(Ok(0), |r| r.get(0))?;
        Ok((items.max(0) as u64, extra.max(0) as u64))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Item> {
        (0..n)
            .map(|k| Item {
                pos: k as i64,
                suite: "py".into(),
                test: format!("t{k}"),
                estimated_s: (n - k) as f64,
            })
            .collect()
    }

    fn store() -> Store {
        let mut s = Store::in_memory().unwrap();
        migrate(&mut s).unwrap();
        s
    }

    #[test]
    fn the_first_job_enqueues_later_ones_find_the_same_queue() {
        let mut s = store();
        let (a, created) = enqueue(&mut s, "ci", "abc", &items(150)).unwrap();
        assert!(created);
        let (b, again) = enqueue(&mut s, "ci", "abc", &items(3)).unwrap();
        assert_eq!((a, again), (b, false));
        let (c, new) = enqueue(&mut s, "ci", "def", &items(2)).unwrap();
        assert!(new && c != a, "a new commit is a new queue");
        let n: i64 = s
            .with_sql(|db| {
                db.query_opt(
                    "SELECT COUNT(*) FROM queue_items WHERE queue_id = ?1",
                    &values![a],
                )
                .map(|r| r.unwrap().get(0).unwrap())
            })
            .unwrap();
        assert_eq!(n, 150);
    }

    #[test]
    fn leases_take_every_test_once_then_wait_then_end() {
        let mut s = store();
        let (q, _) = enqueue(&mut s, "ci", "abc", &items(40)).unwrap();
        let a = register_job(&mut s, q, "a", 60.0).unwrap();
        let b = register_job(&mut s, q, "b", 60.0).unwrap();
        let mut seen = Vec::new();
        let mut turn = 0;
        loop {
            let job = if turn % 2 == 0 { a } else { b };
            turn += 1;
            match lease(&mut s, q, job, 60.0, 1).unwrap() {
                Leased::Items(got) => {
                    assert!(!got.is_empty());
                    let done: Vec<Done> = got
                        .iter()
                        .map(|i| Done {
                            pos: i.pos,
                            outcome: Some("passed".into()),
                            fails: i.pos == 7,
                        })
                        .collect();
                    assert_eq!(
                        complete(&mut s, q, job, 1, &done, 0).unwrap(),
                        got.len() as u64
                    );
                    seen.extend(got.into_iter().map(|i| i.pos));
                }
                Leased::Empty => break,
                Leased::Wait => panic!("nothing is held"),
            }
        }
        seen.sort();
        assert_eq!(seen, (0..40).collect::<Vec<i64>>());
        assert_eq!(failures(&s, q).unwrap(), (1, 0));
        // The first batch was the largest: 40 tests of 820 s, two jobs → at least 102.5 s.
        assert!(turn > 4);
    }

    #[test]
    fn tests_of_an_expired_job_go_to_another_and_its_late_verdict_is_ignored() {
        let mut s = store();
        let (q, _) = enqueue(&mut s, "ci", "abc", &items(3)).unwrap();
        let dead = register_job(&mut s, q, "dead", 60.0).unwrap();
        let Leased::Items(held) = lease(&mut s, q, dead, -1.0, 3).unwrap() else {
            panic!("a batch")
        };
        assert_eq!(held.len(), 3);
        let other = register_job(&mut s, q, "other", 60.0).unwrap();
        // `dead`'s deadline (now - 1 s) has passed: its tests are leasable again.
        let Leased::Items(taken) = lease(&mut s, q, other, 60.0, 3).unwrap() else {
            panic!("the dead job's tests")
        };
        assert_eq!(taken, held);
        let late = [Done {
            pos: 0,
            outcome: Some("failed".into()),
            fails: true,
        }];
        assert_eq!(complete(&mut s, q, dead, 1, &late, 0).unwrap(), 0);
        let ok: Vec<Done> = taken
            .iter()
            .map(|i| Done {
                pos: i.pos,
                outcome: Some("passed".into()),
                fails: false,
            })
            .collect();
        complete(&mut s, q, other, 2, &ok, 0).unwrap();
        assert_eq!(lease(&mut s, q, other, 60.0, 1).unwrap(), Leased::Empty);
        assert_eq!(failures(&s, q).unwrap(), (0, 0));
    }

    #[test]
    fn a_live_job_holding_tests_makes_others_wait_and_release_gives_them_back() {
        let mut s = store();
        let (q, _) = enqueue(&mut s, "ci", "abc", &items(2)).unwrap();
        let a = register_job(&mut s, q, "a", 60.0).unwrap();
        let b = register_job(&mut s, q, "b", 60.0).unwrap();
        let Leased::Items(_) = lease(&mut s, q, a, 60.0, 2).unwrap() else {
            panic!("a batch")
        };
        assert_eq!(lease(&mut s, q, b, 60.0, 1).unwrap(), Leased::Wait);
        assert_eq!(release(&mut s, q, a).unwrap(), 2);
        assert!(matches!(lease(&mut s, q, b, 60.0, 2).unwrap(), Leased::Items(v) if v.len() == 2));
    }
}
