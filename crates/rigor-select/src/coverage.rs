//! Import per-test coverage maps: coverage.py data files (SQLite: tables `file`, `context`,
//! `line_bits` with numbits) whose dynamic contexts are pytest node ids.
//!
//! Contexts are normalised: pytest-cov's `nodeid|run` / `|setup` / `|teardown` suffixes are
//! dropped; `import:PATH` holds the lines run while rigor's plugin saw the module at PATH being
//! imported (its module-level code and what that calls), the empty context anything else run
//! outside a test. Paths outside the suite root are left out. Storage: [`crate::covstore`].

use crate::covstore::{self, Recording, is_test_context, or_bits};
use crate::error::{Result, SelectError};
use crate::history::migrate;
use rigor_store::Store;
use rusqlite::{Connection, OpenFlags};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CoverageImport {
    /// A refresh (some tests) rather than a full recording.
    pub refreshed: bool,
    pub data_files: usize,
    pub files: usize,
    pub tests: usize,
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

/// Read one coverage.py data file into `acc`: (file relative to root, test) → numbits.
fn read_one(path: &Path, root: &Path, acc: &mut HashMap<(String, String), Vec<u8>>) -> Result<()> {
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
    Ok(())
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
    let mut acc: HashMap<(String, String), Vec<u8>> = HashMap::new();
    for f in &files {
        read_one(f, suite_root, &mut acc)?;
    }
    if files.is_empty() {
        return Ok(CoverageImport {
            refreshed: refresh,
            data_files: 0,
            files: 0,
            tests: 0,
            rows: 0,
        });
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let file_set: BTreeSet<&str> = acc.keys().map(|(f, _)| f.as_str()).collect();
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
        rows: acc.len(),
    })
}

/// The git blob id of each file's current content (`git hash-object`, in chunks); a file git
/// cannot hash gets none, and its rows are never trusted.
pub fn content_ids(suite_root: &Path, files: &BTreeSet<&str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let list: Vec<&str> = files.iter().copied().collect();
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

    #[test]
    fn contexts_lose_pytest_cov_suffixes() {
        assert_eq!(
            context_to_test("tests/test_a.py::test_x[1]|run"),
            "tests/test_a.py::test_x[1]"
        );
        assert_eq!(context_to_test(""), "");
    }
}
