//! Versioned migrations, per area, in a `schema_versions` table.

use crate::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// One schema step: SQL run in a transaction. Never edit a released step; append a new one.
pub type Migration = &'static str;

pub(crate) fn apply(
    conn: &mut Connection,
    path: &Path,
    area: &str,
    migrations: &[Migration],
) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_versions (area TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    )?;
    let current: usize = conn
        .query_row(
            "SELECT version FROM schema_versions WHERE area = ?1",
            params![area],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .unwrap_or(0) as usize;
    if current > migrations.len() {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            area: area.into(),
            found: current,
            known: migrations.len(),
        });
    }
    for (i, sql) in migrations.iter().enumerate().skip(current) {
        let version = i + 1;
        let fail = |source| StoreError::Migration {
            area: area.into(),
            version,
            source,
        };
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_versions (area, version) VALUES (?1, ?2)
             ON CONFLICT(area) DO UPDATE SET version = excluded.version",
            params![area, version as i64],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(())
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
