//! Symbol refinement: when a module's change lies inside function and class bodies, only the
//! tests whose code reaches a changed definition stay selected.

use super::text::list_names;
use super::types::SuiteSpec;
use crate::change::{ChangeKind, ChangeSet, ChangedFile};
use crate::python::{PyGraph, join, parent};
use crate::symbols::scope::{Impact, Observation, ScopeFile};
use crate::symbols::{SymbolCache, changed_defs, file_symbols};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Above this many dependent files the extra parsing does not pay off.
const MAX_REACH: usize = 3000;

/// What changed in a module, by definition, and what it affects in the files that import it.
pub(super) struct Refinement {
    /// The changed definitions (both sides of the diff).
    pub changed: BTreeSet<String>,
    files: Vec<ScopeFile>,
    /// Graph file id → index in `files`.
    index: HashMap<usize, usize>,
    impact: Impact,
    /// Per scope file: the scope files its import runs (all import edges, transitively).
    imported: RefCell<HashMap<usize, Vec<usize>>>,
}

/// One changed module, as the refinement sees it.
pub(super) struct ChangedModule<'a> {
    pub spec: &'a SuiteSpec,
    pub file: &'a ChangedFile,
    /// Suite-relative path of the module.
    pub local: &'a str,
}

/// The symbol refinement for a changed module, or `None` when the change is not confined to
/// function and method bodies (or the module is too widely used for the extra parsing to pay
/// off). `reach` is the module's dependents in `g`.
pub(super) fn refinement(
    root: &Path,
    change: &ChangeSet,
    module: &ChangedModule,
    g: &PyGraph,
    reach: &BTreeMap<usize, Option<usize>>,
    cache: &mut SymbolCache,
    verbose: bool,
) -> Option<Refinement> {
    let cf = module.file;
    if cf.kind != ChangeKind::Modified || cf.lines.is_empty() || reach.len() > MAX_REACH {
        return None;
    }
    let suite_dir = root.join(module.spec.global(""));
    let new_ranges: Vec<(u32, u32)> = cf.lines.iter().map(|r| (r.start, r.end)).collect();
    let mut changed = changed_defs(cache.get(&suite_dir, module.local), &new_ranges)?;
    // The base side too: a renamed or removed definition is observed through its old name.
    let base_path = module.spec.global(cf.base_path());
    let old =
        rigor_vcs::git::bytes(root, &["show", &format!("{}:{base_path}", change.base)]).ok()?;
    let old_fs = file_symbols(&String::from_utf8_lossy(&old));
    let old_ranges: Vec<(u32, u32)> = cf.old_lines.iter().map(|r| (r.start, r.end)).collect();
    changed.extend(changed_defs(&old_fs, &old_ranges)?);
    let ids: Vec<usize> = reach.keys().copied().collect();
    let index: HashMap<usize, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let files: Vec<ScopeFile> = ids
        .iter()
        .map(|&id| ScopeFile {
            path: g.files[id].clone(),
            fs: cache.get(&suite_dir, &g.files[id]).clone(),
            deps: g.deps[id]
                .iter()
                .filter_map(|e| index.get(&e.to).copied())
                .collect(),
        })
        .collect();
    let seed = *index.get(&g.id(module.local)?)?;
    let list: Vec<String> = changed.iter().cloned().collect();
    let impact = Impact::propagate(&files, seed, &list);
    if verbose {
        let mut v: Vec<String> = impact
            .because
            .keys()
            .map(|(f, n)| format!("{}:{n}", files[*f].path))
            .collect();
        v.sort();
        eprintln!(
            "select: {}: changed {changed:?}, {} affected definitions: {v:?}; import-time: {:?}",
            module.local,
            v.len(),
            impact
                .import_time
                .keys()
                .map(|f| &files[*f].path)
                .collect::<Vec<_>>()
        );
    }
    Some(Refinement {
        changed,
        files,
        index,
        impact,
        imported: RefCell::new(HashMap::new()),
    })
}

