//! Selection: which tests a change can break, each with its reasons; the others with why not.

use crate::change::{ChangeKind, ChangeSet, git_bytes};
use crate::config::{CompiledConfig, SelectConfig, SimpleTerm, matching, parse_simple};
use crate::error::Result;
use crate::history::{CoverageMap, History};
use crate::pyparse::{enclosing_names, enclosing_statements};
use crate::python::{PyGraph, join, parent};
use crate::risk::{RiskFactors, risk};
use crate::rust::{RustGraph, RustImpact, binary_of};
use rigor_model::{SuiteKind, TestCase, TestKey};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

/// The result of [`select`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Selection {
    pub base: String,
    pub head: String,
    /// How the base was chosen (see [`ChangeSet::base_source`]).
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

#[derive(Default)]
struct Acc {
    reasons: BTreeMap<TestKey, Vec<String>>,
    factors: HashMap<TestKey, RiskFactors>,
}

impl Acc {
    fn add(&mut self, key: &TestKey, reason: String) -> &mut RiskFactors {
        let r = self.reasons.entry(key.clone()).or_default();
        if !r.contains(&reason) && r.len() < 8 {
            r.push(reason);
        }
        self.factors.entry(key.clone()).or_default()
    }
}

/// Paths inside virtual environments, tool caches and installed packages (when they are not
/// git-ignored): not the project's code.
fn in_environment(path: &str) -> bool {
    path.split('/').any(|c| {
        matches!(
            c,
            ".venv"
                | ".tox"
                | ".nox"
                | "__pycache__"
                | "site-packages"
                | "node_modules"
                | ".mypy_cache"
                | ".pytest_cache"
        )
    })
}

/// The Python files of a suite root: `git ls-files` (tracked and untracked, not ignored), else a
/// directory walk that skips hidden directories, virtual environments and caches.
pub fn list_files(dir: &Path) -> Vec<String> {
    if let Ok(out) = git_bytes(
        dir,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    ) {
        let mut v: Vec<String> = out
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .filter(|p| !in_environment(p))
            .collect();
        v.sort();
        v.dedup();
        return v;
    }
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((abs, rel)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&abs) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let r = join(&rel, &name);
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                let skip = name.starts_with('.')
                    || matches!(
                        name.as_str(),
                        "__pycache__" | "node_modules" | "venv" | "target" | "build" | "dist"
                    )
                    || e.path().join("pyvenv.cfg").exists();
                if !skip {
                    stack.push((e.path(), r));
                }
            } else {
                out.push(r);
            }
        }
    }
    out.sort();
    out
}

fn test_file(t: &TestCase) -> String {
    t.file
        .clone()
        .unwrap_or_else(|| t.key.id.split("::").next().unwrap_or_default().to_string())
}

fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Everything [`select`] needs besides the change and the tests.
pub struct SelectInput<'a> {
    /// Project root (where `rigor.toml` is); the change's paths are relative to it.
    pub root: &'a Path,
    pub config: &'a SelectConfig,
    pub suites: &'a [SuiteSpec],
    pub history: &'a History,
}

