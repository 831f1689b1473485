//! Yanked crates, from the registry index cache Cargo keeps on the machine
//! (`$CARGO_HOME/registry/index/<registry>/.cache/…`, one file per crate listing every published
//! version with its `"yanked"` flag). RustSec does not record yanks; the index does. Nothing is
//! fetched: the cache is as fresh as the machine's last cargo resolution against the registry,
//! and a crate the cache has no file for is counted as unchecked.

use crate::model::{Ecosystem, Origin, Package};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A pinned crate version the registry index marks yanked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Yanked {
    pub package: String,
    pub version: String,
    pub source_file: String,
    pub line: usize,
}

/// What the yank check could do.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct YankCheck {
    /// `checked` (an index cache was read), `unavailable` (none found) or `not-applicable`
    /// (no registry crate among the inputs).
    pub status: &'static str,
    /// The index cache directories read.
    pub index: Vec<String>,
    /// Registry crates looked up.
    pub checked: usize,
    /// Of those, crates (or versions) the cache does not list: their yank state is unknown.
    pub unknown: usize,
    pub message: String,
}

/// The index cache directories: `dir` when configured (an index directory holding `.cache`,
/// or the `.cache` directory itself), else every `$CARGO_HOME/registry/index/*/.cache`.
pub fn caches(configured: Option<&Path>, cargo_home: Option<&Path>) -> Vec<PathBuf> {
    if let Some(d) = configured {
        let inner = d.join(".cache");
        return vec![if inner.is_dir() {
            inner
        } else {
            d.to_path_buf()
        }];
    }
    let Some(home) = cargo_home else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(home.join("registry/index")) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path().join(".cache")))
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// The path of a crate's file in an index: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…`
/// (the name lower-cased).
pub fn index_path(name: &str) -> PathBuf {
    let n = name.to_ascii_lowercase();
    match n.len() {
        0 => PathBuf::new(),
        1 => PathBuf::from("1").join(&n),
        2 => PathBuf::from("2").join(&n),
        3 => PathBuf::from("3").join(&n[..1]).join(&n),
        _ => PathBuf::from(&n[..2]).join(&n[2..4]).join(&n),
    }
}

/// The (version, yanked) pairs of one cache file: a format-version byte (3), the index
/// format version (4 bytes), the index revision ended by NUL, then for each published version
/// the version and its JSON record, each ended by NUL. `None` for a file in another format.
pub fn parse_cache(bytes: &[u8]) -> Option<Vec<(String, bool)>> {
    if bytes.first() != Some(&3) || bytes.len() < 5 {
        return None;
    }
    let mut parts = bytes[5..].split(|b| *b == 0);
    parts.next()?; // the revision
    let mut out = Vec::new();
    while let Some(version) = parts.next() {
        if version.is_empty() {
            break;
        }
        let record: serde_json::Value = serde_json::from_slice(parts.next()?).ok()?;
        let version = std::str::from_utf8(version).ok()?.to_string();
        out.push((version, record["yanked"].as_bool().unwrap_or(false)));
    }
    Some(out)
}

/// Whether `version` of `name` is yanked according to the first cache listing it.
fn lookup(caches: &[PathBuf], name: &str, version: &str) -> Option<bool> {
    let rel = index_path(name);
    caches.iter().find_map(|c| {
        let bytes = std::fs::read(c.join(&rel)).ok()?;
        let versions = parse_cache(&bytes)?;
        versions.iter().find(|(v, _)| v == version).map(|(_, y)| *y)
    })
}

/// Check every registry crate of `packages` against the caches.
pub fn check(packages: &[&Package], caches: &[PathBuf]) -> (Vec<Yanked>, YankCheck) {
    let crates: Vec<&&Package> = packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Crates && p.origin == Origin::Registry)
        .collect();
    let index: Vec<String> = caches.iter().map(|c| c.display().to_string()).collect();
    if crates.is_empty() {
        let check = YankCheck {
            status: "not-applicable",
            index,
            message: "no registry crate to check for yanks".into(),
            ..YankCheck::default()
        };
        return (Vec::new(), check);
    }
    if caches.is_empty() {
        let check = YankCheck {
            status: "unavailable",
            message: "yanked crates not checked: no registry index cache on this machine ($CARGO_HOME/registry/index/*/.cache, or [audit] registry_index); rigor never fetches the index".into(),
            ..YankCheck::default()
        };
        return (Vec::new(), check);
    }
    let mut yanked = Vec::new();
    let mut unknown = 0;
    for p in &crates {
        match lookup(caches, &p.name, &p.version) {
            Some(true) => yanked.push(Yanked {
                package: p.name.clone(),
                version: p.version.clone(),
                source_file: p.source_file.clone(),
                line: p.line,
            }),
            Some(false) => {}
            None => unknown += 1,
        }
    }
    let message = format!(
        "{} registry crates checked for yanks against the local index cache, {} yanked, {} not in the cache (unknown)",
        crates.len(),
        yanked.len(),
        unknown
    );
    let check = YankCheck {
        status: "checked",
        index,
        checked: crates.len(),
        unknown,
        message,
    };
    (yanked, check)
}

