//! First stage: every changed path is ignored, a full-run trigger, an artifact no test reads
//! (coverage data, reports, editor files, rigor's own files), covered by a `[select]` rule, or
//! analysed by the suites whose root contains it — a Python module becomes a seed of the import
//! graph, a data file seeds the modules naming it, a Rust file selects test binaries. An
//! untracked file no one can analyse outside the suites' source and test roots is ignored; any
//! other path no one can analyse makes a full run.

use super::files::{base_name, test_file};
use super::graphs::Graphs;
use super::names::{rust_changed_names, set_affinity};
use super::rules;
use super::rustmap::{self, Narrowed};
use super::state::{Acc, Ctx};
use super::types::{Selection, SuiteSpec};
use crate::change::ChangeKind;
use crate::config::matching;
use crate::python::{PyGraph, parent};
use crate::rust::{RustImpact, binary_of};
use rigor_model::{SuiteKind, TestCase};
use std::collections::BTreeMap;

/// Where a change enters a Python import graph.
pub(super) struct Seed {
    /// Put before the reasons of the tests it selects: empty for a changed module,
    /// `reads data file X: ` for a module naming a changed data file.
    pub prefix: String,
    /// Index of the changed file in the change.
    pub file: usize,
}

/// Seeds by suite name, then by suite-relative path.
pub(super) type Seeds = BTreeMap<String, BTreeMap<String, Seed>>;

/// What the changed paths amount to.
pub(super) struct Classified {
    /// Why everything runs, when a path says so.
    pub full_run: Option<String>,
    pub seeds: Seeds,
    pub graphs: Graphs,
}

/// Classify every changed path (the new and, for a rename, the old); stop at the first that
/// makes a full run.
pub(super) fn classify(ctx: &Ctx, acc: &mut Acc, sel: &mut Selection) -> Classified {
    let mut c = Classifier {
        ctx,
        acc,
        sel,
        seeds: Seeds::new(),
        graphs: Graphs::new(ctx.change),
    };
    let mut full_run = None;
    'files: for (fi, f) in ctx.change.files.iter().enumerate() {
        for p in std::iter::once(&f.path).chain(&f.old_path) {
            if let Err(reason) = c.path(p, fi) {
                full_run = Some(reason);
                break 'files;
            }
        }
    }
    Classified {
        full_run,
        seeds: c.seeds,
        graphs: c.graphs,
    }
}

struct Classifier<'c, 'a> {
    ctx: &'c Ctx<'a>,
    acc: &'c mut Acc,
    sel: &'c mut Selection,
    seeds: Seeds,
    graphs: Graphs,
}

/// `Err(reason)`: the path makes a full run.
type Claim = Result<bool, String>;

impl Classifier<'_, '_> {
    /// One changed path (`fi`: its changed file's index).
    fn path(&mut self, p: &str, fi: usize) -> Result<(), String> {
        let cfg = &self.ctx.cfg;
        if let Some(g) = matching(&cfg.ignore, p) {
            self.sel
                .notes
                .push(format!("{p}: ignored ([select].ignore `{g}`)"));
            return Ok(());
        }
        if let Some(g) = matching(&cfg.full_run_on, p) {
            return Err(format!("{p} changed (full_run_on `{g}`)"));
        }
        if let Some(what) = matching(&cfg.artifacts, p)
            && !self.named_as_data(p)
        {
            self.sel.notes.push(format!(
                "{p}: ignored ({what}: no test imports or reads it)"
            ));
            return Ok(());
        }
        if rules::apply(self.ctx, p, self.acc, self.sel) {
            return Ok(());
        }
        let mut claimed = false;
        for s in self.ctx.input.suites {
            let Some(local) = s.local(p) else { continue };
            claimed |= match s.kind {
                SuiteKind::Pytest => self.python(s, p, &local, fi),
                SuiteKind::Nextest | SuiteKind::CargoTest => self.rust(s, p, &local, fi)?,
                SuiteKind::Command => false,
            };
        }
        if claimed {
            return Ok(());
        }
        if let Some(g) = matching(&cfg.default_ignore, p) {
            self.sel
                .notes
                .push(format!("{p}: ignored (built-in ignore `{g}`)"));
            return Ok(());
        }
        if self.ctx.change.files[fi].kind == ChangeKind::Untracked
            && let Some(roots) = self.outside_roots(p)
        {
            self.sel.notes.push(format!(
                "{p}: ignored (untracked, outside the source and test roots {roots}, named by no code)"
            ));
            return Ok(());
        }
        Err(format!(
            "{p} changed and rigor cannot analyse it (not Python or Rust source of a suite, not named as data); \
             add it to [select].ignore or a [[select.rules]] entry if its impact is known"
        ))
    }

    /// Does Python code of a pytest suite holding `p` name it as a data file?
    fn named_as_data(&mut self, p: &str) -> bool {
        let ctx = self.ctx;
        ctx.input.suites.iter().any(|s| {
            s.kind == SuiteKind::Pytest
                && s.local(p).is_some_and(|local| {
                    !self
                        .graphs
                        .python(ctx, s)
                        .files_naming(base_name(&local))
                        .is_empty()
                })
        })
    }