/// The per-file parse cache lives in `<root>/.rigor/cache/` once `<root>/.rigor/` exists (the
/// history's default home); without it nothing is written.
fn cache_dir(root: &Path) -> Option<std::path::PathBuf> {
    let rigor = root.join(".rigor");
    rigor.is_dir().then(|| rigor.join("cache"))
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Select the tests `change` can break.
///
/// Always included: tests that failed in the last run on the branch, new tests (not in a
/// non-empty history), tests whose own file changed, and tests of suites selection does not
/// analyse (`command`). A changed file that no suite can analyse — and that is not ignored,
/// covered by a rule, or named as data — makes a full run, with the reason.
pub fn select(input: &SelectInput, change: &ChangeSet, tests: &[TestCase]) -> Result<Selection> {
    let timing = std::env::var_os("RIGOR_SELECT_TIMING").is_some();
    let t0 = std::time::Instant::now();
    let cfg = input.config.compile()?;
    let mut sel = Selection {
        base: change.base.clone(),
        head: change.head.clone(),
        base_source: change.base_source.clone(),
        changed_files: change.paths().into_iter().map(String::from).collect(),
        ..Selection::default()
    };
    let mut acc = Acc::default();
    let by_suite: HashMap<&str, &SuiteSpec> =
        input.suites.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut py_graphs: HashMap<String, PyGraph> = HashMap::new();
    let mut rust_graphs: HashMap<String, std::result::Result<RustGraph, String>> = HashMap::new();
    // Python seeds per suite: graph-relative file → reasons prefix ("" for the file itself).
    let mut py_seeds: BTreeMap<String, BTreeMap<String, (String, usize)>> = BTreeMap::new();
    let deleted: Vec<String> = change
        .files
        .iter()
        .flat_map(|f| {
            let mut v = Vec::new();
            if f.kind == ChangeKind::Deleted {
                v.push(f.path.clone());
            }
            if let Some(o) = &f.old_path {
                v.push(o.clone());
            }
            v
        })
        .collect();

    let mut full_run: Option<String> = None;
    let mut refined_out: HashMap<TestKey, String> = HashMap::new();
    'files: for (fi, f) in change.files.iter().enumerate() {
        let mut paths = vec![f.path.clone()];
        if let Some(o) = &f.old_path {
            paths.push(o.clone());
        }
        for p in paths {
            if let Some(g) = matching(&cfg.ignore, &p) {
                sel.notes
                    .push(format!("{p}: ignored ([select].ignore `{g}`)"));
                continue;
            }
            if let Some(g) = matching(&cfg.full_run_on, &p) {
                full_run.get_or_insert(format!("{p} changed (full_run_on `{g}`)"));
                break 'files;
            }
            if apply_rules(&cfg, &p, tests, &mut acc, &mut sel) {
                continue;
            }
            let mut claimed = false;
            for s in input.suites {
                let Some(local) = s.local(&p) else { continue };
                match s.kind {
                    SuiteKind::Pytest => {
                        let g = py_graphs.entry(s.name.clone()).or_insert_with(|| {
                            let dir = input.root.join(s.global(""));
                            let files = list_files(&dir);
                            if timing {
                                eprintln!(
                                    "select: {} files listed {:?}",
                                    files.len(),
                                    t0.elapsed()
                                );
                            }
                            let del: Vec<String> =
                                deleted.iter().filter_map(|d| s.local(d)).collect();
                            let cache = cache_dir(input.root)
                                .map(|c| c.join(format!("pyfacts-{}.json", sanitize(&s.name))));
                            PyGraph::build_cached(&dir, &files, &del, cache.as_deref())
                        });
                        if local.ends_with(".py") {
                            if g.id(&local).is_some() {
                                py_seeds
                                    .entry(s.name.clone())
                                    .or_default()
                                    .insert(local.clone(), (String::new(), fi));
                                claimed = true;
                            }
                        } else if local.ends_with(".pyi") || base_name(&local) == "py.typed" {
                            sel.notes
                                .push(format!("{p}: type information only, no runtime effect"));
                            claimed = true;
                        } else {
                            // Data file: files that name it, and tests beside it.
                            let name = base_name(&local).to_string();
                            for &i in g.files_naming(&name) {
                                py_seeds
                                    .entry(s.name.clone())
                                    .or_default()
                                    .entry(g.files[i].clone())
                                    .or_insert((format!("reads data file {p}: "), fi));
                                claimed = true;
                            }
                            let mut dir = parent(&local).to_string();
                            if !g.dir_has_python(&dir) && !dir.is_empty() {
                                dir = parent(&dir).to_string();
                            }
                            let beside: Vec<&TestCase> = tests
                                .iter()
                                .filter(|t| t.key.suite == s.name && parent(&test_file(t)) == dir)
                                .collect();
                            if !beside.is_empty() {
                                for t in beside {
                                    acc.add(
                                        &t.key,
                                        format!("data file {p} is beside its test file"),
                                    )
                                    .distance = Some(1);
                                }
                                claimed = true;
                            }
                        }
                    }
                    SuiteKind::Nextest | SuiteKind::CargoTest => {
                        let g = rust_graphs.entry(s.name.clone()).or_insert_with(|| {
                            RustGraph::load(&input.root.join(s.global("")))
                                .map_err(|e| e.to_string())
                        });
                        let g = match g {
                            Ok(g) => g,
                            Err(e) => {
                                if local.ends_with(".rs") || base_name(&local).starts_with("Cargo.")
                                {
                                    full_run.get_or_insert(format!(
                                        "{p} changed and the Rust graph is unavailable: {e}"
                                    ));
                                    break 'files;
                                }
                                continue;
                            }
                        };
                        match g.impact(&local) {
                            RustImpact::FullRun(why) => {
                                full_run.get_or_insert(why);
                                break 'files;
                            }
                            RustImpact::Binaries(bins) => {
                                claimed = true;
                                let names = rust_changed_names(input.root, &p, &f.lines);
                                for t in tests.iter().filter(|t| t.key.suite == s.name) {
                                    if let Some((why, dist)) = bins.get(binary_of(&t.key.id)) {
                                        let fa = acc.add(&t.key, why.clone());
                                        fa.distance_min(*dist);
                                        set_affinity(fa, &names, &t.key.id);
                                    }
                                }
                            }
                            RustImpact::Nothing(why) => {
                                sel.notes.push(format!("{p}: {why}"));
                                claimed = true;
                            }
                            RustImpact::NotOurs => {}
                        }
                    }
                    SuiteKind::Command => {}
                }
            }
            if !claimed {
                if let Some(g) = matching(&cfg.default_ignore, &p) {
                    sel.notes
                        .push(format!("{p}: ignored (built-in ignore `{g}`)"));
                    continue;
                }
                full_run.get_or_insert(format!(
                    "{p} changed and rigor cannot analyse it (not Python or Rust source of a suite, not named as data); \
                     add it to [select].ignore or a [[select.rules]] entry if its impact is known"
                ));
                break 'files;
            }
        }
    }

    if timing {
        eprintln!("select: files analysed {:?}", t0.elapsed());
    }
    if let Some(reason) = full_run {
        sel.full_run = Some(reason.clone());
        for t in tests {
            acc.add(&t.key, format!("full run: {reason}"));
        }
    } else {
        for (suite_name, seeds) in &py_seeds {
            let (Some(g), Some(spec)) =
                (py_graphs.get(suite_name), by_suite.get(suite_name.as_str()))
            else {
                continue;
            };
            let suite_tests: Vec<(&TestCase, Option<usize>)> = tests
                .iter()
                .filter(|t| &t.key.suite == suite_name)
                .map(|t| (t, g.id(&test_file(t))))
                .collect();
            let suite_dir = input.root.join(spec.global(""));
            let mut symcache = crate::symbols::SymbolCache::default();
            let cov = if cfg.coverage_map {
                input.history.coverage.get(suite_name)
            } else {
                None
            };
            for (seed_path, (prefix, fi)) in seeds {
                let Some(seed) = g.id(seed_path) else {
                    continue;
                };
                let reach = g.dependents(seed);
                let cf = &change.files[*fi];
                let precise = match cov {
                    Some(m) if prefix.is_empty() => {
                        precise_lines(input.root, spec, change, cf, seed_path, m)
                    }
                    _ => Precision::Static(None),
                };
                let names = if prefix.is_empty() {
                    changed_names(input.root, &spec.global(seed_path), &cf.lines)
                } else {
                    Vec::new()
                };
                let shown = spec.global(seed_path);
                let refine = if cfg.symbols
                    && prefix.is_empty()
                    && matches!(precise, Precision::Static(_) | Precision::ImportTime { .. })
                {
                    symbol_refinement(
                        input.root,
                        spec,
                        change,
                        cf,
                        seed_path,
                        g,
                        &reach,
                        &mut symcache,
                    )
                } else {
                    None
                };
                for (t, tf) in &suite_tests {
                    let Some(tf) = tf else { continue };
                    let own = *tf == seed;
                    let in_static = reach.contains_key(tf);
                    let chain = || {
                        let mut chain = vec![*tf];
                        while let Some(Some(next)) = reach.get(chain.last().unwrap()) {
                            chain.push(*next);
                        }
                        chain
                    };
                    let (reason, distance, covers) = match &precise {
                        Precision::Lines {
                            map,
                            ranges,
                            commit,
                        } if !own => {
                            let covered = map
                                .get(&t.key.id)
                                .is_some_and(|bits| CoverageMap::any_line(bits, ranges));
                            let mapped = cov.is_some_and(|m| m.tests.contains(&t.key.id));
                            if covered {
                                let d = if in_static {
                                    chain().len() as u32 - 1
                                } else {
                                    1
                                };
                                (
                                    format!(
                                        "{prefix}covers changed lines {} of {shown} (coverage map at {})",
                                        fmt_ranges(ranges),
                                        short(commit)
                                    ),
                                    d,
                                    true,
                                )
                            } else if in_static && !mapped {
                                let c = chain();
                                (
                                    format!(
                                        "{prefix}{} (not in the coverage map)",
                                        chain_reason(g, spec, &c)
                                    ),
                                    c.len() as u32 - 1,
                                    false,
                                )
                            } else {
                                continue;
                            }
                        }
                        Precision::ImportTime {
                            covered,
                            ranges,
                            commit,
                            ..
                        } if !own && covered.contains(&t.key.id) => {
                            let d = if in_static {
                                chain().len() as u32 - 1
                            } else {
                                1
                            };
                            (
                                format!(
                                    "{prefix}covers changed lines {} of {shown} (coverage map at {})",
                                    fmt_ranges(ranges),
                                    short(commit)
                                ),
                                d,
                                true,
                            )
                        }
                        _ if in_static => {
                            let c = chain();
                            let why = if own {
                                format!("{prefix}its own file {shown} changed")
                            } else if let Some((changed, affected)) = &refine {
                                let tfile = &g.files[*tf];
                                let symbol = test_symbol(&t.key.id);
                                let confs: Vec<String> = conftests_of(tfile)
                                    .into_iter()
                                    .filter(|c| g.id(c).is_some())
                                    .collect();
                                let conf_syms: Vec<crate::symbols::FileSymbols> = confs
                                    .iter()
                                    .map(|c| symcache.get(&suite_dir, c).clone())
                                    .collect();
                                let conf_refs: Vec<&crate::symbols::FileSymbols> =
                                    conf_syms.iter().collect();
                                let fs_t = symcache.get(&suite_dir, tfile);
                                if !crate::symbols::test_observes(
                                    fs_t, &conf_refs, symbol, affected,
                                ) {
                                    refined_out.entry(t.key.clone()).or_insert_with(|| {
                                        format!(
                                            "{tfile} imports {shown}, but `{symbol}` reaches none of the changed definitions ({})",
                                            list_names(changed)
                                        )
                                    });
                                    continue;
                                }
                                format!(
                                    "{prefix}{} (reaches changed {})",
                                    chain_reason(g, spec, &c),
                                    list_names(changed)
                                )
                            } else {
                                format!("{prefix}{}", chain_reason(g, spec, &c))
                            };
                            (why, c.len() as u32 - 1, false)
                        }
                        _ => continue,
                    };
                    let f = acc.add(&t.key, reason);
                    f.distance_min(distance);
                    f.covers_change |= covers;
                    f.own_file |= own;
                    set_affinity(f, &names, &t.key.id);
                    let note = match &precise {
                        Precision::Static(Some(why)) | Precision::ImportTime { why, .. } => {
                            Some(why)
                        }
                        _ => None,
                    };
                    if let Some(why) = note
                        && !covers
                        && !own
                        && let Some(r) = acc.reasons.get_mut(&t.key)
                        && r.len() < 8
                        && !r.contains(why)
                    {
                        r.push(why.clone());
                    }
                }
            }
        }
    }

    if timing {
        eprintln!("select: seeds propagated {:?}", t0.elapsed());
    }
    // Always included.
    let changed: BTreeSet<&str> = change.paths().into_iter().collect();
    for t in tests {
        let spec = by_suite.get(t.key.suite.as_str());
        if input.history.last_failed.contains(&t.key) {
            acc.add(&t.key, "failed in the last run on this branch".into())
                .last_failed = true;
        }
        if input.history.has_runs && !input.history.known.contains(&t.key) {
            acc.add(&t.key, "new test (not in the history)".into()).new = true;
        }
        match spec {
            Some(s) if s.kind != SuiteKind::Command => {
                if let Some(file) = &t.file {
                    let g = s.global(file);
                    if changed.contains(g.as_str()) {
                        let f = acc.add(&t.key, format!("its own file {g} changed"));
                        f.own_file = true;
                        f.distance_min(0);
                    }
                }
            }
            _ => {
                acc.add(
                    &t.key,
                    format!("suite {} is not analysed by selection", t.key.suite),
                );
            }
        }
    }

    // History factors and risk.
    let cofail_files: Vec<&str> = change.paths();
    for t in tests {
        if let Some(reasons) = acc.reasons.remove(&t.key) {
            let mut f = acc.factors.remove(&t.key).unwrap_or_default();
            f.failure_rate = input
                .history
                .failure_rate
                .get(&t.key)
                .copied()
                .unwrap_or(0.0);
            f.cofail = cofail_files
                .iter()
                .filter_map(|p| input.history.cofail.get(*p).and_then(|m| m.get(&t.key)))
                .map(|&(c, fl)| fl as f64 / c.max(1) as f64)
                .fold(0.0, f64::max)
                .min(1.0);
            let file = by_suite
                .get(t.key.suite.as_str())
                .map(|s| s.global(&test_file(t)))
                .unwrap_or_else(|| test_file(t));
            f.churn = input.history.churn.get(&file).copied().unwrap_or(0);
            sel.selected.push(SelectedTest {
                key: t.key.clone(),
                reasons,
                risk: risk(&f),
                factors: f,
            });
        } else {
            let why = refined_out
                .remove(&t.key)
                .unwrap_or_else(|| why_not(t, change));
            sel.skipped.push((t.key.clone(), why));
        }
    }
    if timing {
        eprintln!("select: done {:?}", t0.elapsed());
    }
    Ok(sel)
}

