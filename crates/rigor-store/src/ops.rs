//! Operations on a history: online backup and restore (SQLite's backup API, safe while rigor
//! runs), an integrity and schema check, and retention (old runs and their results pruned,
//! quarantines and every other area's tables kept).

use crate::{Result, Store, StoreError, values};
use serde::Serialize;
use std::path::Path;

/// What `rigor store check` found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckReport {
    /// `sqlite` or `postgres`.
    pub engine: &'static str,
    /// The file, or the URL without its password.
    pub location: String,
    /// True when the engine's integrity check passed.
    pub ok: bool,
    /// The engine's integrity findings (`["ok"]` when none).
    pub integrity: Vec<String>,
    /// Applied schema version per area.
    pub areas: Vec<AreaVersion>,
    pub runs: u64,
    pub results: u64,
    /// Runs left `running` (their rigor was killed).
    pub unfinished_runs: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AreaVersion {
    pub area: String,
    pub version: i64,
}

/// What `rigor store prune` removed (or, with `dry_run`, would remove).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PruneReport {
    pub runs_removed: u64,
    pub results_removed: u64,
    pub runs_kept: u64,
    pub dry_run: bool,
}

/// Which runs to keep: the newest `keep_runs`, and those started within `keep_days`; a run
/// goes when both limits (those given) leave it out.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Retention {
    pub keep_days: Option<f64>,
    pub keep_runs: Option<u64>,
}

impl Store {
    /// Copy the history to `dest` (a new SQLite file) with the online backup API: consistent
    /// even while other rigor processes write.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        self.sqlite_only("backup")?;
        if dest.exists() {
            return Err(StoreError::Ops {
                what: format!("backup to {}", dest.display()),
                message: "the file exists".into(),
                hint: "choose a new file name (e.g. with the date), or remove the old backup first"
                    .into(),
            });
        }
        self.conn().backup(
            rusqlite::MAIN_DB,
            dest,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        Ok(())
    }

    /// Replace the history's content with the backup at `src` (checked first: a file that is
    /// not a rigor history is refused and nothing is changed).
    pub fn restore_from(&mut self, src: &Path) -> Result<()> {
        self.sqlite_only("restore")?;
        let bad = |message: String| StoreError::Ops {
            what: format!("restore from {}", src.display()),
            message,
            hint: "give a file written by `rigor store backup`".into(),
        };
        if !src.is_file() {
            return Err(bad("no such file".into()));
        }
        let probe =
            rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let is_history: std::result::Result<i64, _> = probe.query_row(
            "SELECT version FROM schema_versions WHERE area = 'core'",
            [],
            |r| r.get(0),
        );
        if is_history.is_err() {
            return Err(bad("not a rigor history (no core schema)".into()));
        }
        drop(probe);
        self.conn_mut().restore(
            rusqlite::MAIN_DB,
            src,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        Ok(())
    }

    /// Integrity (SQLite's `integrity_check`; on PostgreSQL the server keeps it) and the schema
    /// versions per area.
    pub fn check(&self) -> Result<CheckReport> {
        let integrity = match self.is_postgres() {
            true => vec!["ok".to_string()],
            false => {
                let mut stmt = self.conn().prepare("PRAGMA integrity_check")?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            }
        };
        let count = |sql: &str| -> Result<u64> {
            let row = self.with_sql(|db| db.query_opt(sql, &[]))?;
            Ok(row
                .map(|r| r.get::<i64>(0))
                .transpose()?
                .unwrap_or(0)
                .max(0) as u64)
        };
        let areas = self.with_sql(|db| {
            db.query(
                "SELECT area, version FROM schema_versions ORDER BY area",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(AreaVersion {
                    area: r.get(0)?,
                    version: r.get(1)?,
                })
            })
            .collect::<Result<Vec<_>>>()
        })?;
        Ok(CheckReport {
            engine: if self.is_postgres() {
                "postgres"
            } else {
                "sqlite"
            },
            location: self.path().display().to_string(),
            ok: integrity == ["ok"],
            integrity,
            areas,
            runs: count("SELECT COUNT(*) FROM runs")?,
            results: count("SELECT COUNT(*) FROM results")?,
            unfinished_runs: count("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL")?,
        })
    }

