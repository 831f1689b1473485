//! Storage of the per-test coverage maps, through rigor-store's [`Sql`] abstraction (SQLite or
//! PostgreSQL).
//!
//! - `select_cov_suite(suite, commit_sha, recorded_at, full_at)`: the last recording of each
//!   suite (`full_at`: the last one that ran every test);
//! - `select_cov_rows(suite, file, context, content, commit_sha, numbits)`: the lines of `file`
//!   (relative to the suite root) a context ran, as coverage.py numbits in hexadecimal text, with
//!   the git blob id of the file's `content` when they were recorded. A context is a pytest node
//!   id, `import:PATH` (lines run while the module at PATH was being imported) or `''` (anything
//!   else outside a test). A test that ran with the recorder on and entered no project code has
//!   one row with file `''` and no lines ([`crate::contexts`]): it is in the map, and no file has
//!   lines of it.
//!
//! A full recording replaces the suite's rows; a refresh replaces the rows of the contexts it
//! recorded and keeps the others, so rows of one file may come from different contents: a
//! reader compares each row's `content` with the file it decides for.

use crate::error::Result;
use rigor_store::db::{Sql, Value};
use std::collections::{HashMap, HashSet};

/// Migration step of the `select` area that creates these tables (appended to
/// [`crate::history::MIGRATIONS`]); the former `select_cov_map` / `select_cov_lines` are dropped.
pub const MIGRATION: &str = "DROP TABLE select_cov_lines;
     DROP TABLE select_cov_map;
     CREATE TABLE select_cov_suite (
        suite TEXT PRIMARY KEY, commit_sha TEXT NOT NULL, recorded_at REAL NOT NULL,
        full_at REAL);
     CREATE TABLE select_cov_rows (
        suite TEXT NOT NULL, file TEXT NOT NULL, context TEXT NOT NULL,
        content TEXT NOT NULL, commit_sha TEXT NOT NULL, numbits TEXT NOT NULL,
        PRIMARY KEY (suite, file, context))";

/// The prefix of the context of a module's import.
pub const IMPORT_CONTEXT: &str = "import:";

/// Is this context a test (not an import, not the empty context)?
pub fn is_test_context(ctx: &str) -> bool {
    !ctx.is_empty() && !ctx.starts_with(IMPORT_CONTEXT)
}

/// One recording to store: (file, context) → numbits, file → content (git blob id).
pub struct Recording<'a> {
    pub suite: &'a str,
    pub commit: &'a str,
    pub rows: &'a HashMap<(String, String), Vec<u8>>,
    pub contents: &'a HashMap<String, String>,
    /// Keep the rows of contexts this recording does not have.
    pub refresh: bool,
    pub now: f64,
}

