//! Inventories: the packages a project pins, one reader per input format, and the discovery of
//! those inputs in a project directory.

pub mod cargo_lock;
pub mod metadata;
pub mod python_locks;
pub mod requirements;
pub mod venv;

use crate::error::{Result, SupplyError};
use crate::model::Inventory;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The formats rigor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    CargoLock,
    Requirements,
    PoetryLock,
    UvLock,
    Pylock,
    PipfileLock,
    /// An installed environment (a venv's `*.dist-info/METADATA`).
    Venv,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::CargoLock => "cargo-lock",
            InputKind::Requirements => "requirements",
            InputKind::PoetryLock => "poetry-lock",
            InputKind::UvLock => "uv-lock",
            InputKind::Pylock => "pylock",
            InputKind::PipfileLock => "pipfile-lock",
            InputKind::Venv => "venv",
        }
    }

    /// The kind of a file, from its name.
    pub fn of(path: &Path) -> Option<InputKind> {
        if venv::is_environment(path) {
            return Some(InputKind::Venv);
        }
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name == "cargo.lock" {
            Some(InputKind::CargoLock)
        } else if name == "poetry.lock" {
            Some(InputKind::PoetryLock)
        } else if name == "uv.lock" {
            Some(InputKind::UvLock)
        } else if name == "pipfile.lock" {
            Some(InputKind::PipfileLock)
        } else if name == "pylock.toml" || (name.starts_with("pylock.") && name.ends_with(".toml"))
        {
            Some(InputKind::Pylock)
        } else if name.starts_with("requirements") && name.ends_with(".txt")
            || path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|d| d == "requirements")
                && name.ends_with(".txt")
        {
            Some(InputKind::Requirements)
        } else {
            None
        }
    }
}

/// One input file and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    /// The path as shown (relative to the project root when found there).
    pub file: String,
    pub kind: InputKind,
    /// Where it was read from.
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    pub inventory: Inventory,
}

/// The inputs of a project directory: its lockfiles (Cargo, poetry, uv, pylock, Pipfile), `requirements*.txt` and
/// `requirements/*.txt`, in a stable order, then its virtual environment (`.venv/` or `venv/`
/// holding `pyvenv.cfg`).
pub fn discover(root: &Path) -> Vec<PathBuf> {
    let mut found = discover_files(root);
    found.extend(
        [".venv", "venv"]
            .iter()
            .map(|d| root.join(d))
            .filter(|d| d.join("pyvenv.cfg").is_file()),
    );
    found
}

fn discover_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in [root.to_path_buf(), root.join("requirements")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && InputKind::of(p).is_some_and(|k| k != InputKind::Venv))
            .collect();
        files.sort();
        found.extend(files);
    }
    found
}

/// Read one input file of a known kind; `label` is how it is named in findings.
pub fn read(path: &Path, label: &str) -> Result<Input> {
    let kind = InputKind::of(path).ok_or_else(|| {
        SupplyError::usage(
            format!("{label}: rigor does not know this kind of file"),
            "give a Cargo.lock, poetry.lock, uv.lock, pylock.toml, Pipfile.lock, requirements*.txt or a virtual environment directory",
        )
    })?;
    if kind == InputKind::Venv {
        return Ok(Input {
            file: label.to_string(),
            kind,
            path: path.to_path_buf(),
            inventory: venv::read(path, label)?,
        });
    }
    if kind == InputKind::Requirements {
        return Ok(Input {
            file: label.to_string(),
            kind,
            path: path.to_path_buf(),
            inventory: requirements::read(path, label)?,
        });
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| SupplyError::read(path, e, "give an existing, readable file"))?;
    let inventory = match kind {
        InputKind::CargoLock => cargo_lock::read(label, &text)?,
        InputKind::PoetryLock => python_locks::read_poetry(label, &text)?,
        InputKind::UvLock => python_locks::read_uv(label, &text)?,
        InputKind::Pylock => python_locks::read_pylock(label, &text)?,
        InputKind::PipfileLock => python_locks::read_pipfile(label, &text)?,
        InputKind::Requirements | InputKind::Venv => unreachable!("read above"),
    };
    Ok(Input {
        file: label.to_string(),
        kind,
        path: path.to_path_buf(),
        inventory,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        assert_eq!(
            InputKind::of(Path::new("a/Cargo.lock")),
            Some(InputKind::CargoLock)
        );
        assert_eq!(
            InputKind::of(Path::new("requirements-dev.txt")),
            Some(InputKind::Requirements)
        );
        assert_eq!(
            InputKind::of(Path::new("requirements/base.txt")),
            Some(InputKind::Requirements)
        );
        assert_eq!(InputKind::of(Path::new("notes.txt")), None);
        assert_eq!(InputKind::of(Path::new("uv.lock")), Some(InputKind::UvLock));
        assert_eq!(
            InputKind::of(Path::new("Pipfile.lock")),
            Some(InputKind::PipfileLock)
        );
        assert_eq!(
            InputKind::of(Path::new("pylock.dev.toml")),
            Some(InputKind::Pylock)
        );
        assert_eq!(
            InputKind::of(Path::new("poetry.lock")),
            Some(InputKind::PoetryLock)
        );
    }

    #[test]
    fn discovery_is_sorted_and_limited_to_known_files() {
        let d = tempfile::tempdir().unwrap();
        for f in [
            "requirements.txt",
            "Cargo.lock",
            "README.md",
            "requirements-dev.txt",
        ] {
            std::fs::write(d.path().join(f), "").unwrap();
        }
        std::fs::create_dir(d.path().join("requirements")).unwrap();
        std::fs::write(d.path().join("requirements/prod.txt"), "").unwrap();
        std::fs::create_dir(d.path().join(".venv")).unwrap();
        std::fs::write(d.path().join(".venv/pyvenv.cfg"), "").unwrap();
        std::fs::create_dir(d.path().join("venv")).unwrap();
        let names: Vec<String> = discover(d.path())
            .iter()
            .map(|p| p.strip_prefix(d.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            vec![
                "Cargo.lock",
                "requirements-dev.txt",
                "requirements.txt",
                "requirements/prod.txt",
                ".venv"
            ]
        );
    }
}
