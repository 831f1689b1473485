//! Kept verdicts for Rust: a mutant keeps its verdict while its file and the rest of the crate
//! (every file of the package: sources, tests, data, the manifest and the lockfile) are byte for
//! byte what they were when it was judged. Coarser than Python's per-test-file key, because any
//! code of a crate can be compiled into the tests that reach a mutant; when everything is kept,
//! nothing is built.

use crate::engine::FileMutants;
use crate::engine::cache::Plan;
use crate::error::Result;
use crate::model::MutantResult;
use crate::store;
use rigor_store::Store;
use std::collections::HashMap;
use std::path::Path;

/// Directories that never hold the crate's code or data.
const SKIP: &[&str] = &["target", ".git", ".rigor", "node_modules"];

/// A hash of every file of the package at `root` (paths and contents, in path order).
pub fn crate_hash(root: &Path) -> String {
    let mut files = Vec::new();
    collect(root, root, &mut files);
    files.sort();
    let contents: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(root.join(f)).unwrap_or_default())
        .collect();
    let mut parts: Vec<&[u8]> = Vec::new();
    for (f, c) in files.iter().zip(&contents) {
        parts.push(f.as_bytes());
        parts.push(c);
    }
    store::hash(&parts)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        match e.file_type() {
            Ok(t) if t.is_dir() && !SKIP.contains(&name.as_str()) => collect(root, &path, out),
            Ok(t) if t.is_file() => {
                if let Ok(rel) = path.strip_prefix(root) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
            _ => {}
        }
    }
}

/// The verdicts that still hold, the mutants left to run (per file), and the keys to save the
/// new verdicts under.
pub struct Split {
    pub kept: Vec<MutantResult>,
    pub pending: Vec<FileMutants>,
    pub plan: Plan,
}

pub fn split(store: &Store, files: &[FileMutants], crate_hash: &str, fresh: bool) -> Result<Split> {
    let mut out = Split {
        kept: Vec::new(),
        pending: Vec::new(),
        plan: Plan::default(),
    };
    for f in files {
        let fh = store::hash(&[f.source.as_bytes()]);
        let stored = if fresh {
            HashMap::new()
        } else {
            store::load(store, &f.file)?
        };
        let mut left = FileMutants {
            file: f.file.clone(),
            source: f.source.clone(),
            mutants: Vec::new(),
        };
        for m in &f.mutants {
            match stored.get(&m.signature()) {
                Some(k) if k.file_hash == fh && k.tests_hash == crate_hash => {
                    out.kept.push(k.result_for(m))
                }
                _ => left.mutants.push(m.clone()),
            }
        }
        out.plan
            .hashes
            .insert(f.file.clone(), (fh, crate_hash.to_string()));
        out.pending.push(left);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crate_hash_sees_every_file_but_build_output() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("src")).unwrap();
        std::fs::create_dir_all(d.path().join("target/debug")).unwrap();
        std::fs::write(d.path().join("Cargo.toml"), "[package]\n").unwrap();
        std::fs::write(d.path().join("src/lib.rs"), "pub fn f() {}\n").unwrap();
        let h0 = crate_hash(d.path());
        std::fs::write(d.path().join("target/debug/x"), "built").unwrap();
        assert_eq!(crate_hash(d.path()), h0, "build output does not count");
        std::fs::write(d.path().join("src/data.txt"), "fixture").unwrap();
        let h1 = crate_hash(d.path());
        assert_ne!(h1, h0, "a data file counts");
        std::fs::rename(
            d.path().join("src/data.txt"),
            d.path().join("src/other.txt"),
        )
        .unwrap();
        assert_ne!(crate_hash(d.path()), h1, "a renamed file counts");
    }
}
