//! What selection and risk need from the history: known tests, last failures on the branch,
//! failure rates, co-failure of tests with changed files, churn, and per-test coverage maps.
//!
//! The selection area owns these tables (migrated with [`Store::migrate_area`]):
//! - `select_cofail(file, suite, test_id, failures)`: how often a test failed in a run whose
//!   change touched `file` (the `changes` column is unused);
//! - `select_file_changes(file, changes)`: runs whose change touched `file`;
//! - `select_cov_suite` and `select_cov_rows`: per-test line coverage with the content each row
//!   was recorded against (see [`crate::covstore`]; the first step's `select_cov_map` and
//!   `select_cov_lines` are dropped by the second).

use crate::change::ChangeSet;
use crate::covstore;
use crate::error::Result;
use rigor_model::{Outcome, TestKey};
use rigor_store::db::Sql;
use rigor_store::values;
use rigor_store::{Store, StoredResult};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Migrations of the `select` area. Never edit a released step; append.
pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE select_cofail (
        file TEXT NOT NULL, suite TEXT NOT NULL, test_id TEXT NOT NULL,
        changes INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (file, suite, test_id));
     CREATE TABLE select_file_changes (file TEXT PRIMARY KEY, changes INTEGER NOT NULL DEFAULT 0);
     CREATE TABLE select_cov_map (
        id INTEGER PRIMARY KEY, suite TEXT NOT NULL, commit_sha TEXT NOT NULL,
        imported_at REAL NOT NULL, files INTEGER NOT NULL, tests INTEGER NOT NULL);
     CREATE TABLE select_cov_lines (
        map_id INTEGER NOT NULL REFERENCES select_cov_map(id) ON DELETE CASCADE,
        file TEXT NOT NULL, test_id TEXT NOT NULL, numbits BLOB NOT NULL,
        PRIMARY KEY (map_id, file, test_id));",
    crate::covstore::MIGRATION,
];

/// Make sure the selection tables exist.
pub fn migrate(store: &mut Store) -> Result<()> {
    store.migrate_area("select", MIGRATIONS)?;
    Ok(())
}

/// Per-test line coverage of one suite's changed files.
#[derive(Debug, Clone, Default)]
pub struct CoverageMap {
    /// The commit of the last recording.
    pub commit: String,
    /// Tests present in the map (any file).
    pub tests: HashSet<String>,
    /// file (relative to the suite root) → context (test id, `import:PATH`, '' = other code
    /// run outside tests) → numbits.
    pub lines: HashMap<String, HashMap<String, Vec<u8>>>,
    /// file → the git blob ids of the contents its rows were recorded against ('' = unknown).
    pub contents: HashMap<String, BTreeSet<String>>,
}

impl CoverageMap {
    /// Is `line` set in coverage.py `numbits`?
    pub fn has_line(numbits: &[u8], line: u32) -> bool {
        let (byte, bit) = ((line / 8) as usize, line % 8);
        numbits.get(byte).is_some_and(|b| b & (1 << bit) != 0)
    }

    /// Does `numbits` contain any line of the inclusive ranges?
    pub fn any_line(numbits: &[u8], ranges: &[(u32, u32)]) -> bool {
        ranges
            .iter()
            .any(|&(a, b)| (a..=b).any(|l| Self::has_line(numbits, l)))
    }
}

/// file → test → (runs whose change touched the file, of which the test failed).
pub type CoFailures = HashMap<String, HashMap<TestKey, (u32, u32)>>;

/// History facts used by selection and risk. [`History::default`] is an empty history (a fresh
/// clone): selection then relies on static analysis alone.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// At least one run is recorded (otherwise no test counts as "new").
    pub has_runs: bool,
    /// Tests recorded at least once.
    pub known: HashSet<TestKey>,
    /// Tests that failed (failed, error, timeout) in the last finished run on the branch.
    pub last_failed: HashSet<TestKey>,
    /// Share of failing results over the recent window.
    pub failure_rate: HashMap<TestKey, f64>,
    /// file → test → (runs whose change touched the file, of which the test failed).
    pub cofail: CoFailures,
    /// Commits among the recent ones that touched each file (suite-relative or root-relative).
    pub churn: HashMap<String, u32>,
    /// Coverage maps per suite (only the changed files are loaded).
    pub coverage: HashMap<String, CoverageMap>,
}