/// The test's top-level symbol in its file: `file::Class::test[x]` → `Class`, `file::test_f[1]` → `test_f`.
fn test_symbol(id: &str) -> &str {
    let rest = id.split_once("::").map(|(_, r)| r).unwrap_or(id);
    let end = rest.find(['[', ':']).unwrap_or(rest.len());
    &rest[..end]
}

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

fn list_names(names: &BTreeSet<String>) -> String {
    let mut v: Vec<&str> = names.iter().map(String::as_str).take(4).collect();
    if names.len() > 4 {
        v.push("…");
    }
    v.join(", ")
}

/// The symbol refinement for a changed module: (changed names, affected names), or `None` when
/// the change is not confined to function and class bodies (or the module is too widely used
/// for the extra parsing to pay off).
#[allow(clippy::too_many_arguments)]
fn symbol_refinement(
    root: &Path,
    spec: &SuiteSpec,
    change: &ChangeSet,
    cf: &crate::change::ChangedFile,
    local: &str,
    g: &PyGraph,
    reach: &BTreeMap<usize, Option<usize>>,
    cache: &mut crate::symbols::SymbolCache,
) -> Option<(BTreeSet<String>, std::collections::HashSet<String>)> {
    use crate::symbols::{changed_symbols, file_symbols, propagate};
    if cf.kind != ChangeKind::Modified || cf.lines.is_empty() || reach.len() > 3000 {
        return None;
    }
    let suite_dir = root.join(spec.global(""));
    let new_ranges: Vec<(u32, u32)> = cf.lines.iter().map(|r| (r.start, r.end)).collect();
    let mut changed = changed_symbols(cache.get(&suite_dir, local), &new_ranges)?;
    // The base side too: a renamed or removed definition is observed through its old name.
    let old = git_bytes(
        root,
        &[
            "show",
            &format!("{}:{}", change.base, spec.global(cf.base_path())),
        ],
    )
    .ok()?;
    let old_fs = file_symbols(&String::from_utf8_lossy(&old));
    let old_ranges: Vec<(u32, u32)> = cf.old_lines.iter().map(|r| (r.start, r.end)).collect();
    changed.extend(changed_symbols(&old_fs, &old_ranges)?);
    let mut affected = changed.clone();
    let files: Vec<String> = reach.keys().map(|&i| g.files[i].clone()).collect();
    for f in &files {
        cache.get(&suite_dir, f);
    }
    let parsed: Vec<&crate::symbols::FileSymbols> =
        files.iter().filter_map(|f| cache.peek(f)).collect();
    propagate(&parsed, &mut affected);
    if std::env::var_os("RIGOR_SELECT_TIMING").is_some() {
        let mut v: Vec<&String> = affected.iter().collect();
        v.sort();
        eprintln!(
            "select: {local}: changed {changed:?}, {} affected names: {v:?}",
            v.len()
        );
    }
    Some((changed.into_iter().collect(), affected))
}

