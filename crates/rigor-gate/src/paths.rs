//! Paths in reports made repository-relative, as git diff prints them.

use crate::readers::coverage::Coverage;
use std::path::{Component, Path, PathBuf};

/// Lexically clean a path (drop `.`, resolve `..`).
fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `base` canonicalized, once per base and thread: a report of 500,000 testcases normalizes
/// as many paths against the same two roots, and canonicalizing is a system call per component.
fn canonical(base: &Path) -> Option<PathBuf> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CANONICAL: RefCell<HashMap<PathBuf, Option<PathBuf>>> = RefCell::new(HashMap::new());
    }
    CANONICAL.with(|cache| {
        cache
            .borrow_mut()
            .entry(base.to_path_buf())
            .or_insert_with(|| base.canonicalize().ok())
            .clone()
    })
}

/// A report's path as a repository-relative path with `/` separators.
pub fn normalize_path(p: &str, project_root: &Path, repo_root: Option<&Path>) -> String {
    let p = p.replace('\\', "/");
    let p = p.strip_prefix("file://").unwrap_or(&p);
    let abs = if Path::new(p).is_absolute() {
        clean(Path::new(p))
    } else {
        clean(&project_root.join(p))
    };
    let bases: Vec<PathBuf> = [
        repo_root.map(Path::to_path_buf),
        Some(project_root.to_path_buf()),
    ]
    .into_iter()
    .flatten()
    .flat_map(|b| {
        let canon = canonical(&b);
        [Some(clean(&b)), canon].into_iter().flatten()
    })
    .collect();
    // the repository root first: its relative paths are what git diff prints
    for b in &bases {
        if let Ok(rel) = abs.strip_prefix(b) {
            return rel.to_string_lossy().replace('\\', "/");
        }
    }
    p.trim_start_matches("./").to_string()
}

/// Cobertura's relative `<source>` is relative to where coverage ran, usually the report's
/// directory; make such paths relative to the project root.
pub fn rebase(cov: Coverage, report_dir: &Path, root: &Path) -> Coverage {
    let mut out = Coverage::default();
    for (p, fc) in cov.files {
        let path = Path::new(&p);
        let np =
            if path.is_absolute() || root.join(path).exists() || !report_dir.join(path).exists() {
                p
            } else {
                report_dir.join(path).to_string_lossy().into_owned()
            };
        out.files.insert(np, fc);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_paths_become_repository_relative() {
        let repo = Path::new("/repo");
        let proj = Path::new("/repo/py");
        assert_eq!(
            normalize_path("/repo/py/pkg/a.py", proj, Some(repo)),
            "py/pkg/a.py"
        );
        assert_eq!(normalize_path("pkg/a.py", proj, Some(repo)), "py/pkg/a.py");
        assert_eq!(
            normalize_path("./pkg/../pkg/a.py", proj, Some(repo)),
            "py/pkg/a.py"
        );
        assert_eq!(
            normalize_path("pkg\\win.py", proj, Some(repo)),
            "py/pkg/win.py"
        );
        assert_eq!(
            normalize_path("file:///repo/x.rs", proj, Some(repo)),
            "x.rs"
        );
        assert_eq!(
            normalize_path("/elsewhere/a.py", proj, Some(repo)),
            "/elsewhere/a.py"
        );
        assert_eq!(normalize_path("a.py", proj, None), "a.py");
    }
}