impl History {
    /// Load from the store. `branch` selects the "last run on this branch" (any run when
    /// `None`); `window` is the number of recent runs for failure rates (e.g. 50).
    pub fn load(store: &mut Store, branch: Option<&str>, window: usize) -> Result<History> {
        migrate(store)?;
        let mut h = History {
            known: store.with_sql(known_tests)?,
            ..History::default()
        };
        let runs = store.recent_runs(200)?;
        h.has_runs = !runs.is_empty();
        let last = runs
            .iter()
            .filter(|r| r.finished_at.is_some())
            .find(|r| branch.is_none() || r.branch.as_deref() == branch);
        if let Some(run) = last {
            for r in store.run_results(run.id)? {
                if r.outcome.is_failure() {
                    h.last_failed.insert(TestKey::new(r.suite, r.id));
                }
            }
        }
        for f in store.failure_rates(window)? {
            h.failure_rate.insert(TestKey::new(f.suite, f.id), f.rate);
        }
        h.cofail = store.with_sql(cofailures)?;
        Ok(h)
    }

    /// Load the newest coverage map of `suite` for the files of the change (paths relative to
    /// the suite root, given by `to_suite_path`). No map: nothing is loaded.
    pub fn load_coverage(
        &mut self,
        store: &mut Store,
        suite: &str,
        change: &ChangeSet,
        to_suite_path: &dyn Fn(&str) -> Option<String>,
    ) -> Result<()> {
        migrate(store)?;
        let files: Vec<String> = change
            .files
            .iter()
            .filter_map(|f| to_suite_path(f.base_path()))
            .collect();
        let loaded = store.with_sql(|sql| Ok(load_map(sql, suite, &files)))?;
        if let Some(map) = loaded? {
            self.coverage.insert(suite.to_string(), map);
        }
        Ok(())
    }
}

/// The suite's map restricted to `files`; `None` when nothing is recorded.
fn load_map(
    sql: &mut dyn rigor_store::db::Sql,
    suite: &str,
    files: &[String],
) -> Result<Option<CoverageMap>> {
    let Some(commit) = covstore::last_commit(sql, suite)? else {
        return Ok(None);
    };
    let mut map = CoverageMap {
        commit,
        tests: covstore::tests(sql, suite)?,
        ..CoverageMap::default()
    };
    for p in files {
        let rows = covstore::file_rows(sql, suite, p)?;
        if rows.is_empty() {
            continue;
        }
        let lines = map.lines.entry(p.clone()).or_default();
        let contents = map.contents.entry(p.clone()).or_default();
        for r in rows {
            contents.insert(r.content);
            lines.insert(r.context, r.numbits);
        }
    }
    Ok(Some(map))
}

