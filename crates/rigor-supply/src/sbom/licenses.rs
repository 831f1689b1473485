//! Licences of crates, offline: the `license` field of the crate's own `Cargo.toml` in Cargo's
//! local registry source cache (`$CARGO_HOME/registry/src/<index>/<name>-<version>/`), which
//! holds every crate a build on this machine has unpacked. A crate not there gets no licence
//! (NOASSERTION in SPDX, no `licenses` in CycloneDX); nothing is fetched.

use crate::model::License;
use std::path::{Path, PathBuf};

/// Cargo's home: `CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(h));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo"))
}

/// The unpacked sources of each registry index in the cache (`registry/src/*`).
pub fn registry_sources(cargo_home: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cargo_home.join("registry").join("src"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// An SPDX expression from Cargo's `license` field: the deprecated `/` separator is `OR`.
pub fn normalize_expression(s: &str) -> String {
    s.split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The licence a crate declares, from the first registry source that holds it.
pub fn crate_license(sources: &[PathBuf], name: &str, version: &str) -> Option<License> {
    for src in sources {
        let manifest = src.join(format!("{name}-{version}")).join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let Ok(doc) = toml::from_str::<toml::Table>(&text) else {
            continue;
        };
        let license = doc
            .get("package")
            .and_then(|p| p.get("license"))
            .and_then(|l| l.as_str())
            .map(str::trim)
            .filter(|l| !l.is_empty());
        return license.map(|l| License::Expression(normalize_expression(l)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn licences_come_from_the_registry_source_cache() {
        let t = tempfile::tempdir().unwrap();
        let idx = t.path().join("registry/src/index.example-0123");
        std::fs::create_dir_all(idx.join("smallvec-0.6.10")).unwrap();
        std::fs::write(
            idx.join("smallvec-0.6.10/Cargo.toml"),
            "[package]\nname = \"smallvec\"\nversion = \"0.6.10\"\nlicense = \"MIT/Apache-2.0\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(idx.join("nolicense-1.0.0")).unwrap();
        std::fs::write(
            idx.join("nolicense-1.0.0/Cargo.toml"),
            "[package]\nname = \"nolicense\"\nlicense-file = \"LICENSE\"\n",
        )
        .unwrap();
        let sources = registry_sources(t.path());
        assert_eq!(sources, vec![idx.clone()]);
        assert_eq!(
            crate_license(&sources, "smallvec", "0.6.10"),
            Some(License::Expression("MIT OR Apache-2.0".into()))
        );
        assert_eq!(crate_license(&sources, "smallvec", "1.0.0"), None);
        assert_eq!(crate_license(&sources, "nolicense", "1.0.0"), None);
        assert!(registry_sources(&t.path().join("absent")).is_empty());
    }

    proptest! {
        /// An expression without `/` is kept as written; one with `/` keeps its licences in order.
        #[test]
        fn slash_becomes_or(ids in proptest::collection::vec("[A-Za-z0-9.-]{1,12}", 1..4)) {
            let joined = ids.join(" OR ");
            prop_assert_eq!(normalize_expression(&joined), joined.clone());
            prop_assert_eq!(normalize_expression(&ids.join("/")), joined);
        }
    }
}