fn why_not(t: &TestCase, change: &ChangeSet) -> String {
    let mut shown: Vec<&str> = change.paths();
    let more = shown.len().saturating_sub(3);
    shown.truncate(3);
    let list = if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    };
    if change.files.is_empty() {
        return "nothing changed".into();
    }
    format!(
        "{} does not use any changed file ({list}), through imports, conftest, data or coverage; it did not fail last time and is not new",
        test_file(t)
    )
}

fn apply_rules(
    cfg: &CompiledConfig,
    p: &str,
    tests: &[TestCase],
    acc: &mut Acc,
    sel: &mut Selection,
) -> bool {
    let mut matched = false;
    for (set, rule) in &cfg.rules {
        if !set.is_match(p) {
            continue;
        }
        matched = true;
        match parse_simple(&rule.select) {
            Some(terms) => {
                for t in tests {
                    let hit = terms.iter().any(|term| match term {
                        SimpleTerm::All => true,
                        SimpleTerm::None => false,
                        SimpleTerm::Path(g, _) => g.is_match(test_file(t)),
                        SimpleTerm::Test(s) => t.key.id.contains(s.as_str()),
                        SimpleTerm::Suite(s) => &t.key.suite == s,
                        SimpleTerm::Marker(m) => t.markers.iter().any(|x| x == m),
                    });
                    if hit {
                        acc.add(
                            &t.key,
                            format!("{p} matches rule `{}` → `{}`", rule.path, rule.select),
                        );
                    }
                }
            }
            None => {
                let r = (rule.path.clone(), rule.select.clone());
                if !sel.deferred_rules.contains(&r) {
                    sel.deferred_rules.push(r);
                }
            }
        }
    }
    matched
}

