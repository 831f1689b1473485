//! The temporary copy of the project that mutants run in: the user's working tree is never
//! written. Version control data, histories, virtual environments, caches and build output
//! are left out.

use crate::error::{MutateError, Result};
use std::path::{Path, PathBuf};

/// Directory names never copied.
const SKIP: &[&str] = &[
    ".git",
    ".hg",
    ".rigor",
    "target",
    "node_modules",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "mutants",
];

/// A copy of a directory tree that is removed when dropped.
pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Sandbox {
    /// Copy `from` into a fresh temporary directory.
    pub fn copy_of(from: &Path) -> Result<Sandbox> {
        let dir = tempfile::Builder::new()
            .prefix("rigor-mutate-")
            .tempdir()
            .map_err(|source| MutateError::Write {
                path: std::env::temp_dir().display().to_string(),
                source,
            })?;
        let root = dir.path().join("project");
        copy_tree(from, &root)?;
        Ok(Sandbox { _dir: dir, root })
    }

    /// Write `text` at `rel` inside the copy.
    pub fn write(&self, rel: &str, text: &str) -> Result<()> {
        let p = self.root.join(rel);
        std::fs::write(&p, text).map_err(|source| MutateError::Write {
            path: p.display().to_string(),
            source,
        })
    }

    /// A path for rigor's own files inside the sandbox (outside the project copy).
    pub fn own(&self, name: &str) -> PathBuf {
        self._dir.path().join(name)
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let read_err = |source| MutateError::Read {
        path: from.display().to_string(),
        source,
    };
    std::fs::create_dir_all(to).map_err(|source| MutateError::Write {
        path: to.display().to_string(),
        source,
    })?;
    for e in std::fs::read_dir(from).map_err(read_err)? {
        let e = e.map_err(read_err)?;
        let name = e.file_name();
        let name_s = name.to_string_lossy();
        let ft = e.file_type().map_err(read_err)?;
        let dest = to.join(&name);
        if ft.is_dir() {
            if SKIP.contains(&name_s.as_ref()) {
                continue;
            }
            copy_tree(&e.path(), &dest)?;
        } else if ft.is_symlink() {
            if let Ok(target) = std::fs::read_link(e.path()) {
                let _ = std::os::unix::fs::symlink(target, &dest);
            }
        } else if ft.is_file() {
            std::fs::copy(e.path(), &dest).map_err(|source| MutateError::Write {
                path: dest.display().to_string(),
                source,
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_leaves_out_vcs_and_caches_and_goes_away() {
        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join(".git/objects")).unwrap();
        std::fs::create_dir_all(src.path().join("pkg/__pycache__")).unwrap();
        std::fs::write(src.path().join("pkg/a.py"), "x = 1\n").unwrap();
        std::fs::write(src.path().join("pkg/__pycache__/a.pyc"), "").unwrap();
        let sb = Sandbox::copy_of(src.path()).unwrap();
        assert!(sb.root.join("pkg/a.py").is_file());
        assert!(!sb.root.join(".git").exists());
        assert!(!sb.root.join("pkg/__pycache__").exists());
        sb.write("pkg/a.py", "x = 2\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(src.path().join("pkg/a.py")).unwrap(),
            "x = 1\n",
            "the original is untouched"
        );
        let root = sb.root.clone();
        drop(sb);
        assert!(!root.exists());
    }
}
