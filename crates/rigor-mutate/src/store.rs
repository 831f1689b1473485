//! The `mutate` area of the history: each mutant's last verdict, keyed by its file, the
//! file's content hash and the mutant's place, with a hash of the tests that could reach it.
//! A re-run keeps the verdict of a mutant whose file and tests did not change.

use crate::error::Result;
use crate::model::Verdict;
use rigor_store::Store;
use rigor_store::values;
use std::collections::HashMap;

/// Migrations of the `mutate` area. Never edit a released step; append.
pub const MIGRATIONS: &[&str] = &["CREATE TABLE mutate_verdicts (
        file TEXT NOT NULL, signature TEXT NOT NULL, file_hash TEXT NOT NULL,
        tests_hash TEXT NOT NULL, verdict TEXT NOT NULL, tests_run TEXT NOT NULL,
        killed_by TEXT, duration_s REAL NOT NULL, recorded_at REAL NOT NULL,
        PRIMARY KEY (file, signature));"];

/// Make sure the area's tables exist.
pub fn migrate(store: &mut Store) -> Result<()> {
    store.migrate_area("mutate", MIGRATIONS)?;
    Ok(())
}

/// A verdict kept from an earlier run.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub file_hash: String,
    pub tests_hash: String,
    pub verdict: Verdict,
    pub tests_run: Vec<String>,
    pub killed_by: Option<String>,
    pub duration_s: f64,
}

impl Kept {
    /// The kept verdict as `m`'s result of this run.
    pub fn result_for(&self, m: &crate::model::Mutant) -> crate::model::MutantResult {
        crate::model::MutantResult {
            mutant: m.clone(),
            verdict: self.verdict,
            tests_run: self.tests_run.clone(),
            killed_by: self.killed_by.clone(),
            source: crate::model::TestSource::Cached,
            candidates: self.tests_run.len(),
            duration_s: self.duration_s,
            cached: true,
        }
    }
}

/// The stored verdicts of `file`: signature → verdict.
pub fn load(store: &Store, file: &str) -> Result<HashMap<String, Kept>> {
    let rows = store.with_sql(|db| {
        db.query(
            "SELECT signature, file_hash, tests_hash, verdict, tests_run, killed_by, duration_s
             FROM mutate_verdicts WHERE file = ?1",
            &values![file],
        )
    })?;
    let mut out = HashMap::new();
    for r in rows {
        let Some(verdict) = Verdict::parse(&r.get::<String>(3)?) else {
            continue;
        };
        let tests: String = r.get(4)?;
        out.insert(
            r.get(0)?,
            Kept {
                file_hash: r.get(1)?,
                tests_hash: r.get(2)?,
                verdict,
                tests_run: serde_json::from_str(&tests).unwrap_or_default(),
                killed_by: r.get(5)?,
                duration_s: r.get(6)?,
            },
        );
    }
    Ok(out)
}

/// One verdict to save.
pub struct Save<'a> {
    pub file: &'a str,
    pub signature: String,
    pub kept: Kept,
}

/// Save verdicts (replacing older ones of the same mutants); a file's rows of older versions
/// are dropped.
pub fn save(store: &mut Store, rows: &[Save], now: f64) -> Result<()> {
    store.with_tx(|db| {
        for r in rows {
            db.exec(
                "DELETE FROM mutate_verdicts WHERE file = ?1 AND file_hash != ?2",
                &values![r.file, &r.kept.file_hash],
            )?;
            db.exec(
                "INSERT INTO mutate_verdicts
                 (file, signature, file_hash, tests_hash, verdict, tests_run, killed_by, duration_s, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (file, signature) DO UPDATE SET file_hash = excluded.file_hash,
                     tests_hash = excluded.tests_hash, verdict = excluded.verdict,
                     tests_run = excluded.tests_run, killed_by = excluded.killed_by,
                     duration_s = excluded.duration_s, recorded_at = excluded.recorded_at",
                &values![
                    r.file,
                    &r.signature,
                    &r.kept.file_hash,
                    &r.kept.tests_hash,
                    r.kept.verdict.as_str(),
                    serde_json::to_string(&r.kept.tests_run).expect("strings serialise"),
                    &r.kept.killed_by,
                    r.kept.duration_s,
                    now
                ],
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The configured history for reading estimates (SQLite when its file exists, or PostgreSQL);
/// None when there is none or it cannot be opened: estimates are then left out.
pub fn open_history(config: &rigor_model::Config) -> Option<Store> {
    if let Some(url) = config.postgres_url() {
        return Store::open_postgres(url).ok();
    }
    let path = config.sqlite_path().ok()?;
    if !path.exists() {
        return None;
    }
    Store::open_for_reading(&path).ok()
}

/// FNV-1a 64 of some bytes, as hex: content hashes for the incremental cache.
pub fn hash(parts: &[&[u8]]) -> String {
    let mut h = rigor_model::hash::Fnv1a::new();
    for p in parts {
        h.write(p);
        h.write(&[0xff]);
    }
    format!("{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(v: Verdict, fh: &str) -> Kept {
        Kept {
            file_hash: fh.into(),
            tests_hash: "t".into(),
            verdict: v,
            tests_run: vec!["tests/test_a.py::test_x".into()],
            killed_by: None,
            duration_s: 0.5,
        }
    }

    #[test]
    fn verdicts_round_trip_and_a_new_file_version_drops_the_old_rows() {
        let mut s = Store::in_memory().unwrap();
        migrate(&mut s).unwrap();
        migrate(&mut s).unwrap();
        let rows = [Save {
            file: "a.py",
            signature: "1:2:comparison:<=".into(),
            kept: kept(Verdict::Survived, "h1"),
        }];
        save(&mut s, &rows, 1.0).unwrap();
        let got = load(&s, "a.py").unwrap();
        assert_eq!(got["1:2:comparison:<="], kept(Verdict::Survived, "h1"));
        let rows = [Save {
            file: "a.py",
            signature: "5:6:arithmetic:-".into(),
            kept: kept(Verdict::Killed, "h2"),
        }];
        save(&mut s, &rows, 2.0).unwrap();
        let got = load(&s, "a.py").unwrap();
        assert_eq!(got.len(), 1);
        assert!(got.contains_key("5:6:arithmetic:-"));
    }

    #[test]
    fn the_hash_separates_parts() {
        assert_ne!(hash(&[b"ab", b"c"]), hash(&[b"a", b"bc"]));
        assert_eq!(hash(&[b"x"]), hash(&[b"x"]));
    }
}