enum Precision {
    /// Code run at import time changed: the graph decides, plus the tests that ran those lines.
    ImportTime {
        why: String,
        covered: std::collections::HashSet<String>,
        ranges: Vec<(u32, u32)>,
        commit: String,
    },
    /// Use the static graph (with an optional note why the map is not used).
    Static(Option<String>),
    /// Use the map's lines of this file: test id → numbits; base-side changed ranges.
    Lines {
        map: HashMap<String, Vec<u8>>,
        ranges: Vec<(u32, u32)>,
        commit: String,
    },
}

/// Can the coverage map decide for this changed file? Fresh (recorded at the base, or the file
/// unchanged between the map's commit and the base), mapped, with base-side line ranges, and the
/// change not touching code that runs at import time.
fn precise_lines(
    root: &Path,
    spec: &SuiteSpec,
    change: &ChangeSet,
    cf: &crate::change::ChangedFile,
    local: &str,
    m: &CoverageMap,
) -> Precision {
    if !matches!(cf.kind, ChangeKind::Modified) || cf.old_lines.is_empty() {
        return Precision::Static(None);
    }
    let Some(lines) = m.lines.get(local) else {
        return Precision::Static(Some(format!(
            "{} is not in the coverage map: static graph",
            spec.global(local)
        )));
    };
    let path = spec.global(local);
    if m.commit != change.base {
        let fresh = git_bytes(
            root,
            &["diff", "--name-only", &m.commit, &change.base, "--", &path],
        )
        .map(|o| o.iter().all(|b| b.is_ascii_whitespace()))
        .unwrap_or(false);
        if !fresh {
            return Precision::Static(Some(format!(
                "the coverage map ({}) is older than the last change of {path}: static graph",
                short(&m.commit)
            )));
        }
    }
    let old: Vec<(u32, u32)> = cf.old_lines.iter().map(|r| (r.start, r.end)).collect();
    let ranges = match git_bytes(root, &["show", &format!("{}:{}", change.base, path)]) {
        Ok(src) => enclosing_statements(&String::from_utf8_lossy(&src), &old),
        Err(_) => return Precision::Static(None),
    };
    if lines
        .get("")
        .is_some_and(|b| CoverageMap::any_line(b, &ranges))
    {
        // The graph decides, and every test that ran the changed lines stays in too (so a
        // larger change never loses a test the map had found).
        let covered = lines
            .iter()
            .filter(|(t, b)| !t.is_empty() && CoverageMap::any_line(b, &ranges))
            .map(|(t, _)| t.clone())
            .collect();
        return Precision::ImportTime {
            why: format!("the change to {path} touches code run at import time: static graph"),
            covered,
            ranges,
            commit: m.commit.clone(),
        };
    }
    Precision::Lines {
        map: lines.clone(),
        ranges,
        commit: m.commit.clone(),
    }
}