impl Refinement {
    /// How the test `test_id` in graph file `tf` reaches a changed definition (through its own
    /// file, the `conftest.py` files above it, or code that runs when it is imported), if it does.
    pub fn observation(&self, g: &PyGraph, tf: usize, test_id: &str) -> Option<Observation> {
        let Some(&t) = self.index.get(&tf) else {
            return Some(Observation::Unresolved {
                symbol: test_symbol(test_id).to_string(),
            });
        };
        let confs: Vec<usize> = conftests_of(&g.files[tf])
            .iter()
            .filter_map(|c| g.id(c))
            .filter_map(|id| self.index.get(&id).copied())
            .collect();
        let imported = if self.impact.import_time.is_empty() {
            Vec::new()
        } else {
            self.imported_by(g, tf, &confs)
        };
        self.impact
            .observe(&self.files, t, &confs, &imported, test_symbol(test_id))
    }

    /// The scope files that importing graph file `tf` (and its conftests) runs.
    fn imported_by(&self, g: &PyGraph, tf: usize, confs: &[usize]) -> Vec<usize> {
        if let Some(v) = self.imported.borrow().get(&tf) {
            return v.clone();
        }
        let ids: Vec<usize> = self.index.iter().map(|(&id, _)| id).collect();
        let mut by_scope = vec![0; self.files.len()];
        for id in ids {
            by_scope[self.index[&id]] = id;
        }
        let mut seen: HashSet<usize> = HashSet::from([tf]);
        let mut stack: Vec<usize> = std::iter::once(tf)
            .chain(confs.iter().map(|&c| by_scope[c]))
            .collect();
        while let Some(f) = stack.pop() {
            for e in &g.deps[f] {
                if seen.insert(e.to) {
                    stack.push(e.to);
                }
            }
        }
        let v: Vec<usize> = seen
            .into_iter()
            .filter_map(|id| self.index.get(&id).copied())
            .collect();
        self.imported.borrow_mut().insert(tf, v.clone());
        v
    }

    /// The symbol-level reason of a test that reaches a changed definition, after its import
    /// chain; or, when the test's own definition could not be resolved, a plain file-level one.
    pub fn reaches(&self, observed: &Observation) -> String {
        let chain = |d| self.impact.chain(&self.files, d);
        match observed {
            Observation::Test { def } => format!("symbols: {}", chain(def)),
            Observation::ImportTime { file, def } => format!(
                "symbols: importing {} runs {} at import time",
                self.files[*file].path,
                chain(def)
            ),
            Observation::Autouse { fixture } => {
                format!("symbols: autouse fixture {}", chain(fixture))
            }
            Observation::Unresolved { symbol } => format!(
                "file-level: `{symbol}` is not a top-level definition of the test file, so any use of the module counts (changed {})",
                list_names(&self.changed)
            ),
        }
    }

    /// Why a test the graph reaches is left out.
    pub fn refused(&self, test_file: &str, module: &str, test_id: &str) -> String {
        format!(
            "{test_file} imports {module}, but `{}` reaches none of the changed definitions ({})",
            test_symbol(test_id),
            list_names(&self.changed)
        )
    }
}

/// The test's top-level symbol in its file: `file::Class::test[x]` → `Class`, `file::test_f[1]` → `test_f`.
fn test_symbol(id: &str) -> &str {
    let rest = id.split_once("::").map(|(_, r)| r).unwrap_or(id);
    let end = rest.find(['[', ':']).unwrap_or(rest.len());
    &rest[..end]
}

/// The `conftest.py` files of a file's directory and every ancestor.
fn conftests_of(file: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = parent(file).to_string();
    loop {
        out.push(join(&d, "conftest.py"));
        if d.is_empty() {
            break;
        }
        d = parent(&d).to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_symbols_of_node_ids() {
        assert_eq!(test_symbol("tests/t.py::TestA::test_b[1]"), "TestA");
        assert_eq!(test_symbol("tests/t.py::test_f[x-y]"), "test_f");
        assert_eq!(test_symbol("tests/t.py::test_g"), "test_g");
    }

    #[test]
    fn conftests_go_up_to_the_root() {
        assert_eq!(
            conftests_of("tests/unit/test_a.py"),
            ["tests/unit/conftest.py", "tests/conftest.py", "conftest.py"]
        );
    }
}
