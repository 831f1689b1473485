//! The Cargo package being mutated: its root, crate root file and source files.

use crate::error::{MutateError, Result};
use std::path::{Path, PathBuf};

/// A Cargo package (one `[package]` at the project root).
#[derive(Debug, Clone)]
pub struct RustProject {
    /// Absolute package root (where `Cargo.toml` is).
    pub root: PathBuf,
    /// The package name (`[package] name`).
    pub name: String,
    /// The crate root the switch function goes into: `src/lib.rs`, else `src/main.rs`.
    pub crate_root: String,
    /// The files of that crate under `src/` (relative, sorted), test files left out.
    pub files: Vec<String>,
}

/// Is there a Cargo manifest at `root`?
pub fn is_cargo_project(root: &Path) -> bool {
    root.join("Cargo.toml").is_file()
}

impl RustProject {
    pub fn discover(root: &Path) -> Result<RustProject> {
        let manifest = root.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).map_err(|source| MutateError::Read {
            path: manifest.display().to_string(),
            source,
        })?;
        let Some(name) = package_name(&text) else {
            return Err(MutateError::usage(
                format!("{}: no [package] with a name", manifest.display()),
                "rigor mutate runs in a Cargo package's directory (workspaces: run it in the member's directory)",
            ));
        };
        let root = std::fs::canonicalize(root).map_err(|source| MutateError::Read {
            path: root.display().to_string(),
            source,
        })?;
        let crate_root = ["src/lib.rs", "src/main.rs"]
            .into_iter()
            .find(|f| root.join(f).is_file())
            .ok_or_else(|| {
                MutateError::usage(
                    format!("{}: neither src/lib.rs nor src/main.rs", root.display()),
                    "rigor mutate mutates the package's library (or its binary when there is no library)",
                )
            })?
            .to_string();
        let mut files = Vec::new();
        walk(&root, "src", &mut files);
        files.retain(|f| is_source(f, &crate_root));
        files.sort();
        Ok(RustProject {
            root,
            name,
            crate_root,
            files,
        })
    }
}

/// `name = "…"` in the `[package]` table.
pub fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_package = t == "[package]";
            continue;
        }
        if !in_package {
            continue;
        }
        if let Some(rest) = t.strip_prefix("name") {
            let v = rest.trim_start().strip_prefix('=')?.trim();
            return Some(v.trim_matches('"').to_string());
        }
    }
    None
}

/// A file of the crate whose root is `crate_root`, and not a test module.
fn is_source(f: &str, crate_root: &str) -> bool {
    let name = f.rsplit('/').next().unwrap_or(f);
    let dirs: Vec<&str> = f.split('/').collect();
    let other_crate =
        f.starts_with("src/bin/") || (crate_root == "src/lib.rs" && f == "src/main.rs");
    let test_module = matches!(name, "tests.rs" | "test.rs")
        || name.starts_with("test_")
        || name.ends_with("_test.rs")
        || name.ends_with("_tests.rs")
        || dirs[..dirs.len() - 1].contains(&"tests");
    f.ends_with(".rs") && !other_crate && !test_module
}

fn walk(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let p = format!("{rel}/{name}");
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(root, &p, out),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
}

/// The module path of a source file (`src/a/b.rs` → `a::b`, `src/a/mod.rs` → `a`, the crate
/// root → ``).
pub fn module_path(file: &str) -> String {
    let rel = file.strip_prefix("src/").unwrap_or(file);
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<&str> = rel.split('/').collect();
    if matches!(parts.last(), Some(&"mod") | Some(&"lib") | Some(&"main")) {
        parts.pop();
    }
    parts.join("::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_name_comes_from_the_package_table() {
        let m = "[workspace]\nname = \"no\"\n[package]\nversion = \"1\"\nname = \"demo\"\n";
        assert_eq!(package_name(m).as_deref(), Some("demo"));
        assert_eq!(package_name("[workspace]\nmembers = []\n"), None);
    }

    #[test]
    fn test_modules_and_other_crates_are_not_sources() {
        assert!(is_source("src/lib.rs", "src/lib.rs"));
        assert!(is_source("src/a/b.rs", "src/lib.rs"));
        assert!(!is_source("src/main.rs", "src/lib.rs"));
        assert!(is_source("src/main.rs", "src/main.rs"));
        assert!(!is_source("src/bin/tool.rs", "src/lib.rs"));
        assert!(!is_source("src/a/tests.rs", "src/lib.rs"));
        assert!(!is_source("src/tests/helpers.rs", "src/lib.rs"));
        assert!(!is_source("src/a.txt", "src/lib.rs"));
    }

    #[test]
    fn module_paths_follow_the_file_layout() {
        assert_eq!(module_path("src/lib.rs"), "");
        assert_eq!(module_path("src/a/b.rs"), "a::b");
        assert_eq!(module_path("src/a/mod.rs"), "a");
        assert_eq!(module_path("src/eval.rs"), "eval");
    }
}
