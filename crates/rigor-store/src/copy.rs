//! `rigor store copy --to URL`: every known area's tables from one history into another, on
//! either engine (SQLite → PostgreSQL and back; rigor-cli passes every area rigor has). The target's migrations are applied first,
//! then the rows are copied table by table, in creation order, in one transaction on the
//! target, keyset-paged from the source. Ids are kept (references stay valid); PostgreSQL's
//! identity sequences are moved past the copied ids.

use crate::db::{Dialect, Sql, Value};
use crate::{Migration, Result, Store, StoreError, values};
use serde::Serialize;

/// An area the copy knows: its name and its migrations (the tables come from them).
#[derive(Debug, Clone, Copy)]
pub struct KnownArea {
    pub name: &'static str,
    pub migrations: &'static [Migration],
}

/// The areas rigor-store owns (runs and results, quarantines).
pub fn store_areas() -> Vec<KnownArea> {
    vec![
        KnownArea {
            name: "core",
            migrations: crate::runs::MIGRATIONS,
        },
        KnownArea {
            name: "quarantine",
            migrations: crate::quarantine::MIGRATIONS,
        },
    ]
}

/// What a copy did (`rigor store copy --format json`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CopyReport {
    pub from: String,
    pub to: String,
    /// Areas copied, with the source's version.
    pub areas: Vec<crate::AreaVersion>,
    pub tables: Vec<TableCopy>,
    pub rows: u64,
    /// Areas of the source this rigor cannot copy (not among the known areas).
    pub skipped_areas: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
}

/// Rows read from the source at a time.
const PAGE: i64 = 2000;
/// Rows per INSERT statement.
const CHUNK: usize = 100;

/// The tables a migration list leaves, in creation order (a table a later step drops is left
/// out).
pub fn tables_of(migrations: &[Migration]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in migrations {
        let words: Vec<&str> = m
            .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
            .filter(|w| !w.is_empty())
            .collect();
        for (i, w) in words.iter().enumerate() {
            let create = w.eq_ignore_ascii_case("CREATE");
            if !(create || w.eq_ignore_ascii_case("DROP"))
                || !words
                    .get(i + 1)
                    .is_some_and(|t| t.eq_ignore_ascii_case("TABLE"))
            {
                continue;
            }
            // `CREATE TABLE [IF NOT EXISTS] name`, `DROP TABLE [IF EXISTS] name`
            let at = match words.get(i + 2) {
                Some(x) if x.eq_ignore_ascii_case("IF") => i + if create { 5 } else { 4 },
                _ => i + 2,
            };
            let Some(name) = words.get(at).map(|n| n.to_string()) else {
                continue;
            };
            if !create {
                out.retain(|t| *t != name);
            } else if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

impl Store {
    /// Copy every area in `known` that this history has into `target`. A target that already
    /// holds rows in those tables is refused unless `force` (then they are replaced).
    pub fn copy_to(
        &self,
        target: &mut Store,
        known: &[KnownArea],
        force: bool,
    ) -> Result<CopyReport> {
        let present = self.with_sql(|db| {
            db.query(
                "SELECT area, version FROM schema_versions ORDER BY area",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)))
            .collect::<Result<Vec<_>>>()
        })?;
        let mut areas = Vec::new();
        let mut skipped = Vec::new();
        for (name, version) in &present {
            match known.iter().find(|k| k.name == name) {
                Some(k) => areas.push((*k, *version)),
                None => skipped.push(name.clone()),
            }
        }
        for (k, _) in &areas {
            target.migrate_shared_area(k.name, k.migrations)?;
        }
        let tables: Vec<String> = areas
            .iter()
            .flat_map(|(k, _)| tables_of(k.migrations))
            .collect();
        let shown_from = self.path().display().to_string();
        let shown_to = target.path().display().to_string();
        let copied = target.with_tx(|dst| {
            clear_or_refuse(dst, &tables, force, &shown_to)?;
            let mut out = Vec::new();
            for t in &tables {
                let rows = self.with_sql(|src| copy_table(src, dst, t))?;
                out.push(TableCopy {
                    table: t.clone(),
                    rows,
                });
            }
            if dst.dialect() == Dialect::Postgres {
                for t in &tables {
                    advance_identities(dst, t)?;
                }
            }
            Ok(out)
        })?;
        Ok(CopyReport {
            from: shown_from,
            to: shown_to,
            areas: areas
                .iter()
                .map(|(k, v)| crate::AreaVersion {
                    area: k.name.to_string(),
                    version: *v,
                })
                .collect(),
            rows: copied.iter().map(|t| t.rows).sum(),
            tables: copied,
            skipped_areas: skipped,
        })
    }
}

/// Refuse a target with rows in any of `tables`, or with `force` empty them (children first).
fn clear_or_refuse(dst: &mut dyn Sql, tables: &[String], force: bool, shown: &str) -> Result<()> {
    let mut filled = Vec::new();
    for t in tables {
        let n: i64 = dst
            .query_opt(&format!("SELECT COUNT(*) FROM {t}"), &[])?
            .map_or(Ok(0), |r| r.get(0))?;
        if n > 0 {
            filled.push(format!("{t} ({n} rows)"));
        }
    }
    if filled.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(StoreError::Ops {
            what: format!("copy to {shown}"),
            message: format!("the target history is not empty: {}", filled.join(", ")),
            hint:
                "copy into a new, empty database or file; or add --force to replace what it holds"
                    .into(),
        });
    }
    for t in tables.iter().rev() {
        dst.exec(&format!("DELETE FROM {t}"), &[])?;
    }
    Ok(())
}