/// Names of the functions and classes whose code changed (new side), normalised.
fn changed_names(root: &Path, path: &str, lines: &[crate::change::LineRange]) -> Vec<String> {
    if lines.is_empty() {
        return Vec::new();
    }
    let Ok(src) = std::fs::read_to_string(root.join(path)) else {
        return Vec::new();
    };
    let ranges: Vec<(u32, u32)> = lines.iter().map(|r| (r.start, r.end)).collect();
    enclosing_names(&src, &ranges)
        .into_iter()
        .filter(|n| normalize(n).len() >= 4)
        .collect()
}

/// Words of an identifier or test id: split at non-alphanumerics, `_` and camelCase humps,
/// lowercased; words shorter than 4 letters and generic ones are dropped.
fn words(s: &str) -> BTreeSet<String> {
    const GENERIC: &[&str] = &[
        "test", "tests", "self", "none", "true", "false", "from", "with", "into", "impl", "init",
        "main",
    ];
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        let boundary = !c.is_alphanumeric() || (c.is_uppercase() && prev_lower);
        if boundary && !cur.is_empty() {
            out.insert(std::mem::take(&mut cur));
        }
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    if !cur.is_empty() {
        out.insert(cur);
    }
    out.retain(|w| w.len() >= 4 && !GENERIC.contains(&w.as_str()));
    out
}

