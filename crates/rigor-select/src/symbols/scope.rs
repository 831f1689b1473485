//! Definition-level impact: which functions, classes and methods of the files that import a
//! changed module can run a changed definition.
//!
//! A definition is named by its file and its qualified name (`f`, `Cls`, `Cls.m`). Starting from
//! the changed definitions, a definition becomes affected when its code names an affected one:
//!
//! - a free identifier resolves in the definition's own file — one of its definitions or
//!   module-level assignments, or an import binding (anywhere in the file, function bodies
//!   included) whose imported name is affected in a file it imports directly (`from m import *`
//!   makes every affected name of the imported files visible);
//! - an attribute (`obj.name`), an identifier-like string (`getattr(m, "name")`,
//!   `usefixtures("db")`) or a fixture parameter of a test or fixture matches any affected
//!   definition of that name, except dunders (`__init__` runs through its class);
//! - a class is affected when one of its methods is, or when its bases, decorators or body
//!   statements name an affected definition;
//! - code that cannot be resolved (`getattr` with a computed name, `exec`/`eval`, monkeypatching,
//!   a name imported from a module with a module-level `__getattr__`) falls back to module-level
//!   reach: every file here imports the changed module, so the definition counts as affected,
//!   and the reason says why.
//!
//! An import inside a function body binds a name used by that function only through its own
//! references: a file that imports a package lazily in one function does not make its other
//! functions reach the package. Module-level code keeps module-level reach: a module whose
//! import-time code (statements, decorators, bases, calls in defaults and class bodies) calls
//! an affected function or creates an affected class (`__init__`, `__new__`, a class body) makes
//! every test that imports it observe the change ([`Impact::import_time`]).

use super::{Dynamic, FileSymbols, Refs};
use std::collections::{HashMap, HashSet};

/// A definition: (file index in the scope, qualified name).
pub type Def = (usize, String);

/// One file of the scope (a file that imports the changed module, or the module itself).
pub struct ScopeFile {
    pub path: String,
    pub fs: FileSymbols,
    /// Indices (in the scope) of the files it imports directly.
    pub deps: Vec<usize>,
}

/// Why a definition is affected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A changed definition.
    Changed,
    /// It uses this affected definition.
    Uses(Def),
    /// It cannot be resolved statically: module-level reach (the reason).
    Dynamic(String),
}

/// Methods that run when a class is created or instantiated.
const CREATION: &[&str] = &[
    "__init__",
    "__new__",
    "__post_init__",
    "__init_subclass__",
    "__set_name__",
    "__class_getitem__",
];

/// The affected definitions of a scope.
#[derive(Debug, Default)]
pub struct Impact {
    pub because: HashMap<Def, Cause>,
    /// Affected classes whose creation or instantiation runs changed code.
    pub creation: HashSet<Def>,
    /// Files whose import runs changed code, with the definition called at import.
    pub import_time: HashMap<usize, Def>,
    /// Non-dunder affected names (last part), for attribute and string matches.
    by_name: HashMap<String, Vec<Def>>,
    /// Files with an affected definition.
    files_hit: HashSet<usize>,
    /// Affected definitions whose call runs changed code (not only names it).
    run: HashSet<Def>,
}

fn dunder(name: &str) -> bool {
    name.starts_with("__") && name.ends_with("__")
}

