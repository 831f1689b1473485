//! The Python impact graph of one pytest suite: files → the files whose code they use.
//!
//! Module resolution follows what pytest's default `prepend` import mode does: a file's own
//! base directory (the first ancestor without `__init__.py`) comes first on the path, then the
//! suite root and `src/`. Packages may be regular (`__init__.py`) or namespace packages
//! (directories without one).
//!
//! Edges are *strong* (the importer uses the whole target module, so it depends on everything
//! the target uses) or *shallow* (the importer depends on the target file's own text only).
//! `from pkg import name` makes a shallow edge to `pkg/__init__.py` and a strong edge to the
//! module that really defines `name`, found by following `from .x import name` and `*`
//! re-exports — so a package whose `__init__` imports everything does not make every test
//! depend on every module. `import pkg as p` is resolved through the `p.name` attributes the
//! file uses. Test files depend on the `conftest.py` of their directory and its ancestors.

use crate::pycache::{self, Snapshot};
use crate::pyparse::{Import, PyFacts};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::Path;

/// One dependency edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub to: usize,
    pub strong: bool,
    /// What the edge is, for reasons ([`PyGraph::edge_what`] words it).
    pub what: What,
}

/// Which statement of the importing file makes an edge (indices into its facts' imports), so
/// that the words of a reason are made only for the reasons shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// The target is a `conftest.py` whose fixtures the file may use.
    Conftest,
    /// `imports pkg.mod` (import `k`).
    Imports(u32),
    /// `uses pkg.attr` (import `k`, its attribute `a`).
    Uses(u32, u32),
    /// `imports .mod.name` (import `k`, its name `n`).
    ImportsName(u32, u32),
    /// `imports * from .mod` (import `k`).
    Star(u32),
}

/// The graph of a suite's Python files (paths relative to the suite root, `/`-separated).
#[derive(Debug, Default)]
pub struct PyGraph {
    pub files: Vec<String>,
    /// The suite root the paths are relative to.
    root: std::path::PathBuf,
    index: HashMap<String, usize>,
    /// Directories (relative, no trailing slash) that contain Python files, at any depth.
    dirs: HashSet<String>,
    /// Per file, the facts the edges were resolved from; empty when the graph was read back
    /// from its snapshot (then [`Self::facts_of`] reads a file's facts when a reason needs them).
    pub facts: Vec<PyFacts>,
    pub deps: Vec<Vec<Edge>>,
    rev: Vec<Vec<(usize, bool)>>,
    /// Global import roots ("" = suite root, "src").
    roots: Vec<String>,
    /// Which files name a data file (basename → files).
    data_refs: HashMap<String, Vec<usize>>,
    /// Files that exist (deleted files are kept as nodes without content).
    pub exists: Vec<bool>,
    /// Per file: the directory pytest's `prepend` import mode puts first on `sys.path`.
    basedirs: Vec<String>,
}

impl PyGraph {
    /// Build the graph of the Python files under `suite_root`. `deleted` are paths (relative to
    /// the suite root) that no longer exist but were imported at the base: they stay as nodes so
    /// that their importers are found.
    pub fn build(suite_root: &Path, files: &[String], deleted: &[String]) -> PyGraph {
        Self::build_cached(suite_root, files, deleted, None)
    }

