//! Import per-test coverage maps: coverage.py data files (SQLite: tables `file`, `context`,
//! `line_bits` with numbits) whose dynamic contexts are pytest node ids.
//!
//! Contexts are normalised: pytest-cov's `nodeid|run` / `|setup` / `|teardown` suffixes are
//! dropped; `import:PATH` holds the lines run while rigor's plugin saw the module at PATH being
//! imported (its module-level code and what that calls), the empty context anything else run
//! outside a test. Paths outside the suite root are left out. Storage: [`crate::covstore`].

use crate::contexts::{self, Rows};
use crate::covstore::{self, Recording, is_test_context, or_bits};
use crate::error::{Result, SelectError};
use crate::history::migrate;
use rigor_store::Store;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CoverageImport {
    /// A refresh (some tests) rather than a full recording.
    pub refreshed: bool,
    pub data_files: usize,
    pub files: usize,
    pub tests: usize,
    /// Tests (of `tests`) that ran with the recorder on and entered no project code.
    pub idle: usize,
    pub rows: usize,
}

/// Normalise a coverage.py context to a pytest node id ('' = import time).
pub fn context_to_test(ctx: &str) -> String {
    for suffix in ["|run", "|setup", "|teardown"] {
        if let Some(s) = ctx.strip_suffix(suffix) {
            return s.to_string();
        }
    }
    ctx.to_string()
}

/// The coverage.py data files in `dir`: `.coverage`, `.coverage.*`, `*.sqlite`, `*.db`.
fn data_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|source| SelectError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.is_file()
                && (n == ".coverage"
                    || n.starts_with(".coverage.")
                    || n.ends_with(".sqlite")
                    || n.ends_with(".db"))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Read one coverage.py data file: its rows (file relative to root, test) → numbits, with the
/// wider-scoped fixture setups merged into the tests that used them, and the tests it proves
/// ran with no project line ([`crate::contexts`]).
fn read_one(path: &Path, root: &Path) -> Result<(Rows, Vec<String>)> {
    let bad = |m: String| SelectError::Parse {
        what: "coverage.py data file",
        path: path.display().to_string(),
        message: m,
        hint: "record it with coverage.py ≥ 5 (SQLite data) and dynamic contexts, e.g. `rigor run --coverage-map`",
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| bad(e.to_string()))?;
    let mut stmt = conn
        .prepare(
            "SELECT f.path, COALESCE(c.context, ''), lb.numbits
             FROM line_bits lb JOIN file f ON f.id = lb.file_id JOIN context c ON c.id = lb.context_id",
        )
        .map_err(|e| bad(format!("{e} (is it a coverage.py line-coverage database?)")))?;
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .map_err(|e| bad(e.to_string()))?;
    let mut acc = Rows::new();
    let mut rel_cache: HashMap<String, Option<String>> = HashMap::new();
    for row in rows {
        let (file, ctx, bits) = row.map_err(|e| bad(e.to_string()))?;
        let rel = rel_cache
            .entry(file.clone())
            .or_insert_with(|| {
                let p = Path::new(&file);
                let p = if p.is_absolute() {
                    p.to_path_buf()
                } else {
                    root.join(p)
                };
                let p = std::fs::canonicalize(&p).unwrap_or(p);
                p.strip_prefix(&root)
                    .ok()
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            })
            .clone();
        let Some(rel) = rel else { continue };
        or_bits(acc.entry((rel, context_to_test(&ctx))).or_default(), &bits);
    }
    let uses = fixture_uses(&conn).map_err(|e| bad(e.to_string()))?;
    contexts::merge_fixtures(&mut acc, &uses);
    let idle = match started_tests(&conn).map_err(|e| bad(e.to_string()))? {
        Some(started) => contexts::tests_without_rows(&acc, &started),
        None => Vec::new(),
    };
    Ok((acc, idle))
}

fn has_table(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// The (test, fixture context) pairs of rigor's `rigor_fixture_use` table (none without it).
fn fixture_uses(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    if !has_table(conn, "rigor_fixture_use")? {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare("SELECT context, fixture FROM rigor_fixture_use")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            context_to_test(&r.get::<_, String>(0)?),
            r.get::<_, String>(1)?,
        ))
    })?;
    rows.collect()
}