fn last(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

impl Impact {
    /// Propagate from the `changed` definitions (qualified names in file `seed`) over `files`.
    pub fn propagate(files: &[ScopeFile], seed: usize, changed: &[String]) -> Impact {
        let mut im = Impact::default();
        for name in changed {
            im.mark((seed, name.clone()), Cause::Changed);
            im.run.insert((seed, name.clone()));
            if let Some((cls, m)) = name.split_once('.') {
                im.mark((seed, cls.to_string()), Cause::Uses((seed, name.clone())));
                if CREATION.contains(&m) {
                    im.creation.insert((seed, cls.to_string()));
                }
            }
        }
        loop {
            let before = (
                im.because.len(),
                im.run.len(),
                im.creation.len(),
                im.import_time.len(),
            );
            for fi in 0..files.len() {
                im.file_pass(files, fi);
            }
            if before
                == (
                    im.because.len(),
                    im.run.len(),
                    im.creation.len(),
                    im.import_time.len(),
                )
            {
                break;
            }
        }
        im
    }

    fn file_pass(&mut self, files: &[ScopeFile], fi: usize) {
        let fs = &files[fi].fs;
        for s in &fs.symbols {
            for (m, _, _) in &s.methods {
                let key = (fi, format!("{}.{}", s.name, m.name));
                self.judge(files, fi, &key, &m.split, Some(&s.name));
                if self.affected(&key) {
                    let cls = (fi, s.name.clone());
                    self.mark(cls.clone(), Cause::Uses(key.clone()));
                    if CREATION.contains(&m.name.as_str()) && self.run.contains(&key) {
                        self.creation.insert(cls);
                    }
                }
            }
            let key = (fi, s.name.clone());
            if s.class {
                // A class whose bases, decorators or body run an affected definition runs it
                // when it is created.
                if !self.creation.contains(&key)
                    && let Some(c) = self.resolve_refs(files, fi, &s.split, None, true)
                {
                    self.mark(key.clone(), c);
                    self.creation.insert(key.clone());
                } else if let Some(c) = self.resolve_refs(files, fi, &s.split, None, false) {
                    self.mark(key.clone(), c);
                }
            } else {
                self.judge(files, fi, &key, &s.split, None);
            }
            if !self.import_time.contains_key(&fi)
                && let Some(d) = self.resolve_calls(files, fi, &s.import_time)
            {
                self.import_time.insert(fi, d);
            }
        }
        for ((targets, ..), (split, calls)) in fs.statements.iter().zip(&fs.statement_refs) {
            for t in targets {
                self.judge(files, fi, &(fi, t.clone()), split, None);
            }
            if !self.import_time.contains_key(&fi)
                && let Some(d) = self.resolve_calls(files, fi, calls)
            {
                self.import_time.insert(fi, d);
            }
        }
    }

    /// Decide a function, method or module-level value: it runs changed code when called (it
    /// uses a definition that does), or it is affected (it names an affected definition, e.g.
    /// a class whose methods changed, without running it).
    fn judge(
        &mut self,
        files: &[ScopeFile],
        fi: usize,
        key: &Def,
        refs: &Refs,
        class: Option<&str>,
    ) {
        if self.run.contains(key) {
            return;
        }
        if let Some(c) = self.resolve_refs(files, fi, refs, class, true) {
            self.mark(key.clone(), c.clone());
            self.because.insert(key.clone(), c);
            self.run.insert(key.clone());
        } else if !self.affected(key)
            && let Some(c) = self.resolve_refs(files, fi, refs, class, false)
        {
            self.mark(key.clone(), c);
        }
    }

    /// `d` counts for a use that must run changed code (`running`), or for any use.
    fn counts(&self, d: &Def, running: bool) -> bool {
        self.affected(d) && (!running || self.run.contains(d) || self.creation.contains(d))
    }

    fn mark(&mut self, d: Def, cause: Cause) {
        if self.because.contains_key(&d) {
            return;
        }
        let name = last(&d.1).to_string();
        if !dunder(&name) {
            self.by_name.entry(name).or_default().push(d.clone());
        }
        self.files_hit.insert(d.0);
        self.because.insert(d, cause);
    }

    /// Is this definition affected?
    pub fn affected(&self, d: &Def) -> bool {
        self.because.contains_key(d)
    }

    /// The affected definition (or fallback) a free name of file `fi` refers to.
    fn resolve_bare(
        &self,
        files: &[ScopeFile],
        fi: usize,
        name: &str,
        running: bool,
    ) -> Option<Cause> {
        let own = (fi, name.to_string());
        if self.counts(&own, running) {
            return Some(Cause::Uses(own));
        }
        let f = &files[fi];
        if let Some(b) = f.fs.bindings.get(name) {
            let module =
                b.is_module || f.deps.iter().any(|&d| is_module(&files[d].path, &b.module));
            // A module binding is used through its attributes (matched by name).
            if !module {
                for &d in &f.deps {
                    let k = (d, b.orig.clone());
                    if self.counts(&k, running) {
                        return Some(Cause::Uses(k));
                    }
                }
                if let Some(&g) = f.deps.iter().find(|&&d| files[d].fs.module_getattr)
                    && !f.deps.iter().any(|&d| provides(&files[d], &b.orig))
                    && self.files_hit.contains(&g)
                {
                    return Some(Cause::Dynamic(format!(
                        "`{}` comes from the module-level `__getattr__` of {}: module-level reach",
                        b.orig, files[g].path
                    )));
                }
            }
        }
        if f.fs.star {
            for &d in &f.deps {
                let k = (d, name.to_string());
                if self.counts(&k, running) {
                    return Some(Cause::Uses(k));
                }
            }
        }
        None
    }

    fn resolve_refs(
        &self,
        files: &[ScopeFile],
        fi: usize,
        refs: &Refs,
        class: Option<&str>,
        running: bool,
    ) -> Option<Cause> {
        if let Some(dy) = &refs.dynamic
            && let Some(c) = self.dynamic(files, fi, dy, class)
        {
            return Some(c);
        }
        // Code of nested functions runs when they are called, not when this definition is.
        let live = |n: &&String| !running || !refs.nested_only.contains(*n);
        for n in refs.bare.iter().filter(live) {
            if let Some(c) = self.resolve_bare(files, fi, n, running) {
                return Some(c);
            }
        }
        refs.global
            .iter()
            .filter(live)
            .find_map(|n| self.by_attribute(fi, n, running))
            .map(Cause::Uses)
    }

    /// An affected definition named `name` that code of file `fi` can reach as an attribute:
    /// a top-level one anywhere (`module.f`), a method of a class of `fi` (`self.m()`). A
    /// method of another file's class is reached through its class: code that gets an
    /// instance names the class (or calls code that does), and a class is affected when one of
    /// its methods is.
    fn by_attribute(&self, fi: usize, name: &str, running: bool) -> Option<Def> {
        self.by_name
            .get(name)?
            .iter()
            .filter(|d| self.counts(d, running))
            .find(|d| !d.1.contains('.') || d.0 == fi)
            .cloned()
    }

    /// Unresolvable code reaches an affected definition: of its own class (`getattr(self, …)`),
    /// of the module it looks into, or of any file its file imports.
    fn dynamic(
        &self,
        files: &[ScopeFile],
        fi: usize,
        dy: &Dynamic,
        class: Option<&str>,
    ) -> Option<Cause> {
        let f = &files[fi];
        let on = dy.on.as_deref();
        let (hit, reach) = match (on, class) {
            (Some("self" | "cls"), Some(c)) => {
                let prefix = format!("{c}.");
                let hit = self
                    .because
                    .keys()
                    .any(|(file, n)| *file == fi && n.starts_with(&prefix));
                (hit, "class-level")
            }
            _ => {
                let module = on.and_then(|b| f.fs.bindings.get(b)).and_then(|b| {
                    f.deps
                        .iter()
                        .copied()
                        .find(|&d| is_module(&files[d].path, &b.module))
                });
                let hit = match (module, on) {
                    (Some(m), _) => self.files_hit.contains(&m),
                    // An attribute computed on some object: the methods of the classes of its
                    // own file (the object's class is not known).
                    (None, Some(_)) => self
                        .run
                        .iter()
                        .any(|(file, n)| *file == fi && n.contains('.')),
                    (None, None) => {
                        self.files_hit.contains(&fi)
                            || f.deps.iter().any(|d| self.files_hit.contains(d))
                    }
                };
                (hit, "module-level")
            }
        };
        let on = on.map(|o| format!(" on `{o}`")).unwrap_or_default();
        hit.then(|| Cause::Dynamic(format!("{}{on}: {reach} reach", dy.why)))
    }

    /// A name called at import that runs changed code: a definition that runs it, or a class
    /// whose creation does.
    fn resolve_calls(
        &self,
        files: &[ScopeFile],
        fi: usize,
        calls: &HashSet<String>,
    ) -> Option<Def> {
        calls
            .iter()
            .find_map(|n| match self.resolve_bare(files, fi, n, true) {
                Some(Cause::Uses(d)) => Some(d),
                _ => self.by_attribute(fi, n, true),
            })
    }

    /// The chain of names from `d` to a changed definition: `` `a` → `b` (changed)``.
    pub fn chain(&self, files: &[ScopeFile], d: &Def) -> String {
        let show = |d: &Def, prev: Option<usize>| {
            if prev.is_some_and(|p| p != d.0) {
                format!("`{}` ({})", d.1, files[d.0].path)
            } else {
                format!("`{}`", d.1)
            }
        };
        let mut parts = vec![show(d, None)];
        let mut at = d.clone();
        let mut end = "uses a changed definition".to_string();
        for _ in 0..12 {
            match self.because.get(&at) {
                Some(Cause::Uses(next)) => {
                    parts.push(show(next, Some(at.0)));
                    at = next.clone();
                }
                Some(Cause::Changed) => {
                    end = "changed".into();
                    break;
                }
                Some(Cause::Dynamic(why)) => {
                    end = why.clone();
                    break;
                }
                None => break,
            }
        }
        format!("{} ({end})", parts.join(" → "))
    }
}

/// Is the file at `path` the module `module` (a path without extension, `a/b`)?
fn is_module(path: &str, module: &str) -> bool {
    if module.is_empty() {
        return false;
    }
    let stem = path
        .strip_suffix("/__init__.py")
        .or_else(|| path.strip_suffix(".py"))
        .unwrap_or(path);
    stem == module || stem.ends_with(&format!("/{module}"))
}

/// Does the file define (or import, or name as a submodule) `name`?
fn provides(f: &ScopeFile, name: &str) -> bool {
    let stem = f.path.rsplit('/').next().unwrap_or(&f.path);
    let pkg = f.path.rsplit('/').nth(1).unwrap_or("");
    stem.strip_suffix(".py") == Some(name)
        || (stem == "__init__.py" && pkg == name)
        || f.fs.symbols.iter().any(|s| s.name == name)
        || f.fs.statements.iter().any(|(t, ..)| t.contains(name))
        || f.fs.bindings.contains_key(name)
}

/// How a test observes the change, if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// Importing the test's file runs changed code: `file`'s import-time code calls `def`.
    ImportTime { file: usize, def: Def },
    /// An autouse fixture (in the test's file or a conftest above it) is affected.
    Autouse { fixture: Def },
    /// The test's own definition (`symbol`) is affected.
    Test { def: Def },
    /// The test's definition is not found in its file: any use of the module counts.
    Unresolved { symbol: String },
}