    /// Remove the runs `keep` leaves out, with their results, as of `now`; quarantines, tests
    /// and every other area's tables (perf series, gates, …) are kept.
    pub fn prune(&mut self, keep: Retention, now: f64, dry_run: bool) -> Result<PruneReport> {
        let cutoff = keep.keep_days.map(|d| now - d * 86_400.0);
        // A run goes when it is older than the cutoff (if any) and beyond the newest keep_runs
        // (if any); with neither limit nothing goes.
        let doomed = "SELECT id FROM runs
             WHERE (CAST(?1 AS DOUBLE PRECISION) IS NOT NULL OR CAST(?2 AS BIGINT) IS NOT NULL)
               AND (CAST(?1 AS DOUBLE PRECISION) IS NULL OR started_at < CAST(?1 AS DOUBLE PRECISION))
               AND (CAST(?2 AS BIGINT) IS NULL OR id NOT IN (
                    SELECT id FROM runs ORDER BY id DESC LIMIT COALESCE(CAST(?2 AS BIGINT), 0)))";
        let p = values![cutoff, keep.keep_runs.map(|n| n as i64)];
        self.with_tx(|db| {
            let ids: Vec<i64> = db
                .query(doomed, &p)?
                .iter()
                .map(|r| r.get(0))
                .collect::<Result<_>>()?;
            let total: i64 = db
                .query_opt("SELECT COUNT(*) FROM runs", &[])?
                .map(|r| r.get(0))
                .transpose()?
                .unwrap_or(0);
            let mut results = 0;
            for id in &ids {
                results += match dry_run {
                    true => db
                        .query_opt(
                            "SELECT COUNT(*) FROM results WHERE run_id = ?1",
                            &values![*id],
                        )?
                        .map(|r| r.get::<i64>(0))
                        .transpose()?
                        .unwrap_or(0) as u64,
                    false => db.exec("DELETE FROM results WHERE run_id = ?1", &values![*id])?,
                };
                if !dry_run {
                    db.exec("DELETE FROM runs WHERE id = ?1", &values![*id])?;
                }
            }
            Ok(PruneReport {
                runs_removed: ids.len() as u64,
                results_removed: results,
                runs_kept: (total.max(0) as u64).saturating_sub(ids.len() as u64),
                dry_run,
            })
        })
    }

    fn sqlite_only(&self, op: &str) -> Result<()> {
        match self.is_postgres() {
            false => Ok(()),
            true => Err(StoreError::Ops {
                what: format!("rigor store {op}"),
                message: "works on the SQLite history only for now".into(),
                hint: "back up a PostgreSQL history with the server's own tools (pg_dump -Fc DATABASE; pg_restore)".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewRun;
    use rigor_model::{Outcome, TestKey, TestResult};

    fn history(path: &Path, runs: &[f64]) -> Store {
        let mut s = Store::open(path).unwrap();
        for (i, at) in runs.iter().enumerate() {
            let id = s
                .begin_run(&NewRun {
                    started_at: *at,
                    ..Default::default()
                })
                .unwrap();
            let r = TestResult::new(TestKey::new("py", format!("t{i}")), Outcome::Passed, 0.1);
            s.record_results(
                id,
                &[
                    r,
                    TestResult::new(TestKey::new("py", "x"), Outcome::Failed, 1.0),
                ],
            )
            .unwrap();
        }
        s
    }

    #[test]
    fn a_backup_restores_what_was_there_when_it_was_taken() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = history(&dir.path().join("h.db"), &[1.0, 2.0]);
        let b = dir.path().join("b.db");
        s.backup_to(&b).unwrap();
        assert!(
            s.backup_to(&b)
                .unwrap_err()
                .to_string()
                .contains("the file exists")
        );
        s.begin_run(&NewRun::default()).unwrap();
        assert_eq!(s.recent_runs(10).unwrap().len(), 3);
        s.restore_from(&b).unwrap();
        assert_eq!(s.recent_runs(10).unwrap().len(), 2);
        assert_eq!(s.check().unwrap().results, 4);
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, "").unwrap();
        let err = s.restore_from(&junk).unwrap_err().to_string();
        assert!(err.contains("not a rigor history"), "{err}");
        assert_eq!(s.recent_runs(10).unwrap().len(), 2, "nothing changed");
    }

    #[test]
    fn check_reports_integrity_and_schema_versions() {
        let dir = tempfile::tempdir().unwrap();
        let s = history(&dir.path().join("h.db"), &[1.0]);
        s.conn()
            .execute("UPDATE runs SET finished_at = NULL", [])
            .unwrap();
        let c = s.check().unwrap();
        assert!(c.ok);
        assert_eq!((c.runs, c.results, c.unfinished_runs), (1, 2, 1));
        let core = c.areas.iter().find(|a| a.area == "core").unwrap();
        assert_eq!(core.version as usize, crate::runs::MIGRATIONS.len());
    }

    #[test]
    fn prune_keeps_recent_runs_and_quarantines() {
        let dir = tempfile::tempdir().unwrap();
        let day = 86_400.0;
        let mut s = history(&dir.path().join("h.db"), &[0.0, day, 9.0 * day, 10.0 * day]);
        s.quarantine(&TestKey::new("py", "x"), "flaky", 0.0, 1e12, false)
            .unwrap();
        let now = 10.0 * day;
        let keep = Retention {
            keep_days: Some(5.0),
            keep_runs: Some(3),
        };
        let dry = s.prune(keep, now, true).unwrap();
        assert_eq!((dry.runs_removed, dry.results_removed), (1, 2));
        assert_eq!(
            s.recent_runs(10).unwrap().len(),
            4,
            "a dry run removes nothing"
        );
        let done = s.prune(keep, now, false).unwrap();
        assert_eq!(
            done,
            PruneReport {
                dry_run: false,
                ..dry
            }
        );
        assert_eq!(done.runs_kept, 3);
        assert_eq!(s.recent_runs(10).unwrap().len(), 3);
        assert_eq!(s.check().unwrap().results, 6);
        assert_eq!(s.active_quarantines(now).unwrap().len(), 1);
        let days_only = s
            .prune(
                Retention {
                    keep_days: Some(5.0),
                    keep_runs: None,
                },
                now,
                false,
            )
            .unwrap();
        assert_eq!(days_only.runs_removed, 1);
        let none = s.prune(Retention::default(), now, false).unwrap();
        assert_eq!(none.runs_removed, 0, "no limit: nothing goes");
    }
}