    /// `Some(the roots)` when `p` lies outside every source and test root: the top-level
    /// directories of the pytest suites holding Python files, and the Rust packages (a Rust
    /// suite claims the files of its packages before this is asked). `None` when `p` is in one.
    fn outside_roots(&mut self, p: &str) -> Option<String> {
        let ctx = self.ctx;
        let mut roots = std::collections::BTreeSet::new();
        for s in ctx
            .input
            .suites
            .iter()
            .filter(|s| s.kind == SuiteKind::Pytest)
        {
            let g = self.graphs.python(ctx, s);
            let tops: std::collections::BTreeSet<&str> = g
                .files
                .iter()
                .filter_map(|f| f.split_once('/'))
                .map(|(d, _)| d)
                .collect();
            let local = s.local(p);
            let top = local
                .as_deref()
                .and_then(|l| l.split_once('/'))
                .map(|(d, _)| d);
            if top.is_some_and(|t| tops.contains(t)) {
                return None;
            }
            roots.extend(tops.into_iter().map(|t| format!("{}/", s.global(t))));
        }
        let mut shown: Vec<String> = roots.into_iter().take(5).collect();
        if shown.is_empty() {
            shown.push("(none)".into());
        }
        Some(shown.join(", "))
    }

    /// A path inside a pytest suite: a module, type information only, or a data file.
    fn python(&mut self, s: &SuiteSpec, p: &str, local: &str, fi: usize) -> bool {
        let g = self.graphs.python(self.ctx, s);
        if local.ends_with(".py") {
            if g.id(local).is_none() {
                return false;
            }
            let seed = Seed {
                prefix: String::new(),
                file: fi,
            };
            self.seeds
                .entry(s.name.clone())
                .or_default()
                .insert(local.to_string(), seed);
            return true;
        }
        if local.ends_with(".pyi") || base_name(local) == "py.typed" {
            self.sel
                .notes
                .push(format!("{p}: type information only, no runtime effect"));
            return true;
        }
        let named = data_file_seeds(g, s, p, local, fi, &mut self.seeds);
        let beside = tests_beside(self.ctx.tests, g, s, local);
        for t in &beside {
            self.acc
                .add(&t.key, format!("data file {p} is beside its test file"))
                .distance = Some(1);
        }
        named || !beside.is_empty()
    }

    /// A path inside a Rust suite: the test binaries it can change, nothing, or a full run.
    fn rust(&mut self, s: &SuiteSpec, p: &str, local: &str, fi: usize) -> Claim {
        let g = match self.graphs.rust(self.ctx, s) {
            Ok(g) => g,
            Err(e) if local.ends_with(".rs") || base_name(local).starts_with("Cargo.") => {
                return Err(format!(
                    "{p} changed and the Rust graph is unavailable: {e}"
                ));
            }
            Err(_) => return Ok(false),
        };
        match g.impact(local) {
            RustImpact::FullRun(why) => Err(why),
            RustImpact::Binaries(bins) => {
                let lines = &self.ctx.change.files[fi].lines;
                let names = rust_changed_names(self.ctx.input.root, p, lines);
                let narrowed = rustmap::narrow(self.ctx, s, local, fi, &bins, &mut self.sel.notes);
                for t in self.ctx.tests.iter().filter(|t| t.key.suite == s.name) {
                    if let Some((why, dist)) = bins.get(binary_of(&t.key.id)) {
                        let why = match narrowed.get(binary_of(&t.key.id)) {
                            Some(Narrowed::Whole(w)) => format!("{why} ({w})"),
                            Some(Narrowed::Tests { selected, skip }) => {
                                self.acc.rust_narrowed.insert((
                                    s.name.clone(),
                                    binary_of(&t.key.id).to_string(),
                                    p.to_string(),
                                ));
                                match selected.get(&t.key.id) {
                                    Some(r) => r.clone(),
                                    None => {
                                        self.acc.out.insert(t.key.clone(), skip.clone());
                                        continue;
                                    }
                                }
                            }
                            None => why.clone(),
                        };
                        let f = self.acc.add(&t.key, why);
                        f.distance_min(*dist);
                        set_affinity(f, &names, &t.key.id);
                    }
                }
                Ok(true)
            }
            RustImpact::Nothing(why) => {
                self.sel.notes.push(format!("{p}: {why}"));
                Ok(true)
            }
            RustImpact::NotOurs => Ok(false),
        }
    }
}

/// A changed data file seeds the files that name it. Returns whether any does.
fn data_file_seeds(
    g: &PyGraph,
    s: &SuiteSpec,
    p: &str,
    local: &str,
    fi: usize,
    seeds: &mut Seeds,
) -> bool {
    let naming = g.files_naming(base_name(local));
    for &i in naming {
        seeds
            .entry(s.name.clone())
            .or_default()
            .entry(g.files[i].clone())
            .or_insert_with(|| Seed {
                prefix: format!("reads data file {p}: "),
                file: fi,
            });
    }
    !naming.is_empty()
}

/// The tests in a data file's directory (or, for a directory without Python, its parent's).
fn tests_beside<'t>(
    tests: &'t [TestCase],
    g: &PyGraph,
    s: &SuiteSpec,
    local: &str,
) -> Vec<&'t TestCase> {
    let mut dir = parent(local).to_string();
    if !g.dir_has_python(&dir) && !dir.is_empty() {
        dir = parent(&dir).to_string();
    }
    tests
        .iter()
        .filter(|t| t.key.suite == s.name && parent(&test_file(t)) == dir)
        .collect()
}