/// A table's columns on one engine, without PostgreSQL's `seq` row number (an identity column
/// standing for SQLite's rowid; a table's own `seq` column, as `rollout_analyses` has, is kept).
fn columns(db: &mut dyn Sql, table: &str) -> Result<Vec<String>> {
    let rows = match db.dialect() {
        Dialect::Sqlite => db.query("SELECT name, 0 FROM pragma_table_info(?1) ORDER BY cid", &values![table])?,
        Dialect::Postgres => db.query(
            "SELECT column_name, CASE WHEN is_identity = 'YES' THEN 1 ELSE 0 END FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
            &values![table],
        )?,
    };
    let mut out = Vec::new();
    for r in rows {
        let (name, identity): (String, i64) = (r.get(0)?, r.get(1)?);
        if !(name == "seq" && identity == 1) {
            out.push(name);
        }
    }
    Ok(out)
}

/// The column that orders a table's rows and pages them by key: SQLite's rowid; on PostgreSQL
/// the identity column (the `seq` row number, or the integer primary key). None for a
/// PostgreSQL table without one (its own `seq` column instead): it is paged by offset, in the
/// order of all its columns.
fn order_key(db: &mut dyn Sql, table: &str) -> Result<Option<String>> {
    if db.dialect() == Dialect::Sqlite {
        return Ok(Some("rowid".into()));
    }
    let identity = db.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1 AND is_identity = 'YES' ORDER BY ordinal_position",
        &values![table],
    )?;
    identity.first().map(|r| r.get(0)).transpose()
}