impl Impact {
    /// How the test `symbol` (its top-level name) of scope file `tf` observes the change.
    /// `confs` are the scope's `conftest.py` files above it; `imported` every scope file that
    /// importing the test file (or its conftests) runs.
    pub fn observe(
        &self,
        files: &[ScopeFile],
        tf: usize,
        confs: &[usize],
        imported: &[usize],
        symbol: &str,
    ) -> Option<Observation> {
        let at_import = std::iter::once(&tf).chain(confs).chain(imported);
        for f in at_import {
            if let Some(d) = self.import_time.get(f) {
                return Some(Observation::ImportTime {
                    file: *f,
                    def: d.clone(),
                });
            }
        }
        for &f in std::iter::once(&tf).chain(confs) {
            for s in files[f].fs.symbols.iter().filter(|s| s.autouse) {
                let d = (f, s.name.clone());
                if self.affected(&d) {
                    return Some(Observation::Autouse { fixture: d });
                }
            }
        }
        let def = (tf, symbol.to_string());
        if !files[tf].fs.symbols.iter().any(|s| s.name == symbol) {
            return Some(Observation::Unresolved {
                symbol: symbol.to_string(),
            });
        }
        self.affected(&def).then_some(Observation::Test { def })
    }
}

#[cfg(test)]
mod tests;
