//! Project detection: which suites a directory holds, and which Python runs them.

use rigor_model::{Config, SuiteConfig, SuiteKind};
use std::path::{Path, PathBuf};

/// What `rigor init` and auto-detection found.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    pub suites: Vec<SuiteConfig>,
    /// Why each suite was detected (for `rigor init`'s output).
    pub reasons: Vec<String>,
}

/// Detect pytest projects and cargo workspaces in `root`.
pub fn detect(root: &Path) -> Detected {
    let mut suites = Vec::new();
    let mut reasons = Vec::new();
    if let Some(why) = pytest_marker(root) {
        suites.push(suite("python", SuiteKind::Pytest));
        reasons.push(format!("python (pytest): {why}"));
    }
    if root.join("Cargo.toml").is_file() {
        let kind = if crate::suite::rust::nextest_available() {
            SuiteKind::Nextest
        } else {
            SuiteKind::CargoTest
        };
        suites.push(suite("rust", kind));
        reasons.push(format!("rust ({}): Cargo.toml", kind.as_str()));
    }
    Detected { suites, reasons }
}

fn suite(name: &str, kind: SuiteKind) -> SuiteConfig {
    SuiteConfig {
        name: name.into(),
        kind,
        root: ".".into(),
        args: Vec::new(),
        setup: Vec::new(),
        timeout: None,
        commands: Default::default(),
        env: Default::default(),
    }
}

fn pytest_marker(root: &Path) -> Option<String> {
    if root.join("pytest.ini").is_file() {
        return Some("pytest.ini".into());
    }
    let has = |file: &str, needle: &str| {
        std::fs::read_to_string(root.join(file))
            .map(|t| t.contains(needle))
            .unwrap_or(false)
    };
    if has("pyproject.toml", "[tool.pytest") {
        return Some("[tool.pytest.ini_options] in pyproject.toml".into());
    }
    if has("setup.cfg", "[tool:pytest]") {
        return Some("[tool:pytest] in setup.cfg".into());
    }
    if has("tox.ini", "[pytest]") {
        return Some("[pytest] in tox.ini".into());
    }
    for dir in ["tests", "test", "testing"] {
        if has_python_tests(&root.join(dir)) {
            return Some(format!("{dir}/ with test_*.py files"));
        }
    }
    if std::fs::read_dir(root)
        .map(|rd| rd.flatten().any(|e| is_test_file(&e.path())))
        .unwrap_or(false)
    {
        return Some("test_*.py files at the root".into());
    }
    if root.join("pyproject.toml").is_file()
        || root.join("setup.py").is_file()
        || root.join("setup.cfg").is_file()
    {
        // A Python project whose tests live inside the package (src layout or flat).
        for base in [root.join("src"), root.to_path_buf()] {
            if let Ok(rd) = std::fs::read_dir(&base) {
                for e in rd.flatten() {
                    let p = e.path();
                    if p.is_dir() && p.join("__init__.py").is_file() && has_python_tests(&p) {
                        return Some(format!(
                            "tests inside {}",
                            p.strip_prefix(root).unwrap_or(&p).display()
                        ));
                    }
                }
            }
        }
    }
    None
}

fn is_test_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"))
}

fn has_python_tests(dir: &Path) -> bool {
    fn walk(dir: &Path, depth: usize) -> bool {
        if depth > 4 {
            return false;
        }
        let Ok(rd) = std::fs::read_dir(dir) else {
            return false;
        };
        for e in rd.flatten() {
            let p = e.path();
            if is_test_file(&p) {
                return true;
            }
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if p.is_dir() && !hidden && walk(&p, depth + 1) {
                return true;
            }
        }
        false
    }
    walk(dir, 0)
}

/// The interpreter for pytest suites: configured, else the project's .venv/ or venv/, else python3.
pub fn python_for(config: &Config, suite_root: &Path) -> String {
    if !config.python.interpreter.is_empty() {
        let p = PathBuf::from(&config.python.interpreter);
        if p.components().count() > 1 && p.is_relative() {
            return config.root.join(p).display().to_string();
        }
        return config.python.interpreter.clone();
    }
    for base in [suite_root, config.root.as_path()] {
        for venv in [".venv", "venv"] {
            let py = base.join(venv).join("bin").join("python");
            if py.is_file() {
                return py.display().to_string();
            }
        }
    }
    "python3".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn detects_each_pytest_marker() {
        for (file, text) in [
            ("pytest.ini", "[pytest]\n"),
            ("pyproject.toml", "[tool.pytest.ini_options]\n"),
            ("setup.cfg", "[tool:pytest]\n"),
            ("tox.ini", "[pytest]\n"),
            ("tests/test_x.py", "def test_x(): pass\n"),
            ("src/pkg/__init__.py", ""),
        ] {
            let d = tempfile::tempdir().unwrap();
            touch(d.path(), file, text);
            if file.starts_with("src/") {
                touch(d.path(), "pyproject.toml", "[project]\nname='x'\n");
                touch(d.path(), "src/pkg/tests/test_a.py", "");
            }
            let found = detect(d.path());
            assert_eq!(found.suites.len(), 1, "{file}");
            assert_eq!(found.suites[0].kind, SuiteKind::Pytest, "{file}");
        }
    }

    #[test]
    fn an_empty_directory_has_no_suites() {
        let d = tempfile::tempdir().unwrap();
        assert!(detect(d.path()).suites.is_empty());
    }

    #[test]
    fn a_venv_in_the_project_is_preferred() {
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), ".venv/bin/python", "");
        let cfg = Config::load(rigor_model::config::CORE_DEFAULTS, None, d.path(), &[]).unwrap();
        assert!(python_for(&cfg, d.path()).ends_with(".venv/bin/python"));
        let e = tempfile::tempdir().unwrap();
        let cfg = Config::load(rigor_model::config::CORE_DEFAULTS, None, e.path(), &[]).unwrap();
        assert_eq!(python_for(&cfg, e.path()), "python3");
    }
}
