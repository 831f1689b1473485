//! The files of a suite, the parse cache's place, and paths of tests.

use crate::python::join;
use rigor_model::TestCase;
use std::path::{Path, PathBuf};

/// Paths inside virtual environments, tool caches and installed packages (when they are not
/// git-ignored): not the project's code.
fn in_environment(path: &str) -> bool {
    path.split('/').any(|c| {
        matches!(
            c,
            ".venv"
                | ".tox"
                | ".nox"
                | "__pycache__"
                | "site-packages"
                | "node_modules"
                | ".mypy_cache"
                | ".pytest_cache"
        )
    })
}

/// The Python files of a suite root: `git ls-files` (tracked and untracked, not ignored), else a
/// directory walk that skips hidden directories, virtual environments and caches.
pub fn list_files(dir: &Path) -> Vec<String> {
    match rigor_vcs::git::ls_files(dir) {
        Ok(files) => tidy(files),
        Err(_) => walk(dir),
    }
}

/// [`list_files`] when the untracked files under `dir` are known already (relative to it, from
/// the change's own `git ls-files --others`): the tracked ones come from the index alone.
pub(super) fn list_files_with(dir: &Path, untracked: Vec<String>) -> Vec<String> {
    match rigor_vcs::git::ls_tracked(dir) {
        Ok(mut files) => {
            files.extend(untracked);
            tidy(files)
        }
        Err(_) => walk(dir),
    }
}

fn tidy(files: Vec<String>) -> Vec<String> {
    let mut v: Vec<String> = files.into_iter().filter(|p| !in_environment(p)).collect();
    v.sort();
    v.dedup();
    v
}

/// Every file under `dir` except hidden directories, virtual environments, caches and build
/// output.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((abs, rel)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&abs) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let r = join(&rel, &name);
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                let skip = name.starts_with('.')
                    || matches!(
                        name.as_str(),
                        "__pycache__" | "node_modules" | "venv" | "target" | "build" | "dist"
                    )
                    || e.path().join("pyvenv.cfg").exists();
                if !skip {
                    stack.push((e.path(), r));
                }
            } else {
                out.push(r);
            }
        }
    }
    out.sort();
    out
}

/// The per-file parse cache of a suite: in `<root>/.rigor/cache/` once `<root>/.rigor/` exists
/// (the history's default home); without it nothing is written.
pub(super) fn parse_cache(root: &Path, suite: &str) -> Option<PathBuf> {
    let rigor = root.join(".rigor");
    rigor.is_dir().then(|| {
        rigor
            .join("cache")
            .join(format!("pyfacts-{}.json", sanitize(suite)))
    })
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The test's file (suite-relative): as discovered, else the part of its id before `::`.
pub(super) fn test_file(t: &TestCase) -> String {
    t.file
        .clone()
        .unwrap_or_else(|| t.key.id.split("::").next().unwrap_or_default().to_string())
}

/// The last component of a `/`-separated path.
pub(super) fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}
