//! The suites' impact graphs, built the first time a changed path needs them.

use super::files::{list_files, list_files_with, parse_cache};
use super::state::Ctx;
use super::types::SuiteSpec;
use crate::change::{ChangeKind, ChangeSet};
use crate::python::PyGraph;
use crate::rust::RustGraph;
use std::collections::HashMap;

#[derive(Default)]
pub(super) struct Graphs {
    /// Python import graphs by suite name.
    pub python: HashMap<String, PyGraph>,
    /// Cargo package graphs by suite name, or why `cargo metadata` failed.
    rust: HashMap<String, Result<RustGraph, String>>,
    /// Deleted and renamed-away paths (project-relative): they stay in the Python graphs so their
    /// old importers are found.
    deleted: Vec<String>,
}

impl Graphs {
    pub fn new(change: &ChangeSet) -> Graphs {
        let deleted = change
            .files
            .iter()
            .flat_map(|f| {
                let gone = (f.kind == ChangeKind::Deleted).then(|| f.path.clone());
                gone.into_iter().chain(f.old_path.clone())
            })
            .collect();
        Graphs {
            deleted,
            ..Graphs::default()
        }
    }

    /// The import graph of a pytest suite.
    pub fn python(&mut self, ctx: &Ctx, spec: &SuiteSpec) -> &PyGraph {
        let deleted = &self.deleted;
        self.python.entry(spec.name.clone()).or_insert_with(|| {
            let root = ctx.input.root;
            let dir = root.join(spec.global(""));
            let files = if ctx.change.untracked_listed {
                let untracked = ctx
                    .change
                    .files
                    .iter()
                    .filter(|f| f.kind == ChangeKind::Untracked)
                    .filter_map(|f| spec.local(&f.path))
                    .collect();
                list_files_with(&dir, untracked)
            } else {
                list_files(&dir)
            };
            ctx.timing.mark(&format!("{} files listed", files.len()));
            let del: Vec<String> = deleted.iter().filter_map(|d| spec.local(d)).collect();
            let cache = parse_cache(root, &spec.name);
            PyGraph::build_cached(&dir, &files, &del, cache.as_deref())
        })
    }

    /// The package graph of a Rust suite, or why it is unavailable.
    pub fn rust(&mut self, ctx: &Ctx, spec: &SuiteSpec) -> Result<&RustGraph, &str> {
        self.rust
            .entry(spec.name.clone())
            .or_insert_with(|| {
                RustGraph::load(&ctx.input.root.join(spec.global(""))).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(String::as_str)
    }
}
