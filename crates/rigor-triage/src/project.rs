//! What triage knows of the project itself: its root, the top-level Python modules it defines
//! (to tell a missing project module from a missing dependency) and its Python files (for the
//! import graph).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub struct Project {
    pub root: PathBuf,
    /// Top-level importable names defined by the project (`pkg` for `pkg/__init__.py`,
    /// `src/pkg/…`, `mod.py`), and the names of its test files' directories.
    pub modules: BTreeSet<String>,
    /// Python files, relative to the root.
    pub python_files: Vec<String>,
    /// The import graph, built once on first use.
    graph: std::sync::OnceLock<rigor_select::python::PyGraph>,
}

impl Project {
    pub fn load(root: &Path) -> Project {
        let files = rigor_vcs::git::ls_files(root).unwrap_or_else(|_| walk(root));
        Project::from_files(root, files)
    }

    pub fn from_files(root: &Path, files: Vec<String>) -> Project {
        let python_files: Vec<String> = files.into_iter().filter(|f| f.ends_with(".py")).collect();
        let mut modules = BTreeSet::new();
        for f in &python_files {
            let parts: Vec<&str> = f.split('/').collect();
            let parts = match parts.as_slice() {
                ["src" | "lib" | "python", rest @ ..] if !rest.is_empty() => rest,
                all => all,
            };
            if let Some(first) = parts.first() {
                modules.insert(first.trim_end_matches(".py").to_string());
            }
        }
        Project {
            root: root.to_path_buf(),
            modules,
            python_files,
            graph: std::sync::OnceLock::new(),
        }
    }

    /// rigor-select's Python import graph of the project (built on first use).
    pub fn graph(&self) -> &rigor_select::python::PyGraph {
        self.graph.get_or_init(|| {
            rigor_select::python::PyGraph::build(&self.root, &self.python_files, &[])
        })
    }

    /// Is `module` (dotted) one of the project's own?
    pub fn owns_module(&self, module: &str) -> bool {
        let top = module.split('.').next().unwrap_or(module);
        self.modules.contains(top)
    }
}

/// Python files under `root` when git cannot list them (two levels of directories is enough
/// to find the top-level packages).
fn walk(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name == "node_modules" || name == "target" {
                continue;
            }
            if p.is_dir() && depth < 4 {
                stack.push((p, depth + 1));
            } else if name.ends_with(".py")
                && let Ok(rel) = p.strip_prefix(root)
            {
                out.push(rel.to_string_lossy().to_string());
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_top_level_names_with_src_layout() {
        let p = Project::from_files(
            Path::new("/x"),
            vec![
                "src/pkg/__init__.py".into(),
                "tool.py".into(),
                "tests/test_a.py".into(),
                "README.md".into(),
            ],
        );
        assert!(p.owns_module("pkg.core"));
        assert!(p.owns_module("tool"));
        assert!(!p.owns_module("numpy"));
        assert_eq!(p.python_files.len(), 3);
    }
}