/// Write a cache file in the format `parse_cache` reads (tests and fixtures).
pub fn write_cache(versions: &[(&str, bool)], name: &str) -> Vec<u8> {
    let mut out = vec![3u8, 2, 0, 0, 0];
    out.extend_from_slice(b"rev\0");
    for (v, y) in versions {
        out.extend_from_slice(v.as_bytes());
        out.push(0);
        let rec = serde_json::json!({"name": name, "vers": v, "deps": [], "cksum": "00", "features": {}, "yanked": y});
        out.extend_from_slice(rec.to_string().as_bytes());
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn krate(name: &str, version: &str) -> Package {
        Package {
            ecosystem: Ecosystem::Crates,
            name: name.into(),
            version: version.into(),
            source_file: "Cargo.lock".into(),
            line: 7,
            origin: Origin::Registry,
            hashes: vec![],
            dependencies: vec![],
            marker: None,
            licenses: vec![],
        }
    }

    #[test]
    fn index_paths_follow_the_registry_layout() {
        assert_eq!(index_path("a"), PathBuf::from("1/a"));
        assert_eq!(index_path("cc"), PathBuf::from("2/cc"));
        assert_eq!(index_path("Syn"), PathBuf::from("3/s/syn"));
        assert_eq!(index_path("smallvec"), PathBuf::from("sm/al/smallvec"));
    }

    #[test]
    fn yanked_versions_from_a_fabricated_cache() {
        let d = tempfile::tempdir().unwrap();
        let cache = d.path().join("index/.cache");
        std::fs::create_dir_all(cache.join("sm/al")).unwrap();
        std::fs::write(
            cache.join("sm/al/smallvec"),
            write_cache(&[("0.6.9", false), ("0.6.10", true)], "smallvec"),
        )
        .unwrap();
        let caches = caches(Some(&d.path().join("index")), None);
        assert_eq!(caches, vec![cache.clone()]);
        let (a, b, c) = (
            krate("smallvec", "0.6.10"),
            krate("smallvec", "0.6.9"),
            krate("libc", "0.2.1"),
        );
        let (y, check) = check(&[&a, &b, &c], &caches);
        assert_eq!(y.len(), 1);
        assert_eq!(
            (y[0].package.as_str(), y[0].version.as_str(), y[0].line),
            ("smallvec", "0.6.10", 7)
        );
        assert_eq!(
            (check.status, check.checked, check.unknown),
            ("checked", 3, 1)
        );
    }

    #[test]
    fn no_cache_is_said_not_hidden() {
        let a = krate("smallvec", "0.6.10");
        let (y, check) = check(&[&a], &[]);
        assert!(y.is_empty());
        assert_eq!(check.status, "unavailable");
        assert!(check.message.contains("never fetches"));
        let d = tempfile::tempdir().unwrap();
        assert!(caches(None, Some(d.path())).is_empty());
    }

    #[test]
    fn other_formats_are_not_misread() {
        assert_eq!(parse_cache(b""), None);
        assert_eq!(parse_cache(&[1, 0, 0, 0, 0, b'x', 0]), None);
        let mut bad = write_cache(&[("1.0.0", true)], "x");
        let n = bad.len();
        bad[n - 3] = b'!';
        assert_eq!(parse_cache(&bad), None);
    }

    proptest! {
        /// Round trip: what is written is read back, version by version.
        #[test]
        fn cache_files_round_trip(vs in proptest::collection::vec(("[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}(\\+[a-z0-9.]{1,6})?", any::<bool>()), 0..12)) {
            let refs: Vec<(&str, bool)> = vs.iter().map(|(v, y)| (v.as_str(), *y)).collect();
            let parsed = parse_cache(&write_cache(&refs, "c")).unwrap();
            let want: Vec<(String, bool)> = vs.clone();
            prop_assert_eq!(parsed, want);
        }
    }
}