    /// [`PyGraph::build`] with the caches of [`crate::pycache`] beside `cache_file` (the facts
    /// cache): the graph's snapshot when it still holds, else per-file facts keyed by path, size
    /// and modification time (unchanged files are not read or parsed again). Both are rewritten
    /// when they were out of date; a missing or unreadable cache is rebuilt.
    pub fn build_cached(
        suite_root: &Path,
        files: &[String],
        deleted: &[String],
        cache_file: Option<&Path>,
    ) -> PyGraph {
        let (all, exists) = nodes(files, deleted);
        let t0 = std::time::Instant::now();
        let snapshot = cache_file.map(pycache::snapshot_path);
        if let Some(sp) = &snapshot
            && let Some(g) = Self::from_snapshot(suite_root, &all, &exists, sp)
        {
            rigor_model::time::stage("graph read back from its snapshot", t0);
            return g;
        }
        let cache = cache_file.map(pycache::load_cache).unwrap_or_default();
        let cached = cache.len();
        let (facts, stamps, misses) = pycache::parse_all(suite_root, &all, &exists, cache);
        if let Some(cf) = cache_file
            && (misses > 0 || cached != all.len())
        {
            pycache::save_cache(cf, &all, &facts, &stamps);
        }
        rigor_model::time::stage("files parsed", t0);
        let mut g = Self::skeleton(suite_root, all, exists, facts);
        for (i, f) in g.facts.iter().enumerate() {
            for r in &f.data_refs {
                g.data_refs.entry(r.clone()).or_default().push(i);
            }
        }
        let n = g.files.len();
        let chunk = n.div_ceil(pycache::workers()).max(1);
        let mut deps: Vec<Vec<Edge>> = vec![Vec::new(); n];
        {
            let g = &g;
            std::thread::scope(|s| {
                for (ci, slot) in deps.chunks_mut(chunk).enumerate() {
                    s.spawn(move || {
                        for (k, d) in slot.iter_mut().enumerate() {
                            *d = g.edges_of(ci * chunk + k);
                        }
                    });
                }
            });
        }
        g.set_deps(deps);
        rigor_model::time::stage("import edges resolved", t0);
        if let Some(sp) = &snapshot
            && let Some(snap) = Snapshot::of(&g.files, &g.exists, stamps, &g.facts, &g.deps)
        {
            snap.save(sp);
        }
        g
    }

    /// The graph of the snapshot at `path`, when it still holds for these files.
    fn from_snapshot(
        root: &Path,
        files: &[String],
        exists: &[bool],
        path: &Path,
    ) -> Option<PyGraph> {
        let mut snap = Snapshot::load(path)?;
        let moved = snap.still_holds(root, files, exists)?;
        let deps = snap.edges()?;
        if moved {
            snap.save(path);
        }
        let mut g = Self::skeleton(root, snap.files, snap.exists, Vec::new());
        for (i, refs) in snap.data_refs.into_iter().enumerate() {
            for r in refs {
                g.data_refs.entry(r).or_default().push(i);
            }
        }
        g.set_deps(deps);
        Some(g)
    }