/// Copy `table`'s rows (the columns both sides have) from `src` into `dst`; the row count.
fn copy_table(src: &mut dyn Sql, dst: &mut dyn Sql, table: &str) -> Result<u64> {
    let theirs = columns(dst, table)?;
    let cols: Vec<String> = columns(src, table)?
        .into_iter()
        .filter(|c| theirs.contains(c))
        .collect();
    if cols.is_empty() {
        return Ok(0);
    }
    let list = cols.join(", ");
    let key = order_key(src, table)?;
    // The order key is read as an extra first column (rowid is not among SQLite's columns);
    // without one, a page's offset stands in its place.
    let select = match &key {
        Some(key) => {
            format!("SELECT {key}, {list} FROM {table} WHERE {key} > ?1 ORDER BY {key} LIMIT ?2")
        }
        None => format!("SELECT 0, {list} FROM {table} ORDER BY {list} OFFSET ?1 LIMIT ?2"),
    };
    let mut after = if key.is_some() { i64::MIN } else { 0 };
    let mut total = 0u64;
    loop {
        let rows = src.query(&select, &values![after, PAGE])?;
        let Some(last) = rows.last() else { break };
        after = match key {
            Some(_) => last.get(0)?,
            None => after + rows.len() as i64,
        };
        for chunk in rows.chunks(CHUNK) {
            insert_rows(dst, table, &cols, chunk)?;
        }
        total += rows.len() as u64;
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    Ok(total)
}

fn insert_rows(
    dst: &mut dyn Sql,
    table: &str,
    cols: &[String],
    rows: &[crate::db::Row],
) -> Result<()> {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let mut params: Vec<Value> = Vec::with_capacity(rows.len() * cols.len());
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        let marks: Vec<String> = (0..cols.len())
            .map(|c| format!("?{}", i * cols.len() + c + 1))
            .collect();
        sql.push('(');
        sql.push_str(&marks.join(", "));
        sql.push(')');
        params.extend(r.0.iter().skip(1).cloned());
    }
    dst.exec(&sql, &params)?;
    Ok(())
}

/// Move each identity column's sequence past the largest copied value, so that new rows get
/// new ids.
fn advance_identities(dst: &mut dyn Sql, table: &str) -> Result<()> {
    let identity = dst.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1 AND is_identity = 'YES'",
        &values![table],
    )?;
    for r in identity {
        let col: String = r.get(0)?;
        dst.query(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{col}'), COALESCE((SELECT MAX({col}) FROM {table}), 0) + 1, false)"
            ),
            &[],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_from_the_migrations_in_creation_order() {
        let areas = store_areas();
        assert_eq!(tables_of(areas[0].migrations), ["runs", "tests", "results"]);
        assert_eq!(
            tables_of(&["CREATE TABLE IF NOT EXISTS a (x); CREATE TABLE b(y)"]),
            ["a", "b"]
        );
        assert_eq!(
            tables_of(&[
                "CREATE TABLE a (x); CREATE TABLE b (y); CREATE TABLE c (z)",
                "DROP TABLE b; DROP TABLE IF EXISTS c; CREATE TABLE d (w)"
            ]),
            ["a", "d"],
            "dropped tables are not copied"
        );
    }

    #[test]
    fn a_sqlite_history_copies_into_another_and_a_filled_target_is_refused() {
        let dir = std::env::temp_dir().join(format!("rigor-copy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut src = Store::open(&dir.join("a.db")).unwrap();
        let run = src
            .begin_run(&crate::NewRun {
                started_at: 1.0,
                trigger: "local".into(),
                ..Default::default()
            })
            .unwrap();
        let mut r = rigor_model::TestResult::new(
            rigor_model::TestKey::new("py", "t::a"),
            rigor_model::Outcome::Passed,
            0.5,
        );
        r.attempts = 1;
        src.record_results(run, &[r]).unwrap();
        let mut dst = Store::open(&dir.join("b.db")).unwrap();
        let rep = src.copy_to(&mut dst, &store_areas(), false).unwrap();
        assert_eq!(rep.rows, 3, "{rep:?}");
        assert_eq!(dst.run_results(run).unwrap().len(), 1);
        let err = src.copy_to(&mut dst, &store_areas(), false).unwrap_err();
        assert!(
            err.to_string().contains("not empty: runs (1 rows)"),
            "{err}"
        );
        let again = src.copy_to(&mut dst, &store_areas(), true).unwrap();
        assert_eq!(again.rows, 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
