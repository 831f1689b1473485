//! Which files and which mutants a run covers: the change (`--diff`), `--file`, `--function`,
//! `[mutate] paths` / `exclude`, or the whole project.

use crate::error::{MutateError, Result};
use crate::model::Mutant;
use crate::project::{is_plumbing, is_test_file};
use rigor_vcs::{ChangeKind, ChangeSet, LineRange};
use std::collections::BTreeMap;

/// The scope asked for.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Changed lines per file (suite-relative) when `--diff`.
    pub diff: Option<BTreeMap<String, Vec<LineRange>>>,
    /// How the diff's base was chosen (for the output).
    pub base: Option<String>,
    /// `--file` (suite-relative).
    pub files: Vec<String>,
    /// `--function` names (`name`, `Class.name` or `Class`).
    pub functions: Vec<String>,
    /// `[mutate] paths`.
    pub paths: Vec<String>,
    /// `[mutate] exclude` globs.
    pub exclude: Option<globset::GlobSet>,
}

impl Scope {
    /// The changed lines of the work tree against `base` (resolved as everywhere in rigor).
    pub fn diff_lines(
        root: &std::path::Path,
        base: Option<&str>,
    ) -> Result<(BTreeMap<String, Vec<LineRange>>, String)> {
        let change = ChangeSet::detect(root, base)?;
        let lines = change
            .files
            .iter()
            .filter(|f| {
                f.kind != ChangeKind::Deleted
                    && (f.path.ends_with(".py") || f.path.ends_with(".rs"))
            })
            .map(|f| (f.path.clone(), f.added.clone()))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        Ok((lines, change.base_source))
    }

    /// Compile `[mutate] exclude`.
    pub fn exclude_globs(globs: &[String]) -> Result<Option<globset::GlobSet>> {
        if globs.is_empty() {
            return Ok(None);
        }
        let mut b = globset::GlobSetBuilder::new();
        for g in globs {
            b.add(globset::Glob::new(g).map_err(|e| {
                MutateError::usage(
                    format!("[mutate] exclude: bad glob `{g}`: {e}"),
                    "globs are relative to the suite root, e.g. \"pkg/vendored/**\"",
                )
            })?);
        }
        Ok(Some(b.build().map_err(|e| {
            MutateError::usage(format!("[mutate] exclude: {e}"), "check the globs")
        })?))
    }

    /// The files to mutate among the suite's Python files.
    pub fn select_files(&self, all: &[String]) -> Result<Vec<String>> {
        for f in &self.files {
            if !all.contains(f) {
                return Err(MutateError::usage(
                    format!("--file {f}: not a source file of the project"),
                    "give a path relative to the suite root, e.g. pkg/module.py",
                ));
            }
        }
        let under = |f: &str, p: &str| {
            let p = p.trim_end_matches('/');
            p.is_empty() || p == "." || f == p || f.starts_with(&format!("{p}/"))
        };
        Ok(all
            .iter()
            .filter(|f| {
                if !self.files.is_empty() {
                    return self.files.contains(f);
                }
                !is_test_file(f)
                    && !is_plumbing(f)
                    && (self.paths.is_empty() || self.paths.iter().any(|p| under(f, p)))
            })
            .filter(|f| {
                self.exclude
                    .as_ref()
                    .is_none_or(|g| !g.is_match(f.as_str()))
            })
            .filter(|f| self.diff.as_ref().is_none_or(|d| d.contains_key(*f)))
            .cloned()
            .collect())
    }

    /// Does the mutant fall inside the scope's lines and functions?
    pub fn keeps(&self, m: &Mutant) -> bool {
        if let Some(d) = &self.diff {
            let Some(ranges) = d.get(&m.file) else {
                return false;
            };
            if !ranges
                .iter()
                .any(|r| r.start <= m.end_line && m.line <= r.end)
            {
                return false;
            }
        }
        self.functions.is_empty()
            || self
                .functions
                .iter()
                .any(|f| function_matches(&m.function, f))
    }
}

/// `--function f` matches `f`, `Class.f` (any class), `Class` (all its methods) and the
/// functions nested in any of those.
pub fn function_matches(qualified: &str, wanted: &str) -> bool {
    // Python names join with `.`, Rust names with `::`.
    let (q, w) = (qualified.replace("::", "."), wanted.replace("::", "."));
    let parts: Vec<&str> = q.split('.').collect();
    let want: Vec<&str> = w.split('.').collect();
    (0..parts.len()).any(|i| parts[i..].starts_with(&want))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(file: &str, line: u32, function: &str) -> Mutant {
        Mutant {
            id: 1,
            file: file.into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            start: 0,
            end: 1,
            expr_start: 0,
            expr_end: 1,
            operator: crate::model::Operator::Comparison,
            original: "<".into(),
            replacement: "<=".into(),
            function: function.into(),
        }
    }

    #[test]
    fn functions_match_by_name_class_or_qualified_name() {
        assert!(function_matches("Stack.push", "push"));
        assert!(function_matches("Stack.push", "Stack"));
        assert!(function_matches("Stack.push", "Stack.push"));
        assert!(function_matches("outer.inner", "outer"));
        assert!(!function_matches("Stack.push", "pop"));
        assert!(!function_matches("Stack.pushy", "push"));
    }

    #[test]
    fn the_diff_keeps_mutants_on_changed_lines_only() {
        let mut d = BTreeMap::new();
        d.insert("a.py".to_string(), vec![LineRange { start: 3, end: 5 }]);
        let s = Scope {
            diff: Some(d),
            ..Scope::default()
        };
        assert!(s.keeps(&m("a.py", 4, "f")));
        assert!(!s.keeps(&m("a.py", 6, "f")));
        assert!(!s.keeps(&m("b.py", 4, "f")));
        let files = vec![
            "a.py".to_string(),
            "b.py".to_string(),
            "tests/test_a.py".into(),
        ];
        assert_eq!(s.select_files(&files).unwrap(), vec!["a.py".to_string()]);
    }

    #[test]
    fn an_unknown_file_is_a_usage_error() {
        let s = Scope {
            files: vec!["nope.py".into()],
            ..Scope::default()
        };
        let e = s.select_files(&["a.py".into()]).unwrap_err().to_string();
        assert!(e.contains("--file nope.py"), "{e}");
    }
}
