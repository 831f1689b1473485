//! Advisory databases: a RustSec directory or any OSV directory (JSON or YAML), the kind
//! detected from the contents; loaded into an index by ecosystem and package name.

pub mod export;
pub mod fetch;
pub mod model;
pub mod osv;
pub mod rustsec;
pub mod update;
pub mod yanked;
pub mod zip;

use crate::error::{Result, SupplyError};
use crate::model::Ecosystem;
use model::Advisory;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The kinds of database rigor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DbKind {
    Rustsec,
    Osv,
}

impl DbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DbKind::Rustsec => "rustsec",
            DbKind::Osv => "osv",
        }
    }
}

/// What was loaded from one database directory.
#[derive(Debug, Clone, Serialize)]
pub struct DbInfo {
    pub path: String,
    pub kind: DbKind,
    /// Advisories read (one per affected package).
    pub advisories: usize,
    /// The newest date found in it (last commit when it is a git checkout, else the newest
    /// advisory file's modification), `YYYY-MM-DD`, for the age shown to people.
    pub updated: Option<String>,
}

/// All advisories, indexed by (ecosystem, normalised package name).
#[derive(Debug, Default)]
pub struct Database {
    pub infos: Vec<DbInfo>,
    index: HashMap<(Ecosystem, String), Vec<Advisory>>,
}

impl Database {
    /// Load every directory in `paths` (the kind of each detected).
    pub fn load(paths: &[PathBuf]) -> Result<Database> {
        let mut db = Database::default();
        for p in paths {
            let kind = detect(p)?;
            let advisories = match kind {
                DbKind::Rustsec => rustsec::load(p)?,
                DbKind::Osv => load_osv(p)?,
            };
            db.infos.push(DbInfo {
                path: p.display().to_string(),
                kind,
                advisories: advisories.len(),
                updated: newest(p),
            });
            for a in advisories {
                db.index
                    .entry((a.ecosystem, a.package.clone()))
                    .or_default()
                    .push(a);
            }
        }
        Ok(db)
    }

    /// The advisories about one package (name normalised for its ecosystem).
    pub fn about(&self, ecosystem: Ecosystem, name: &str) -> &[Advisory] {
        self.index
            .get(&(ecosystem, ecosystem.normalize(name)))
            .map_or(&[], Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.index.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

/// When a database was last updated (`YYYY-MM-DD`): a downloaded export's date, a checkout's
/// last commit, else the newest
/// modification date (UTC) of the files under `root` (hidden directories left out).
fn newest(root: &Path) -> Option<String> {
    if let Some(d) = export::downloaded(root) {
        return Some(d[..10].to_string());
    }
    if update::is_checkout(root)
        && let Some(d) = update::last_commit_date(root)
    {
        return Some(d);
    }
    let mut best: Option<std::time::SystemTime> = None;
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                dirs.push(e.path());
            } else if let Ok(m) = meta.modified() {
                best = Some(best.map_or(m, |b| b.max(m)));
            }
        }
    }
    let secs = best?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    Some(rigor_model::time::utc(secs)[..10].to_string())
}

/// A RustSec database has `crates/<name>/RUSTSEC-*.md`; anything else with JSON or YAML
/// files is read as OSV.
pub fn detect(path: &Path) -> Result<DbKind> {
    if !path.is_dir() {
        return Err(SupplyError::usage(
            format!("advisory database {} is not a directory", path.display()),
            "give the root of an unpacked RustSec or OSV database (e.g. --db ./advisory-db)",
        ));
    }
    if path.join("crates").is_dir() {
        return Ok(DbKind::Rustsec);
    }
    if osv_files(path).is_empty() {
        return Err(SupplyError::usage(
            format!(
                "{} holds neither a RustSec database (crates/…/RUSTSEC-*.md) nor OSV files (*.json, *.yaml)",
                path.display()
            ),
            "give the root of an unpacked RustSec or OSV database",
        ));
    }
    Ok(DbKind::Osv)
}

/// The OSV files under `root`, sorted; hidden directories are left out.
fn osv_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let hidden = e.file_name().to_string_lossy().starts_with('.');
            if p.is_dir() && !hidden {
                dirs.push(p);
            } else if !hidden
                && p.extension()
                    .is_some_and(|x| x == "json" || x == "yaml" || x == "yml")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn load_osv(root: &Path) -> Result<Vec<Advisory>> {
    let mut all = Vec::new();
    for f in osv_files(root) {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| SupplyError::read(&f, e, "the advisory files must be readable UTF-8"))?;
        let yaml = f.extension().is_some_and(|x| x != "json");
        all.extend(osv::parse(&f.display().to_string(), &text, yaml)?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kinds_and_refuses_other_directories() {
        let d = tempfile::tempdir().unwrap();
        let e = detect(d.path()).unwrap_err().to_string();
        assert!(e.contains("neither a RustSec database"), "{e}");
        std::fs::create_dir_all(d.path().join("vulns/x")).unwrap();
        std::fs::write(d.path().join("vulns/x/A.yaml"), "id: A\n").unwrap();
        assert_eq!(detect(d.path()).unwrap(), DbKind::Osv);
        std::fs::create_dir(d.path().join("crates")).unwrap();
        assert_eq!(detect(d.path()).unwrap(), DbKind::Rustsec);
        assert!(newest(d.path()).is_some_and(|u| u.len() == 10 && u.starts_with("20")));
        let e = detect(&d.path().join("nope")).unwrap_err().to_string();
        assert!(e.contains("is not a directory"), "{e}");
    }
}