/// After a run of a change: count, per changed file, the run and which tests failed, so risk
/// can use co-failure next time. `results` are the run's results.
pub fn record_change_outcome(
    store: &mut Store,
    change: &ChangeSet,
    results: &[StoredResult],
) -> Result<()> {
    migrate(store)?;
    // Only failures get a row: the rate's denominator is `select_file_changes`.
    let failing: Vec<&StoredResult> = results
        .iter()
        .filter(|r| r.outcome.is_failure() || r.outcome == Outcome::Flaky)
        .collect();
    store.with_tx(|sql| {
        for f in &change.files {
            sql.exec(
                "INSERT INTO select_file_changes (file, changes) VALUES (?1, 1)
                 ON CONFLICT (file) DO UPDATE SET changes = select_file_changes.changes + 1",
                &values![&f.path],
            )?;
            for r in &failing {
                sql.exec(
                    "INSERT INTO select_cofail (file, suite, test_id, changes, failures) VALUES (?1, ?2, ?3, 0, 1)
                     ON CONFLICT (file, suite, test_id) DO UPDATE SET failures = select_cofail.failures + 1",
                    &values![&f.path, &r.suite, &r.id],
                )?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// Every test recorded at least once.
fn known_tests(sql: &mut dyn Sql) -> rigor_store::Result<HashSet<TestKey>> {
    sql.query("SELECT suite, name FROM tests", &[])?
        .iter()
        .map(|r| Ok(TestKey::new(r.get::<String>(0)?, r.get::<String>(1)?)))
        .collect()
}

/// file → test → (runs whose change touched the file, of which the test failed).
fn cofailures(sql: &mut dyn Sql) -> rigor_store::Result<CoFailures> {
    let mut out = CoFailures::new();
    let rows = sql.query(
        "SELECT c.file, c.suite, c.test_id, COALESCE(f.changes, 1), c.failures
         FROM select_cofail c LEFT JOIN select_file_changes f ON f.file = c.file",
        &[],
    )?;
    for r in rows {
        let key = TestKey::new(r.get::<String>(1)?, r.get::<String>(2)?);
        let (c, f) = (r.get::<i64>(3)?, r.get::<i64>(4)?);
        out.entry(r.get::<String>(0)?)
            .or_default()
            .insert(key, (c as u32, f as u32));
    }
    Ok(out)
}

/// Churn for [`History::churn`]: over the last `commits` commits of `root`'s history, how many
/// touched each file (paths relative to `root`). One `git log` call; a checkout without commits
/// (or outside git) has no churn.
pub fn churn(root: &std::path::Path, commits: usize) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    let n = format!("-n{commits}");
    let Ok(log) = rigor_vcs::git::bytes(
        root,
        &["log", &n, "--name-only", "-z", "--format=", "--relative"],
    ) else {
        return out;
    };
    for p in log
        .split(|b| *b == 0 || *b == b'\n')
        .filter(|s| !s.is_empty())
    {
        *out.entry(String::from_utf8_lossy(p).into_owned())
            .or_default() += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn result(id: &str, outcome: Outcome) -> StoredResult {
        StoredResult {
            suite: "py".into(),
            id: id.into(),
            file: None,
            line: None,
            outcome,
            duration_s: 0.1,
            attempts: 1,
            excerpt: None,
            start_s: None,
            worker: None,
            tier: None,
        }
    }

    #[test]
    fn co_failures_count_runs_of_a_file_and_the_tests_that_failed_in_them() {
        let mut store = Store::in_memory().unwrap();
        let change = ChangeSet::from_paths(&["pkg/a.py", "pkg/b.py"]);
        let results = [
            result("t::fails", Outcome::Failed),
            result("t::passes", Outcome::Passed),
            result("t::flaky", Outcome::Flaky),
        ];
        record_change_outcome(&mut store, &change, &results).unwrap();
        record_change_outcome(
            &mut store,
            &ChangeSet::from_paths(&["pkg/a.py"]),
            &results[1..],
        )
        .unwrap();
        let h = History::load(&mut store, None, 50).unwrap();
        let a = &h.cofail["pkg/a.py"];
        assert_eq!(a[&TestKey::new("py", "t::fails")], (2, 1));
        assert_eq!(a[&TestKey::new("py", "t::flaky")], (2, 2));
        assert!(!a.contains_key(&TestKey::new("py", "t::passes")));
        assert_eq!(
            h.cofail["pkg/b.py"][&TestKey::new("py", "t::fails")],
            (1, 1)
        );
    }

    proptest! {
        /// After any sequence of runs of one file, a test's co-failure is (runs, runs in which
        /// it failed); a test that never failed has no entry.
        #[test]
        fn counts_follow_the_runs(runs in proptest::collection::vec(proptest::collection::vec(any::<bool>(), 3), 1..6)) {
            let mut store = Store::in_memory().unwrap();
            let change = ChangeSet::from_paths(&["m.py"]);
            for fails in &runs {
                let results: Vec<StoredResult> = fails
                    .iter()
                    .enumerate()
                    .map(|(i, f)| result(&format!("t{i}"), if *f { Outcome::Failed } else { Outcome::Passed }))
                    .collect();
                record_change_outcome(&mut store, &change, &results).unwrap();
            }
            let h = History::load(&mut store, None, 50).unwrap();
            for i in 0..3 {
                let failed = runs.iter().filter(|r| r[i]).count() as u32;
                let got = h.cofail.get("m.py").and_then(|m| m.get(&TestKey::new("py", format!("t{i}")))).copied();
                prop_assert_eq!(got, (failed > 0).then_some((runs.len() as u32, failed)));
            }
        }
    }
}