/// The tests a file vouches for (table `rigor_tests`) when its `meta` says so (see
/// [`contexts::COMPLETE_KEY`]); `None` for any other file: its empty contexts prove nothing.
fn started_tests(conn: &Connection) -> rusqlite::Result<Option<Vec<String>>> {
    if !has_table(conn, "meta")? || !has_table(conn, "rigor_tests")? {
        return Ok(None);
    }
    let complete = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [contexts::COMPLETE_KEY],
            |r| r.get::<_, String>(0),
        )
        .optional()?;
    if complete.as_deref() != Some(contexts::COMPLETE_VALUE) {
        return Ok(None);
    }
    let mut stmt = conn.prepare("SELECT context FROM rigor_tests")?;
    let rows = stmt.query_map([], |r| {
        Ok(context_to_test(
            &r.get::<_, Option<String>>(0)?.unwrap_or_default(),
        ))
    })?;
    rows.collect::<rusqlite::Result<Vec<String>>>().map(Some)
}

/// Import every coverage.py data file of `dir` as the coverage map of `suite` at `commit`
/// (paths made relative to `suite_root`), replacing the suite's older map: a run of every test.
pub fn import_coverage_map(
    store: &mut Store,
    dir: &Path,
    suite: &str,
    commit: &str,
    suite_root: &Path,
) -> Result<CoverageImport> {
    record_coverage_map(store, dir, suite, commit, suite_root, false)
}

/// Like [`import_coverage_map`] for a run of some tests: the rows of the contexts recorded
/// (tests, module imports) replace theirs, the other rows stay.
pub fn refresh_coverage_map(
    store: &mut Store,
    dir: &Path,
    suite: &str,
    commit: &str,
    suite_root: &Path,
) -> Result<CoverageImport> {
    record_coverage_map(store, dir, suite, commit, suite_root, true)
}

