//! Symbol refinement: when a module's change lies inside function and class bodies, only the
//! tests whose code reaches a changed definition stay selected.

use super::text::list_names;
use super::types::SuiteSpec;
use crate::change::{ChangeKind, ChangeSet, ChangedFile};
use crate::python::{PyGraph, join, parent};
use crate::symbols::{
    FileSymbols, Observation, SymbolCache, changed_symbols, file_symbols, propagate_explained,
    test_observation,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Above this many dependent files the extra parsing does not pay off.
const MAX_REACH: usize = 3000;

/// What changed in a module, by name.
pub(super) struct Refinement {
    /// The changed definitions (both sides of the diff).
    pub changed: BTreeSet<String>,
    /// Every name that observes one of them, over the dependent files.
    pub affected: HashSet<String>,
    /// For each affected name that is not a changed definition, the affected name it uses.
    pub because: HashMap<String, String>,
}

/// One changed module, as the refinement sees it.
pub(super) struct ChangedModule<'a> {
    pub spec: &'a SuiteSpec,
    pub file: &'a ChangedFile,
    /// Suite-relative path of the module.
    pub local: &'a str,
}

/// The symbol refinement for a changed module, or `None` when the change is not confined to
/// function and class bodies (or the module is too widely used for the extra parsing to pay
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
    let mut changed = changed_symbols(cache.get(&suite_dir, module.local), &new_ranges)?;
    // The base side too: a renamed or removed definition is observed through its old name.
    let base_path = module.spec.global(cf.base_path());
    let old =
        rigor_vcs::git::bytes(root, &["show", &format!("{}:{base_path}", change.base)]).ok()?;
    let old_fs = file_symbols(&String::from_utf8_lossy(&old));
    let old_ranges: Vec<(u32, u32)> = cf.old_lines.iter().map(|r| (r.start, r.end)).collect();
    changed.extend(changed_symbols(&old_fs, &old_ranges)?);
    let mut affected = changed.clone();
    let files: Vec<String> = reach.keys().map(|&i| g.files[i].clone()).collect();
    for f in &files {
        cache.get(&suite_dir, f);
    }
    let parsed: Vec<&FileSymbols> = files.iter().filter_map(|f| cache.peek(f)).collect();
    let mut because = HashMap::new();
    propagate_explained(&parsed, &mut affected, &mut because);
    if verbose {
        let mut v: Vec<&String> = affected.iter().collect();
        v.sort();
        eprintln!(
            "select: {}: changed {changed:?}, {} affected names: {v:?}",
            module.local,
            v.len()
        );
    }
    Some(Refinement {
        changed: changed.into_iter().collect(),
        affected,
        because,
    })
}

impl Refinement {
    /// How the test `test_id` in graph file `tf` reaches an affected name (through its own
    /// file or the `conftest.py` files above it), if it does.
    pub fn observation(
        &self,
        g: &PyGraph,
        suite_dir: &Path,
        cache: &mut SymbolCache,
        tf: usize,
        test_id: &str,
    ) -> Option<Observation> {
        let tfile = &g.files[tf];
        let conf_syms: Vec<FileSymbols> = conftests_of(tfile)
            .into_iter()
            .filter(|c| g.id(c).is_some())
            .map(|c| cache.get(suite_dir, &c).clone())
            .collect();
        let conf_refs: Vec<&FileSymbols> = conf_syms.iter().collect();
        let fs_t = cache.get(suite_dir, tfile);
        test_observation(fs_t, &conf_refs, test_symbol(test_id), &self.affected)
    }

    /// The chain of names from `name` back to a changed definition: `a → b → c (changed)`.
    fn names_to_change(&self, name: &str) -> String {
        let mut chain = vec![format!("`{name}`")];
        let mut at = name;
        while let Some(next) = self.because.get(at) {
            if chain.len() > 8 || self.changed.contains(at) {
                break;
            }
            chain.push(format!("`{next}`"));
            at = next;
        }
        let end = if self.changed.contains(at) {
            "changed"
        } else {
            "uses a changed definition"
        };
        format!("{} ({end})", chain.join(" → "))
    }

    /// The symbol-level reason of a test that reaches a changed definition, after its import
    /// chain; or, when the test's own definition could not be resolved, a plain file-level one.
    pub fn reaches(&self, observed: &Observation) -> String {
        match observed {
            Observation::Test { symbol, name } if symbol == name => {
                format!("symbols: {}", self.names_to_change(name))
            }
            Observation::Test { symbol, name } => {
                format!("symbols: `{symbol}` → {}", self.names_to_change(name))
            }
            Observation::Statement { name } => format!(
                "symbols: module-level code of the test file → {}",
                self.names_to_change(name)
            ),
            Observation::Autouse { fixture } => {
                format!("symbols: autouse fixture {}", self.names_to_change(fixture))
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