/// Risk only: does the test's id name a changed definition (whole, or one of its words)?
fn set_affinity(f: &mut RiskFactors, names: &[String], id: &str) {
    if names.is_empty() {
        return;
    }
    let norm = normalize(id);
    if names.iter().any(|n| norm.contains(normalize(n).as_str())) {
        f.name_affinity = true;
        return;
    }
    let id_words = words(id);
    if names
        .iter()
        .any(|n| words(n).iter().any(|w| id_words.contains(w)))
    {
        f.name_words = true;
    }
}

/// For risk only: the changed Rust file's stem and the names of the functions enclosing the
/// changed lines (the nearest `fn name` above each line).
fn rust_changed_names(root: &Path, path: &str, lines: &[crate::change::LineRange]) -> Vec<String> {
    let mut out = Vec::new();
    let stem = base_name(path).trim_end_matches(".rs");
    if !matches!(stem, "lib" | "main" | "mod") {
        out.push(stem.to_string());
    }
    if let Ok(src) = std::fs::read_to_string(root.join(path)) {
        let all: Vec<&str> = src.lines().collect();
        for r in lines {
            let mut i = (r.start as usize).min(all.len());
            while i > 0 {
                i -= 1;
                let l = all[i].trim_start();
                let l = l
                    .strip_prefix("pub ")
                    .or_else(|| l.strip_prefix("pub(crate) "))
                    .unwrap_or(l);
                let l = l.strip_prefix("const ").unwrap_or(l);
                if let Some(rest) = l.strip_prefix("fn ") {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.push(name);
                    break;
                }
            }
        }
    }
    out.retain(|n| normalize(n).len() >= 4);
    out.sort();
    out.dedup();
    out
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

fn chain_reason(g: &PyGraph, spec: &SuiteSpec, chain: &[usize]) -> String {
    let what = if chain.len() >= 2 {
        g.edge_what(chain[0], chain[1])
            .unwrap_or("imports")
            .to_string()
    } else {
        "imports".into()
    };
    let path: Vec<String> = chain.iter().map(|&i| spec.global(&g.files[i])).collect();
    format!("{what} via {}", path.join(" → "))
}

fn fmt_ranges(r: &[(u32, u32)]) -> String {
    let mut v: Vec<String> = r
        .iter()
        .take(4)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    if r.len() > 4 {
        v.push("…".into());
    }
    v.join(",")
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_identifiers_and_test_ids() {
        let w: Vec<String> = words("semver::test_version_req test_greaterThan_caret")
            .into_iter()
            .collect();
        assert_eq!(w, vec!["caret", "greater", "semver", "than", "version"]);
        let mut f = RiskFactors::default();
        set_affinity(
            &mut f,
            &["matches_greater".into()],
            "semver::test_version_req test_greater_than",
        );
        assert!(f.name_words && !f.name_affinity);
        let mut f = RiskFactors::default();
        set_affinity(
            &mut f,
            &["chunked".into()],
            "tests/test_more.py::ChunkedTests::test_even",
        );
        assert!(f.name_affinity);
        let mut f = RiskFactors::default();
        set_affinity(
            &mut f,
            &["chunked".into()],
            "tests/test_more.py::WindowedTests::test_basic",
        );
        assert!(!f.name_affinity && !f.name_words);
    }

    #[test]
    fn test_symbols_of_node_ids() {
        assert_eq!(test_symbol("tests/t.py::TestA::test_b[1]"), "TestA");
        assert_eq!(test_symbol("tests/t.py::test_f[x-y]"), "test_f");
        assert_eq!(test_symbol("tests/t.py::test_g"), "test_g");
    }
}
