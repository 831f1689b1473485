//! Versioned migrations, per area, in a `schema_versions` table.

use crate::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;

/// One schema step: SQL run in a transaction. Never edit a released step; append a new one.
pub type Migration = &'static str;

/// Bring `area` to the last of `migrations`. Safe against other processes opening the same
/// history at the same moment: the version is read, and each step applied, inside a write
/// (`BEGIN IMMEDIATE`) transaction, so a step another process applied first is seen and skipped;
/// waiting for that process is bounded by the connection's busy timeout.
pub(crate) fn apply(
    conn: &mut Connection,
    path: &Path,
    area: &str,
    migrations: &[Migration],
) -> Result<()> {
    // Fast path, no write lock: versions only grow, so "up to date" read outside a transaction
    // stays true.
    if check(path, area, read_version(conn, area)?, migrations)? {
        return Ok(());
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_versions (area TEXT PRIMARY KEY, version INTEGER NOT NULL)",
        )?;
        let current = read_version(&tx, area)?;
        if check(path, area, current, migrations)? {
            return Ok(());
        }
        let version = current + 1;
        let fail = |source| StoreError::Migration {
            area: area.into(),
            version,
            source,
        };
        tx.execute_batch(migrations[current]).map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_versions (area, version) VALUES (?1, ?2)
             ON CONFLICT(area) DO UPDATE SET version = excluded.version",
            params![area, version as i64],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
}

/// True when `current` is the last version; an error when it is newer than rigor knows.
fn check(path: &Path, area: &str, current: usize, migrations: &[Migration]) -> Result<bool> {
    if current > migrations.len() {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            area: area.into(),
            found: current,
            known: migrations.len(),
        });
    }
    Ok(current == migrations.len())
}

/// The applied version of `area` (0: none, or no `schema_versions` table yet).
fn read_version(conn: &Connection, area: &str) -> Result<usize> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(0);
    }
    let version = conn
        .query_row(
            "SELECT version FROM schema_versions WHERE area = ?1",
            params![area],
            |r| r.get::<_, i64>(0),
        )
        .optional()?;
    Ok(version.unwrap_or(0).max(0) as usize)
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn areas_migrate_independently_and_idempotently() {
        let mut s = Store::in_memory().unwrap();
        let m: &[&str] = &["CREATE TABLE a(x)", "ALTER TABLE a ADD COLUMN y"];
        s.migrate_area("demo", m).unwrap();
        s.migrate_area("demo", m).unwrap();
        let v: i64 = s
            .conn()
            .query_row(
                "SELECT version FROM schema_versions WHERE area='demo'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, 2);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut s = Store::in_memory().unwrap();
        s.migrate_area("demo", &["CREATE TABLE a(x)", "CREATE TABLE b(x)"])
            .unwrap();
        let err = s.migrate_area("demo", &["CREATE TABLE a(x)"]).unwrap_err();
        assert!(err.to_string().contains("newer than this rigor knows"));
    }

    #[test]
    fn a_failing_step_leaves_the_previous_version() {
        let mut s = Store::in_memory().unwrap();
        let err = s.migrate_area("demo", &["CREATE TABLE a(x)", "NOT SQL"]);
        assert!(err.is_err());
        let v: i64 = s
            .conn()
            .query_row(
                "SELECT version FROM schema_versions WHERE area='demo'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, 1);
    }
}

#[cfg(test)]
mod concurrency {
    use crate::Store;
    use std::sync::{Arc, Barrier};

    /// Many processes (here threads, each with its own connection) creating the same history at
    /// once: every one opens it, and the schema is applied exactly once.
    #[test]
    fn concurrent_openers_of_a_fresh_history_all_succeed() {
        for round in 0..15 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(".rigor/history.db");
            let n = 8;
            let barrier = Arc::new(Barrier::new(n));
            let handles: Vec<_> = (0..n)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        let mut s = Store::open(&path)?;
                        s.migrate_area("demo", &["CREATE TABLE demo(x)", "ALTER TABLE demo ADD y"])
                    })
                })
                .collect();
            for h in handles {
                if let Err(e) = h.join().unwrap() {
                    panic!("round {round}: {e}");
                }
            }
            let s = Store::open(&path).unwrap();
            let v: i64 = s
                .conn()
                .query_row(
                    "SELECT version FROM schema_versions WHERE area='demo'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(v, 2);
        }
    }
}