    /// The nodes and what follows from the file list alone (index, directories, roots, base
    /// directories); no edges yet.
    fn skeleton(
        root: &Path,
        files: Vec<String>,
        exists: Vec<bool>,
        facts: Vec<PyFacts>,
    ) -> PyGraph {
        let mut g = PyGraph {
            index: files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.clone(), i))
                .collect(),
            root: root.to_path_buf(),
            dirs: HashSet::new(),
            files,
            facts,
            deps: Vec::new(),
            rev: Vec::new(),
            roots: Vec::new(),
            data_refs: HashMap::new(),
            exists,
            basedirs: Vec::new(),
        };
        for f in &g.files {
            let mut d = parent(f);
            while !d.is_empty() {
                if !g.dirs.insert(d.to_string()) {
                    break;
                }
                d = parent(d);
            }
        }
        g.roots.push(String::new());
        if g.dirs.contains("src") && !g.index.contains_key("src/__init__.py") {
            g.roots.push("src".into());
        }
        let mut by_dir: HashMap<String, String> = HashMap::new();
        g.basedirs = g
            .files
            .iter()
            .map(|f| {
                let d = parent(f);
                if let Some(b) = by_dir.get(d) {
                    return b.clone();
                }
                let b = g.basedir(f);
                by_dir.insert(d.to_string(), b.clone());
                b
            })
            .collect();
        g
    }

    /// Set the edges and their reverse.
    fn set_deps(&mut self, deps: Vec<Vec<Edge>>) {
        self.rev = vec![Vec::new(); self.files.len()];
        for (i, es) in deps.iter().enumerate() {
            for e in es {
                self.rev[e.to].push((i, e.strong));
            }
        }
        self.deps = deps;
    }

    /// The facts of file `i`: those the graph was built from, else the file's as it is now.
    fn facts_of(&self, i: usize) -> std::borrow::Cow<'_, PyFacts> {
        match self.facts.get(i) {
            Some(f) => std::borrow::Cow::Borrowed(f),
            None => {
                std::borrow::Cow::Owned(pycache::facts_of_file(&self.root.join(&self.files[i])))
            }
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn id(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }

    /// Files whose string literals name the data file `basename`.
    pub fn files_naming(&self, basename: &str) -> &[usize] {
        self.data_refs
            .get(basename)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Does the directory `dir` (relative) contain Python files directly?
    pub fn dir_has_python(&self, dir: &str) -> bool {
        self.files.iter().any(|f| parent(f) == dir)
    }

    /// The directory where pytest's `prepend` mode puts a file's base on `sys.path`.
    fn basedir(&self, file: &str) -> String {
        let mut d = parent(file).to_string();
        while !d.is_empty() && self.index.contains_key(&join(&d, "__init__.py")) {
            d = parent(&d).to_string();
        }
        d
    }

    /// Resolve a module path (without extension, relative to the suite root).
    fn resolve_path(&self, p: &str) -> Option<Target> {
        if p.is_empty() {
            return None;
        }
        if let Some(&i) = self.index.get(&format!("{p}.py")) {
            return Some(Target::File(i));
        }
        if let Some(&i) = self.index.get(&format!("{p}/__init__.py")) {
            return Some(Target::File(i));
        }
        self.dirs
            .contains(p)
            .then(|| Target::Namespace(p.to_string()))
    }

    /// Resolve an absolute dotted module name as seen from `importer`: the target and the
    /// package `__init__` files executed on the way.
    fn resolve_absolute(&self, importer: usize, dotted: &str) -> Option<(Target, Vec<usize>)> {
        let rel = dotted.replace('.', "/");
        let base = self.basedirs[importer].as_str();
        let mut roots: Vec<&str> = Vec::with_capacity(self.roots.len() + 1);
        roots.push(base);
        roots.extend(self.roots.iter().map(String::as_str).filter(|r| *r != base));
        for root in roots {
            let p = join(root, &rel);
            if let Some(t) = self.resolve_path(&p) {
                let mut inits = Vec::new();
                let parts: Vec<&str> = dotted.split('.').collect();
                for k in 1..parts.len() {
                    let pk = join(root, &parts[..k].join("/"));
                    if let Some(&i) = self.index.get(&format!("{pk}/__init__.py")) {
                        inits.push(i);
                    }
                }
                return Some((t, inits));
            }
        }
        None
    }

    /// Resolve `from <level dots><module> import …` relative to `importer`.
    fn resolve_relative(&self, importer: usize, level: u32, module: &str) -> Option<Target> {
        let file = &self.files[importer];
        let mut d = parent(file).to_string();
        for _ in 1..level {
            d = parent(&d).to_string();
        }
        if module.is_empty() {
            return match self.index.get(&join(&d, "__init__.py")) {
                Some(&i) => Some(Target::File(i)),
                None => Some(Target::Namespace(d)),
            };
        }
        self.resolve_path(&join(&d, &module.replace('.', "/")))
    }

    fn target_dir(&self, t: &Target) -> Option<String> {
        match t {
            Target::File(i) => {
                let f = &self.files[*i];
                f.strip_suffix("/__init__.py")
                    .map(str::to_string)
                    .or_else(|| (f == "__init__.py").then(String::new))
            }
            Target::Namespace(d) => Some(d.clone()),
        }
    }

    /// Where `name` imported from `t` really lives: (file, strong) edges.
    fn resolve_name(
        &self,
        t: &Target,
        name: &str,
        depth: u32,
        seen: &mut HashSet<(usize, String)>,
    ) -> Vec<(usize, bool)> {
        if let Some(dir) = self.target_dir(t)
            && let Some(sub) = self.resolve_path(&join(&dir, name))
        {
            return match sub {
                Target::File(i) => vec![(i, true)],
                Target::Namespace(_) => Vec::new(),
            };
        }
        let Target::File(i) = t else {
            return Vec::new();
        };
        let i = *i;
        if depth > 12
            || !seen.insert((i, name.to_string()))
            || !self.files[i].ends_with("__init__.py")
        {
            return vec![(i, true)];
        }
        let facts = &self.facts[i];
        // An explicit re-export `from .x import name` (or `import .. as name`).
        for imp in &facts.imports {
            if let Import::From {
                level,
                module,
                names,
                ..
            } = imp
                && let Some((orig, _)) = names.iter().find(|(_, bound)| bound == name)
            {
                let src = if *level > 0 {
                    self.resolve_relative(i, *level, module)
                } else {
                    self.resolve_absolute(i, module).map(|(t, _)| t)
                };
                if let Some(src) = src {
                    let mut out = vec![(i, false)];
                    out.extend(self.resolve_name(&src, orig, depth + 1, seen));
                    return out;
                }
                // Re-exported from outside the project: the __init__ itself.
                return vec![(i, false)];
            }
        }
        if facts.defined.contains(name) {
            return vec![(i, true)];
        }
        for imp in &facts.imports {
            if let Import::From {
                level,
                module,
                star: true,
                ..
            } = imp
            {
                let src = if *level > 0 {
                    self.resolve_relative(i, *level, module)
                } else {
                    self.resolve_absolute(i, module).map(|(t, _)| t)
                };
                if let Some(src @ Target::File(s)) = src
                    && self.provides(s, name, depth + 1)
                {
                    let mut out = vec![(i, false)];
                    out.extend(self.resolve_name(&src, name, depth + 1, seen));
                    return out;
                }
            }
        }
        // Unknown: the whole package.
        vec![(i, true)]
    }

    /// Does module `s` define or re-export `name`?
    fn provides(&self, s: usize, name: &str, depth: u32) -> bool {
        if depth > 12 {
            return true;
        }
        let f = &self.facts[s];
        if f.defined.contains(name) {
            return true;
        }
        f.imports.iter().any(|imp| match imp {
            Import::From {
                names,
                star,
                level,
                module,
                ..
            } => {
                names.iter().any(|(_, b)| b == name)
                    || (*star && {
                        let src = if *level > 0 {
                            self.resolve_relative(s, *level, module)
                        } else {
                            self.resolve_absolute(s, module).map(|(t, _)| t)
                        };
                        matches!(src, Some(Target::File(x)) if x != s && self.provides(x, name, depth + 1))
                    })
            }
            Import::Module { binding, .. } => binding.as_deref() == Some(name),
        })
    }

    fn edges_of(&self, i: usize) -> Vec<Edge> {
        let mut out: Vec<Edge> = Vec::new();
        let mut push = |to: usize, strong: bool, what: What| {
            if to == i {
                return;
            }
            if let Some(e) = out.iter_mut().find(|e| e.to == to) {
                if strong && !e.strong {
                    e.strong = true;
                    e.what = what;
                }
            } else {
                out.push(Edge { to, strong, what });
            }
        };
        let file = self.files[i].as_str();
        // conftest.py of the file's directory and its ancestors.
        let mut d = parent(file);
        loop {
            let c = join(d, "conftest.py");
            if c != file
                && let Some(&ci) = self.index.get(&c)
            {
                push(ci, true, What::Conftest);
            }
            if d.is_empty() {
                break;
            }
            d = parent(d);
        }
        let mut seen = HashSet::new();
        for (k, imp) in self.facts[i].imports.iter().enumerate() {
            let k = k as u32;
            match imp {
                Import::Module {
                    level: _,
                    dotted,
                    binding,
                    attrs,
                    ..
                } => {
                    let Some((t, inits)) = self.resolve_absolute(i, dotted) else {
                        continue;
                    };
                    for p in inits {
                        push(p, false, What::Imports(k));
                    }
                    match &t {
                        Target::File(ti)
                            if self.files[*ti].ends_with("__init__.py")
                                && binding.is_some()
                                && !attrs.is_empty() =>
                        {
                            push(*ti, false, What::Imports(k));
                            for (a, attr) in attrs.iter().enumerate() {
                                for (to, strong) in self.resolve_name(&t, attr, 0, &mut seen) {
                                    push(to, strong, What::Uses(k, a as u32));
                                }
                            }
                        }
                        Target::File(ti) => push(*ti, true, What::Imports(k)),
                        Target::Namespace(_) => {
                            for (a, attr) in attrs.iter().enumerate() {
                                for (to, strong) in self.resolve_name(&t, attr, 0, &mut seen) {
                                    push(to, strong, What::Uses(k, a as u32));
                                }
                            }
                        }
                    }
                }
                Import::From {
                    level,
                    module,
                    names,
                    star,
                    ..
                } => {
                    let (t, inits) = if *level > 0 {
                        match self.resolve_relative(i, *level, module) {
                            Some(t) => (t, Vec::new()),
                            None => continue,
                        }
                    } else {
                        match self.resolve_absolute(i, module) {
                            Some(x) => x,
                            None => continue,
                        }
                    };
                    for p in inits {
                        push(p, false, What::Imports(k));
                    }
                    if *star {
                        if let Target::File(ti) = t {
                            push(ti, true, What::Star(k));
                        }
                        continue;
                    }
                    if let Target::File(ti) = t {
                        push(ti, false, What::Imports(k));
                    }
                    for (n, (orig, _)) in names.iter().enumerate() {
                        for (to, strong) in self.resolve_name(&t, orig, 0, &mut seen) {
                            push(to, strong, What::ImportsName(k, n as u32));
                        }
                    }
                }
            }
        }
        out
    }

    /// The words of edge `e` of file `from`: `imports pkg.mod`, `uses fixtures of x/conftest.py`, …
    fn describe(&self, from: usize, e: &Edge) -> String {
        let facts = self.facts_of(from);
        let import = |k: u32| facts.imports.get(k as usize);
        let shown = |level: u32, module: &str| format!("{}{module}", ".".repeat(level as usize));
        match e.what {
            What::Conftest => format!("uses fixtures of {}", self.files[e.to]),
            What::Imports(k) => match import(k) {
                Some(Import::Module { dotted, .. }) => format!("imports {dotted}"),
                Some(Import::From { level, module, .. }) => {
                    format!("imports {}", shown(*level, module))
                }
                None => "imports".into(),
            },
            What::Uses(k, a) => match import(k) {
                Some(Import::Module { dotted, attrs, .. }) => {
                    let attr = attrs.iter().nth(a as usize).map_or("", String::as_str);
                    format!("uses {dotted}.{attr}")
                }
                _ => "imports".into(),
            },
            What::ImportsName(k, n) => match import(k) {
                Some(Import::From {
                    level,
                    module,
                    names,
                    ..
                }) => {
                    let shown = shown(*level, module);
                    let sep = if shown.ends_with('.') { "" } else { "." };
                    let orig = names.get(n as usize).map_or("", |(o, _)| o.as_str());
                    format!("imports {shown}{sep}{orig}")
                }
                _ => "imports".into(),
            },
            What::Star(k) => match import(k) {
                Some(Import::From { level, module, .. }) => {
                    format!("imports * from {}", shown(*level, module))
                }
                _ => "imports".into(),
            },
        }
    }

    /// Every file that depends on `seed` (including `seed`), with the first hop towards it:
    /// `result[file] = Some(next)`; the seed maps to `None`.
    pub fn dependents(&self, seed: usize) -> BTreeMap<usize, Option<usize>> {
        let mut prev: BTreeMap<usize, Option<usize>> = BTreeMap::new();
        prev.insert(seed, None);
        let mut q = VecDeque::from([seed]);
        while let Some(g) = q.pop_front() {
            for &(h, strong) in &self.rev[g] {
                if (strong || g == seed) && !prev.contains_key(&h) {
                    prev.insert(h, Some(g));
                    q.push_back(h);
                }
            }
        }
        prev
    }

    /// Every file whose import runs `seed`'s import, through any edge (the first hop towards
    /// `seed` for each): who observes a module's import-time code. Unlike [`Self::dependents`]
    /// a shallow `from pkg import name` counts, since importing `pkg` runs all it imports.
    pub fn importers(&self, seed: usize) -> BTreeMap<usize, Option<usize>> {
        let mut prev: BTreeMap<usize, Option<usize>> = BTreeMap::new();
        prev.insert(seed, None);
        let mut q = VecDeque::from([seed]);
        while let Some(g) = q.pop_front() {
            for &(h, _) in &self.rev[g] {
                if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(h) {
                    e.insert(Some(g));
                    q.push_back(h);
                }
            }
        }
        prev
    }

    /// The description of the edge `from → to`.
    pub fn edge_what(&self, from: usize, to: usize) -> Option<String> {
        self.deps[from]
            .iter()
            .find(|e| e.to == to)
            .map(|e| self.describe(from, e))
    }

    /// Every file `file` depends on (transitively), for `explain`.
    pub fn dependencies(&self, file: usize) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let mut q = vec![file];
        while let Some(f) = q.pop() {
            for e in &self.deps[f] {
                if out.insert(e.to) && e.strong {
                    q.push(e.to);
                }
            }
        }
        out
    }
}

