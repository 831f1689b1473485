//! What selection reads and what it returns.

use crate::config::SelectConfig;
use crate::history::History;
use crate::python::join;
use crate::risk::RiskFactors;
use rigor_model::{SuiteKind, TestKey};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A suite as selection sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteSpec {
    pub name: String,
    pub kind: SuiteKind,
    /// Root relative to the project root (`.` or `""` for the root itself).
    pub root: String,
}

impl SuiteSpec {
    pub fn new(name: &str, kind: SuiteKind, root: &str) -> SuiteSpec {
        SuiteSpec {
            name: name.into(),
            kind,
            root: root.into(),
        }
    }

    /// From the configured suites.
    pub fn from_config(c: &rigor_model::SuiteConfig) -> SuiteSpec {
        SuiteSpec::new(&c.name, c.kind, &c.root)
    }

    fn root_prefix(&self) -> String {
        let r = self.root.trim_start_matches("./").trim_end_matches('/');
        if r == "." {
            String::new()
        } else {
            r.to_string()
        }
    }

    /// `path` (project-relative) relative to this suite's root, if inside it.
    pub fn local(&self, path: &str) -> Option<String> {
        let p = self.root_prefix();
        if p.is_empty() {
            return Some(path.to_string());
        }
        path.strip_prefix(&format!("{p}/")).map(str::to_string)
    }

    /// A suite-relative path made project-relative.
    pub fn global(&self, local: &str) -> String {
        join(&self.root_prefix(), local)
    }
}

/// A selected test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectedTest {
    pub key: TestKey,
    /// Human reasons, e.g. `imports boltons.strutils via tests/test_x.py → boltons/strutils.py`.
    pub reasons: Vec<String>,
    /// Risk in [0, 1] (see [`crate::risk`]); higher runs earlier.
    pub risk: f64,
    /// What the risk was computed from.
    pub factors: RiskFactors,
}

/// The result of [`crate::select()`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Selection {
    pub base: String,
    pub head: String,
    /// How the base was chosen (see [`crate::ChangeSet::base_source`]).
    #[serde(default)]
    pub base_source: String,
    /// Changed paths (project-relative), as seen by selection.
    pub changed_files: Vec<String>,
    /// Why everything runs, when it does.
    pub full_run: Option<String>,
    /// Selected tests, in discovery order.
    pub selected: Vec<SelectedTest>,
    /// Tests left out, with why.
    pub skipped: Vec<(TestKey, String)>,
    /// What happened to each changed file that selected nothing (ignored, stub, …).
    pub notes: Vec<String>,
    /// `(path glob, selector)` of matched rules whose selector is not a simple form: the planner
    /// evaluates them with the selector language and adds their tests.
    pub deferred_rules: Vec<(String, String)>,
}

impl Selection {
    /// Why `key` is or is not selected.
    pub fn explain(&self, key: &TestKey) -> String {
        if let Some(s) = self.selected.iter().find(|s| &s.key == key) {
            return format!(
                "{key} is selected (risk {:.2}): {}",
                s.risk,
                s.reasons.join("; ")
            );
        }
        if let Some((_, why)) = self.skipped.iter().find(|(k, _)| k == key) {
            return format!("{key} is not selected: {why}");
        }
        format!("{key} is not a discovered test")
    }

    pub fn is_selected(&self, key: &TestKey) -> bool {
        self.selected.iter().any(|s| &s.key == key)
    }
}

/// Everything [`crate::select()`] needs besides the change and the tests.
pub struct SelectInput<'a> {
    /// Project root (where `rigor.toml` is); the change's paths are relative to it.
    pub root: &'a Path,
    pub config: &'a SelectConfig,
    pub suites: &'a [SuiteSpec],
    pub history: &'a History,
}
