//! The Python project being mutated: its pytest suite, interpreter, and which files are
//! sources (mutated) and which are tests (never mutated).

use crate::error::{MutateError, Result};
use rigor_model::{Config, SuiteConfig, SuiteKind};
use std::path::{Path, PathBuf};

/// The pytest suite mutants run against.
#[derive(Debug, Clone)]
pub struct PyProject {
    pub suite: SuiteConfig,
    /// Absolute suite root.
    pub root: PathBuf,
    pub python: String,
    /// Python files of the suite (relative to its root), sorted.
    pub files: Vec<String>,
}

impl PyProject {
    /// The configured (or detected) pytest suite of `config`.
    pub fn discover(config: &Config) -> Result<PyProject> {
        let suites = if config.suites.is_empty() {
            rigor_runner::project::detect(&config.root).suites
        } else {
            config.suites.clone()
        };
        let Some(suite) = suites.into_iter().find(|s| s.kind == SuiteKind::Pytest) else {
            return Err(MutateError::usage(
                "no pytest suite to run mutants against",
                "add a [[suite]] with kind = \"pytest\" to rigor.toml (`rigor init` detects one)",
            ));
        };
        let root = config.root.join(&suite.root);
        let root = std::fs::canonicalize(&root).map_err(|source| MutateError::Read {
            path: root.display().to_string(),
            source,
        })?;
        let python = rigor_runner::project::python_for(config, &root);
        let files = python_files(&root);
        Ok(PyProject {
            suite,
            root,
            python,
            files,
        })
    }
}

/// Directories whose files are never tests' subjects.
fn in_environment(p: &str) -> bool {
    p.split('/').any(|c| {
        matches!(
            c,
            ".venv"
                | "venv"
                | ".tox"
                | ".nox"
                | "node_modules"
                | "__pycache__"
                | "site-packages"
                | "build"
                | "dist"
                | "mutants"
                | ".git"
                | ".rigor"
        )
    })
}

/// The `.py` files under `root`: `git ls-files` (tracked and untracked, not ignored), else a
/// walk.
pub fn python_files(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = match rigor_vcs::git::ls_files(root) {
        Ok(files) => files,
        Err(_) => walk(root, ""),
    };
    v.retain(|p| p.ends_with(".py") && !in_environment(p) && root.join(p).is_file());
    v.sort();
    v.dedup();
    v
}

fn walk(root: &Path, rel: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(root.join(rel)) else {
        return out;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let p = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        match e.file_type() {
            Ok(t) if t.is_dir() && !in_environment(&p) => out.extend(walk(root, &p)),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
    out
}

/// Is `path` (relative, `/`-separated) a test module, a conftest or a test helper directory's
/// file, by pytest's default naming?
pub fn is_test_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let in_tests = path
        .split('/')
        .rev()
        .skip(1)
        .any(|c| matches!(c, "tests" | "test" | "testing"));
    name == "conftest.py"
        || (name.starts_with("test_") && name.ends_with(".py"))
        || name.ends_with("_test.py")
        || in_tests
}

/// Files that are project plumbing rather than code under test.
pub fn is_plumbing(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "setup.py" | "noxfile.py" | "conftest.py" | "fabfile.py" | "tasks.py"
    ) || path
        .split('/')
        .rev()
        .skip(1)
        .any(|c| matches!(c, "docs" | "doc" | "examples" | "benchmarks" | "scripts"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_plumbing_are_told_apart_from_sources() {
        assert!(is_test_file("tests/test_a.py"));
        assert!(is_test_file("tests/helpers.py"));
        assert!(is_test_file("pkg/a_test.py"));
        assert!(is_test_file("conftest.py"));
        assert!(!is_test_file("pkg/testing_utils.py"));
        assert!(!is_test_file("pkg/a.py"));
        assert!(is_plumbing("setup.py"));
        assert!(is_plumbing("docs/conf.py"));
        assert!(!is_plumbing("pkg/a.py"));
    }
}