/// The graph's nodes: the Python files of the list, plus the `deleted` Python files (kept so that
/// their importers are found), sorted; and which of them exist.
fn nodes(files: &[String], deleted: &[String]) -> (Vec<String>, Vec<bool>) {
    let mut all: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".py"))
        .cloned()
        .collect();
    let present: HashSet<String> = all.iter().cloned().collect();
    for d in deleted {
        if d.ends_with(".py") && !present.contains(d) {
            all.push(d.clone());
        }
    }
    all.sort();
    all.dedup();
    let exists = all.iter().map(|f| present.contains(f)).collect();
    (all, exists)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    File(usize),
    Namespace(String),
}

pub(crate) fn parent(p: &str) -> &str {
    p.rfind('/').map(|i| &p[..i]).unwrap_or("")
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PyGraph) {
        let dir = tempfile::tempdir().unwrap();
        for (p, text) in files {
            let path = dir.path().join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let list: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
        let g = PyGraph::build(dir.path(), &list, &[]);
        (dir, g)
    }

    fn deps_of(g: &PyGraph, f: &str) -> Vec<String> {
        let mut v: Vec<String> = g
            .dependencies(g.id(f).unwrap())
            .into_iter()
            .map(|i| g.files[i].clone())
            .collect();
        v.sort();
        v
    }

    fn affected_by(g: &PyGraph, f: &str) -> Vec<String> {
        let mut v: Vec<String> = g
            .dependents(g.id(f).unwrap())
            .into_keys()
            .map(|i| g.files[i].clone())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn re_exports_through_init_do_not_fan_out() {
        let (_d, g) = project(&[
            (
                "pkg/__init__.py",
                "from .a import alpha\nfrom .b import *\n",
            ),
            ("pkg/a.py", "def alpha(): pass\n"),
            (
                "pkg/b.py",
                "from .c import gamma\ndef beta(): return gamma()\n",
            ),
            ("pkg/c.py", "def gamma(): pass\n"),
            ("tests/test_a.py", "from pkg import alpha\n"),
            ("tests/test_b.py", "import pkg as p\ndef test(): p.beta()\n"),
        ]);
        assert_eq!(
            deps_of(&g, "tests/test_a.py"),
            vec!["pkg/__init__.py", "pkg/a.py"]
        );
        assert_eq!(
            deps_of(&g, "tests/test_b.py"),
            vec!["pkg/__init__.py", "pkg/b.py", "pkg/c.py"]
        );
        assert_eq!(
            affected_by(&g, "pkg/c.py"),
            vec!["pkg/__init__.py", "pkg/b.py", "pkg/c.py", "tests/test_b.py"]
        );
        // A change to the __init__ itself reaches both.
        assert!(affected_by(&g, "pkg/__init__.py").contains(&"tests/test_a.py".to_string()));
    }

    #[test]
    fn relative_imports_and_submodules() {
        let (_d, g) = project(&[
            ("pkg/__init__.py", ""),
            ("pkg/sub/__init__.py", "from .. import util\n"),
            (
                "pkg/sub/x.py",
                "from ..util import helper\nfrom . import y\n",
            ),
            ("pkg/sub/y.py", ""),
            ("pkg/util.py", "def helper(): pass\n"),
            ("test_x.py", "import pkg.sub.x\n"),
        ]);
        assert_eq!(
            deps_of(&g, "test_x.py"),
            vec![
                "pkg/__init__.py",
                "pkg/sub/__init__.py",
                "pkg/sub/x.py",
                "pkg/sub/y.py",
                "pkg/util.py"
            ]
        );
    }

    #[test]
    fn src_layout_namespace_packages_and_importlib() {
        let (_d, g) = project(&[
            ("src/ns/part/mod.py", "VALUE = 1\n"),
            ("src/ns/other.py", "X = 2\n"),
            (
                "tests/test_ns.py",
                "from ns.part import mod\nimport importlib\nm = importlib.import_module('ns.other')\n",
            ),
        ]);
        assert_eq!(
            deps_of(&g, "tests/test_ns.py"),
            vec!["src/ns/other.py", "src/ns/part/mod.py"]
        );
    }

    #[test]
    fn conftest_and_pytest_plugins_and_type_checking() {
        let (_d, g) = project(&[
            ("conftest.py", "pytest_plugins = ['helpers.fixtures']\n"),
            ("helpers/__init__.py", ""),
            (
                "helpers/fixtures.py",
                "import typing\nif typing.TYPE_CHECKING:\n    from app.models import Model\n",
            ),
            ("app/__init__.py", ""),
            ("app/models.py", "class Model: pass\n"),
            ("tests/unit/test_m.py", "def test(): pass\n"),
            ("tests/unit/conftest.py", ""),
        ]);
        let d = deps_of(&g, "tests/unit/test_m.py");
        assert!(
            d.contains(&"conftest.py".to_string())
                && d.contains(&"tests/unit/conftest.py".to_string()),
            "{d:?}"
        );
        assert!(d.contains(&"app/models.py".to_string()), "{d:?}");
    }

    #[test]
    fn rootdir_sibling_helpers_resolve_like_pytest_prepend() {
        let (_d, g) = project(&[
            ("tests/helpers.py", "X = 1\n"),
            ("tests/test_h.py", "import helpers\n"),
        ]);
        assert_eq!(deps_of(&g, "tests/test_h.py"), vec!["tests/helpers.py"]);
    }

    #[test]
    fn deleted_modules_keep_their_importers() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("test_gone.py"), "import gone\n").unwrap();
        let g = PyGraph::build(dir.path(), &["test_gone.py".into()], &["gone.py".into()]);
        assert_eq!(affected_by(&g, "gone.py"), vec!["gone.py", "test_gone.py"]);
    }

    #[test]
    fn the_parse_cache_is_reused_and_invalidated_by_a_change() {
        use crate::pycache::{Stamp, load_cache, save_cache, snapshot_path, stamp};
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(".rigor/cache/pyfacts.json");
        fs::write(dir.path().join("a.py"), "import b\n").unwrap();
        fs::write(dir.path().join("b.py"), "X = 1\n").unwrap();
        let files = vec!["a.py".to_string(), "b.py".to_string()];
        let g1 = PyGraph::build_cached(dir.path(), &files, &[], Some(&cache));
        assert!(cache.exists());
        // A poisoned cache entry with the right stamp is used as is: proof the file was not re-read.
        let mut c = load_cache(&cache);
        c.get_mut("b.py")
            .unwrap()
            .facts
            .defined
            .insert("FROM_CACHE".into());
        let stamps: Vec<Option<Stamp>> = files.iter().map(|f| stamp(&dir.path().join(f))).collect();
        let facts: Vec<PyFacts> = files.iter().map(|f| c[f].facts.clone()).collect();
        save_cache(&cache, &files, &facts, &stamps);
        // (Without the graph's snapshot, which would otherwise stand for the whole graph.)
        fs::remove_file(snapshot_path(&cache)).unwrap();
        let g2 = PyGraph::build_cached(dir.path(), &files, &[], Some(&cache));
        assert!(g2.facts[1].defined.contains("FROM_CACHE"));
        assert_eq!(g1.deps, g2.deps);
        // A changed file (size differs) is parsed again.
        fs::write(dir.path().join("b.py"), "Y = 22\n").unwrap();
        let g3 = PyGraph::build_cached(dir.path(), &files, &[], Some(&cache));
        assert!(g3.facts[1].defined.contains("Y") && !g3.facts[1].defined.contains("FROM_CACHE"));
    }

    /// The graph of `files` built without any cache, for comparison.
    fn fresh(dir: &Path, files: &[String]) -> PyGraph {
        PyGraph::build(dir, files, &[])
    }

    #[test]
    fn the_snapshot_stands_for_the_graph_only_while_the_facts_are_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(".rigor/cache/pyfacts.json");
        let write = |p: &str, text: &str| fs::write(dir.path().join(p), text).unwrap();
        write("a.py", "from pkg import f\n\ndef g():\n    return f()\n");
        fs::create_dir(dir.path().join("pkg")).unwrap();
        write("pkg/__init__.py", "from .m import f\n");
        write("pkg/m.py", "def f():\n    return 1\n");
        write("test_a.py", "import a\n\ndef test_g():\n    assert a.g()\n");
        let mut files: Vec<String> = ["a.py", "pkg/__init__.py", "pkg/m.py", "test_a.py"]
            .map(String::from)
            .to_vec();
        let built = PyGraph::build_cached(dir.path(), &files, &[], Some(&cache));
        assert!(
            !built.facts.is_empty(),
            "the first build resolves the edges"
        );
        // An edit inside a function body: the snapshot holds, and its graph is the graph.
        write("pkg/m.py", "def f():\n    return 1 + 1  # edited\n");
        let g = PyGraph::build_cached(dir.path(), &files, &[], Some(&cache));
        assert!(g.facts.is_empty(), "read back from the snapshot");
        let f = fresh(dir.path(), &files);
        assert_eq!(g.deps, f.deps);
        assert_eq!(g.rev, f.rev);
        let (a, m) = (g.id("a.py").unwrap(), g.id("pkg/m.py").unwrap());
        assert_eq!(g.edge_what(a, m), f.edge_what(a, m));
        assert_eq!(g.edge_what(a, m).as_deref(), Some("imports pkg.f"));
        // An edit that changes an import: built again, with the new edge.
        write("pkg/m.py", "import a\n\ndef f():\n    return 2\n");
        let g = PyGraph::build_cached(dir.path(), &files, &[], Some(&cache));
        assert!(!g.facts.is_empty(), "the facts changed: resolved again");
        assert_eq!(g.deps, fresh(dir.path(), &files).deps);
        assert!(g.deps[m].iter().any(|e| e.to == a));
        // A new file: built again.
        write("pkg/n.py", "X = 1\n");
        files.push("pkg/n.py".into());
        let g = PyGraph::build_cached(dir.path(), &files, &[], Some(&cache));
        assert!(!g.facts.is_empty());
        assert_eq!(g.len(), 5);
        // A snapshot that cannot be read is rebuilt, not an error.
        fs::write(crate::pycache::snapshot_path(&cache), "{not json").unwrap();
        let g = PyGraph::build_cached(dir.path(), &files, &[], Some(&cache));
        assert_eq!(g.deps, fresh(dir.path(), &files).deps);
    }

    #[test]
    fn data_files_are_found_by_name() {
        let (_d, g) = project(&[("pkg/load.py", "open(HERE / 'table.csv')\n")]);
        assert_eq!(g.files_naming("table.csv"), &[g.id("pkg/load.py").unwrap()]);
    }
}