/// Numbits as lowercase hexadecimal text.
pub fn to_hex(bits: &[u8]) -> String {
    let mut s = String::with_capacity(bits.len() * 2);
    for b in bits {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Hexadecimal text back to numbits (invalid digits read as 0).
pub fn from_hex(text: &str) -> Vec<u8> {
    text.as_bytes()
        .chunks(2)
        .map(|c| {
            std::str::from_utf8(c)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .unwrap_or(0)
        })
        .collect()
}

/// Store a recording in one transaction.
pub fn store(sql: &mut dyn Sql, r: &Recording) -> rigor_store::Result<()> {
    let suite = Value::from(r.suite);
    if r.refresh {
        let contexts: std::collections::BTreeSet<&str> =
            r.rows.keys().map(|(_, c)| c.as_str()).collect();
        for c in contexts.iter().filter(|c| !c.is_empty()) {
            sql.exec(
                "DELETE FROM select_cov_rows WHERE suite = ?1 AND context = ?2",
                &[suite.clone(), Value::from(*c)],
            )?;
        }
    } else {
        sql.exec(
            "DELETE FROM select_cov_rows WHERE suite = ?1",
            std::slice::from_ref(&suite),
        )?;
    }
    // In one order for every writer: two runs storing at once (CI jobs sharing a PostgreSQL
    // history) then wait for each other at their first common key instead of deadlocking.
    let mut rows: Vec<(&(String, String), &Vec<u8>)> = r.rows.iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for ((file, ctx), bits) in rows {
        let content = r.contents.get(file).cloned().unwrap_or_default();
        let mut bits = bits.clone();
        if ctx.is_empty() && r.refresh {
            // Lines run outside tests add up while the file is the same.
            let old = sql.query_opt(
                "SELECT numbits FROM select_cov_rows
                 WHERE suite = ?1 AND file = ?2 AND context = '' AND content = ?3",
                &[suite.clone(), Value::from(file), Value::from(&content)],
            )?;
            if let Some(row) = old {
                or_bits(&mut bits, &from_hex(&row.get::<String>(0)?));
            }
            sql.exec(
                "DELETE FROM select_cov_rows WHERE suite = ?1 AND file = ?2 AND context = ''",
                &[suite.clone(), Value::from(file)],
            )?;
        }
        // An upsert: two runs recording at once (CI jobs sharing a PostgreSQL history) each
        // deleted only the rows committed before them, so their inserts can meet. The later
        // one's row wins; rows of two contents of a file make that file untrusted until the
        // next recording (precision::stale), never wrong.
        sql.exec(
            "INSERT INTO select_cov_rows (suite, file, context, content, commit_sha, numbits)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (suite, file, context) DO UPDATE SET content = excluded.content,
               commit_sha = excluded.commit_sha, numbits = excluded.numbits",
            &[
                suite.clone(),
                Value::from(file),
                Value::from(ctx),
                Value::from(&content),
                Value::from(r.commit),
                Value::Text(to_hex(&bits)),
            ],
        )?;
    }
    let full_at = if r.refresh {
        Value::Null
    } else {
        Value::from(r.now)
    };
    sql.exec(
        "INSERT INTO select_cov_suite (suite, commit_sha, recorded_at, full_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (suite) DO UPDATE SET commit_sha = ?2, recorded_at = ?3,
           full_at = COALESCE(?4, select_cov_suite.full_at)",
        &[suite, Value::from(r.commit), Value::from(r.now), full_at],
    )?;
    Ok(())
}

/// Merge `b` into `a` (bitwise or).
pub fn or_bits(a: &mut Vec<u8>, b: &[u8]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x |= *y;
    }
}

/// One stored row of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    pub context: String,
    pub content: String,
    pub numbits: Vec<u8>,
}

/// The commit of the suite's last recording, if any.
pub fn last_commit(sql: &mut dyn Sql, suite: &str) -> Result<Option<String>> {
    let row = sql.query_opt(
        "SELECT commit_sha FROM select_cov_suite WHERE suite = ?1",
        &[Value::from(suite)],
    )?;
    Ok(match row {
        Some(r) => Some(r.get::<String>(0)?),
        None => None,
    })
}

/// The tests (node ids) present in the suite's map.
pub fn tests(sql: &mut dyn Sql, suite: &str) -> Result<HashSet<String>> {
    let rows = sql.query(
        "SELECT DISTINCT context FROM select_cov_rows WHERE suite = ?1",
        &[Value::from(suite)],
    )?;
    let mut out = HashSet::new();
    for r in rows {
        let c: String = r.get(0)?;
        if is_test_context(&c) {
            out.insert(c);
        }
    }
    Ok(out)
}

/// The rows of one file.
pub fn file_rows(sql: &mut dyn Sql, suite: &str, file: &str) -> Result<Vec<StoredRow>> {
    let rows = sql.query(
        "SELECT context, content, numbits FROM select_cov_rows WHERE suite = ?1 AND file = ?2",
        &[Value::from(suite), Value::from(file)],
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredRow {
                context: r.get(0)?,
                content: r.get(1)?,
                numbits: from_hex(&r.get::<String>(2)?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_numbits() {
        let bits = vec![0x06, 0x02, 0xff, 0x00];
        assert_eq!(to_hex(&bits), "0602ff00");
        assert_eq!(from_hex(&to_hex(&bits)), bits);
        assert!(from_hex("").is_empty());
    }

    #[test]
    fn only_node_ids_are_tests() {
        assert!(is_test_context("tests/test_a.py::test_x"));
        assert!(!is_test_context(""));
        assert!(!is_test_context("import:pkg/mod.py"));
    }
}