fn record_coverage_map(
    store: &mut Store,
    dir: &Path,
    suite: &str,
    commit: &str,
    suite_root: &Path,
    refresh: bool,
) -> Result<CoverageImport> {
    migrate(store)?;
    let files = data_files(dir)?;
    let mut acc = Rows::new();
    let mut idle: HashSet<String> = HashSet::new();
    for f in &files {
        let (rows, empty) = read_one(f, suite_root)?;
        for (key, bits) in rows {
            or_bits(acc.entry(key).or_default(), &bits);
        }
        idle.extend(empty);
    }
    let idle = contexts::add_empty_entries(&mut acc, &idle);
    if files.is_empty() {
        return Ok(CoverageImport {
            refreshed: refresh,
            data_files: 0,
            files: 0,
            tests: 0,
            idle: 0,
            rows: 0,
        });
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let file_set: BTreeSet<&str> = acc
        .keys()
        .map(|(f, _)| f.as_str())
        .filter(|f| *f != contexts::NO_FILE)
        .collect();
    let test_set: BTreeSet<&str> = acc
        .keys()
        .map(|(_, t)| t.as_str())
        .filter(|t| is_test_context(t))
        .collect();
    let contents = content_ids(suite_root, &file_set);
    let (nfiles, ntests) = (file_set.len(), test_set.len());
    let rec = Recording {
        suite,
        commit,
        rows: &acc,
        contents: &contents,
        refresh,
        now,
    };
    store.with_tx(|sql| covstore::store(sql, &rec))?;
    Ok(CoverageImport {
        refreshed: refresh,
        data_files: files.len(),
        files: nfiles,
        tests: ntests,
        idle,
        rows: acc.len(),
    })
}

/// The git blob id of each file's current content (`git hash-object`, in chunks); a file git
/// cannot hash gets none, and its rows are never trusted.
pub fn content_ids(suite_root: &Path, files: &BTreeSet<&str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let list: Vec<&str> = files
        .iter()
        .copied()
        .filter(|f| *f != contexts::NO_FILE)
        .collect();
    for chunk in list.chunks(400) {
        let mut args = vec!["hash-object", "--"];
        args.extend(chunk.iter().copied());
        let Ok(text) = rigor_vcs::git::text(suite_root, &args) else {
            continue;
        };
        let ids: Vec<&str> = text.lines().collect();
        if ids.len() == chunk.len() {
            for (f, id) in chunk.iter().zip(ids) {
                out.insert(f.to_string(), id.trim().to_string());
            }
        }
    }
    out
}

/// Decode numbits into line numbers (for reports and tests).
pub fn numbits_to_lines(bits: &[u8]) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, b) in bits.iter().enumerate() {
        for bit in 0..8 {
            if b & (1 << bit) != 0 {
                out.push(i as u32 * 8 + bit);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbits_decode_like_coverage_py() {
        // coverage.numbits.nums_to_numbits([1, 2, 9]) == b'\x06\x02'
        assert_eq!(numbits_to_lines(&[0x06, 0x02]), vec![1, 2, 9]);
        assert!(crate::history::CoverageMap::has_line(&[0x06, 0x02], 9));
        assert!(!crate::history::CoverageMap::has_line(&[0x06, 0x02], 3));
    }

    /// A data file like rigor's probes write: `lines` (file, context, numbits), the tests it
    /// vouches for (`contexts`, also in the `context` table), the fixture `uses`, `meta` rows.
    fn data_file(
        dir: &Path,
        name: &str,
        lines: &[(&str, &str, &[u8])],
        contexts: &[&str],
        uses: &[(&str, &str)],
        meta: &[(&str, &str)],
    ) -> PathBuf {
        let path = dir.join(name);
        let db = Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE file (id INTEGER PRIMARY KEY, path TEXT UNIQUE);
             CREATE TABLE context (id INTEGER PRIMARY KEY, context TEXT UNIQUE);
             CREATE TABLE line_bits (file_id INTEGER, context_id INTEGER, numbits BLOB);
             CREATE TABLE meta (key TEXT, value TEXT, UNIQUE (key));
             CREATE TABLE rigor_fixture_use (context TEXT, fixture TEXT);
             CREATE TABLE rigor_tests (context TEXT);",
        )
        .unwrap();
        let id = |db: &Connection, table: &str, col: &str, v: &str| -> i64 {
            db.execute(
                &format!("INSERT OR IGNORE INTO {table} ({col}) VALUES (?1)"),
                [v],
            )
            .unwrap();
            db.query_row(
                &format!("SELECT id FROM {table} WHERE {col} = ?1"),
                [v],
                |r| r.get(0),
            )
            .unwrap()
        };
        for c in contexts {
            id(&db, "context", "context", c);
            db.execute("INSERT INTO rigor_tests VALUES (?1)", [c])
                .unwrap();
        }
        for (f, c, bits) in lines {
            let (fi, ci) = (id(&db, "file", "path", f), id(&db, "context", "context", c));
            db.execute(
                "INSERT INTO line_bits VALUES (?1, ?2, ?3)",
                rusqlite::params![fi, ci, bits.to_vec()],
            )
            .unwrap();
        }
        for (t, f) in uses {
            db.execute("INSERT INTO rigor_fixture_use VALUES (?1, ?2)", [t, f])
                .unwrap();
        }
        for (k, v) in meta {
            db.execute("INSERT INTO meta VALUES (?1, ?2)", [k, v])
                .unwrap();
        }
        path
    }

    const COMPLETE: (&str, &str) = (contexts::COMPLETE_KEY, contexts::COMPLETE_VALUE);

    #[test]
    fn empty_test_contexts_count_only_from_files_that_say_they_are_complete() {
        let d = tempfile::tempdir().unwrap();
        let abs = d.path().join("pkg/a.py").display().to_string();
        let lines: &[(&str, &str, &[u8])] = &[(&abs, "t.py::ran", &[2])];
        let contexts = ["t.py::ran", "t.py::idle|run", "import:pkg/a.py", ""];
        let with = |name: &str, meta: &[(&str, &str)]| {
            let p = data_file(d.path(), name, lines, &contexts, &[], meta);
            read_one(&p, d.path()).unwrap().1
        };
        assert_eq!(with(".coverage.probes", &[COMPLETE]), ["t.py::idle"]);
        // No meta row, a coverage.py file's own meta, another value: no empty entries.
        assert!(with(".coverage.none", &[]).is_empty());
        assert!(with(".coverage.cov", &[("version", "7"), ("has_arcs", "0")]).is_empty());
        assert!(with(".coverage.other", &[(contexts::COMPLETE_KEY, "partial")]).is_empty());
        // A context the file does not vouch for (in `context`, not in `rigor_tests`).
        let p = data_file(d.path(), ".coverage.some", lines, &[], &[], &[COMPLETE]);
        let db = Connection::open(&p).unwrap();
        db.execute("INSERT INTO context (context) VALUES ('t.py::spawned')", [])
            .unwrap();
        drop(db);
        assert!(read_one(&p, d.path()).unwrap().1.is_empty());
        // A file without a meta table at all (an older coverage.py schema).
        let p = d.path().join(".coverage.bare");
        let db = Connection::open(&p).unwrap();
        db.execute_batch(
            "CREATE TABLE file (id INTEGER PRIMARY KEY, path TEXT);
             CREATE TABLE context (id INTEGER PRIMARY KEY, context TEXT);
             CREATE TABLE line_bits (file_id INTEGER, context_id INTEGER, numbits BLOB);
             INSERT INTO context VALUES (1, 't.py::idle');",
        )
        .unwrap();
        drop(db);
        let (rows, idle) = read_one(&p, d.path()).unwrap();
        assert!(rows.is_empty() && idle.is_empty());
    }

    #[test]
    fn fixture_setups_are_merged_into_the_tests_that_used_them() {
        let d = tempfile::tempdir().unwrap();
        let abs = d.path().join("pkg/a.py").display().to_string();
        let p = data_file(
            d.path(),
            ".coverage.fix",
            &[
                (&abs, "fixture:1:made", &[0b1000]),
                (&abs, "t.py::first", &[0b0010]),
            ],
            &["t.py::first", "t.py::second"],
            &[
                ("t.py::first", "fixture:1:made"),
                ("t.py::second", "fixture:1:made"),
            ],
            &[COMPLETE],
        );
        let (rows, idle) = read_one(&p, d.path()).unwrap();
        let get = |t: &str| rows.get(&("pkg/a.py".to_string(), t.to_string())).cloned();
        assert_eq!(get("t.py::first"), Some(vec![0b1010]));
        // The second test only read the fixture's value: it has the setup's lines, no longer idle.
        assert_eq!(get("t.py::second"), Some(vec![0b1000]));
        assert!(idle.is_empty(), "{idle:?}");
        assert!(rows.keys().all(|(_, c)| !contexts::is_fixture_context(c)));
    }

    #[test]
    fn idle_tests_are_stored_with_an_empty_row_and_count_as_mapped() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("map");
        std::fs::create_dir_all(&dir).unwrap();
        let abs = d.path().join("pkg/a.py").display().to_string();
        let lines: &[(&str, &str, &[u8])] = &[(&abs, "t.py::ran", &[2])];
        data_file(
            &dir,
            ".coverage.1",
            lines,
            &["t.py::ran", "t.py::idle"],
            &[],
            &[COMPLETE],
        );
        // A second worker ran `t.py::ran` again without a meta row: it proves nothing.
        data_file(&dir, ".coverage.2", &[], &["t.py::lost"], &[], &[]);
        let mut store = Store::in_memory().unwrap();
        let imp = import_coverage_map(&mut store, &dir, "py", "abc", d.path()).unwrap();
        assert_eq!((imp.tests, imp.idle, imp.files), (2, 1, 1), "{imp:?}");
        let tests = store
            .with_sql(|sql| Ok(covstore::tests(sql, "py")))
            .unwrap()
            .unwrap();
        assert_eq!(
            tests,
            HashSet::from(["t.py::ran".to_string(), "t.py::idle".to_string()])
        );
        let rows = store
            .with_sql(|sql| Ok(covstore::file_rows(sql, "py", "")))
            .unwrap()
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].context.as_str(), rows[0].numbits.len()),
            ("t.py::idle", 0)
        );
        assert_eq!(rows[0].content, "");
    }

    #[test]
    fn a_malformed_side_table_is_an_error_naming_the_file_and_stores_nothing() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("map");
        std::fs::create_dir_all(&dir).unwrap();
        let abs = d.path().join("pkg/a.py").display().to_string();
        let p = data_file(
            &dir,
            ".coverage.1",
            &[(&abs, "t.py::ran", &[2])],
            &[],
            &[],
            &[],
        );
        let db = Connection::open(&p).unwrap();
        db.execute_batch(
            "DROP TABLE rigor_fixture_use; CREATE TABLE rigor_fixture_use (context TEXT);",
        )
        .unwrap();
        drop(db);
        let mut store = Store::in_memory().unwrap();
        let err = import_coverage_map(&mut store, &dir, "py", "abc", d.path()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(".coverage.1") && text.contains("fixture"),
            "{text}"
        );
        let tests = store
            .with_sql(|sql| Ok(covstore::tests(sql, "py")))
            .unwrap()
            .unwrap();
        assert!(tests.is_empty(), "{tests:?}");
    }

    #[test]
    fn contexts_lose_pytest_cov_suffixes() {
        assert_eq!(
            context_to_test("tests/test_a.py::test_x[1]|run"),
            "tests/test_a.py::test_x[1]"
        );
        assert_eq!(context_to_test(""), "");
    }
}
