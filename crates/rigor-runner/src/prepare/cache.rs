//! The discovery cache of a pytest suite: the last collection, kept with what it depended on, so
//! that a change-aware run re-collects only the test files a change can alter.
//!
//! Kept in `.rigor/cache/discovery-<suite>.json`: the collected items, a stamp (size, mtime,
//! content hash) of every project module the collection imported and of every test file, a
//! hash of the names in every directory pytest looked into, the modification times of the
//! site-packages directories, and a key over everything else collection reads (rigor and its
//! plugin, the interpreter, pytest's version, the suite's arguments and environment, the
//! configuration files). It is reused only when the key, the directories and site-packages are
//! unchanged; changed modules are then judged by the caller (see [`Judge`]): the files it names
//! are collected again, alone, and merged in.

use crate::suite::pytest::{Collected, PytestSuite, node_file};
use crate::worker::protocol::Inputs;
use rigor_model::TestCase;
use rigor_model::hash::fnv1a;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bumped when the file's meaning changes.
const VERSION: u32 = 1;

/// Decides which test files a change of project files can alter (rigor-select's
/// `collection::recollect` in the pipeline): `Err(reason)` re-collects everything.
pub type Judge<'a> = &'a dyn Fn(
    &Path,
    &BTreeSet<String>,
    &BTreeSet<String>,
    &BTreeMap<String, String>,
) -> Result<BTreeSet<String>, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    mtime_ns: i128,
    hash: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Item {
    id: String,
    file: Option<String>,
    line: Option<u32>,
    markers: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    key: u64,
    root: String,
    python: Option<String>,
    pytest: Option<String>,
    items: Vec<Item>,
    /// Project modules imported while collecting: name → file (relative to `root`).
    modules: BTreeMap<String, String>,
    /// Every module file and test file (relative to `root`).
    stamps: BTreeMap<String, Stamp>,
    /// Directory (absolute) → hash of the names in it that can matter ([`listing`]).
    dirs: BTreeMap<String, u64>,
    /// The file extensions those names are filtered by.
    exts: BTreeSet<String>,
    /// site-packages directory → modification time (-1: absent).
    site: BTreeMap<String, i128>,
}

/// How a discovery went, for the run's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    /// Collected in full (and why the cache could not serve).
    Full(String),
    /// From the cache; these files were collected again.
    Cached { recollected: usize, files: usize },
}

impl std::fmt::Display for CacheUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheUse::Full(why) => write!(f, "full collection ({why})"),
            CacheUse::Cached {
                recollected: 0,
                files,
            } => write!(f, "cached collection of {files} files"),
            CacheUse::Cached { recollected, files } => write!(
                f,
                "cached collection of {files} files, {recollected} collected again"
            ),
        }
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(-1, |d| d.as_nanos() as i128)
}

/// The file's stamp now, reusing `old`'s hash when size and mtime are unchanged.
fn stamp(path: &Path, old: Option<&Stamp>) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    let (size, mtime_ns) = (meta.len(), mtime_ns(&meta));
    if let Some(o) = old
        && o.size == size
        && o.mtime_ns == mtime_ns
    {
        return Some(*o);
    }
    let hash = fnv1a(&std::fs::read(path).ok()?);
    Some(Stamp {
        size,
        mtime_ns,
        hash,
    })
}

/// Hash of the names in a directory that can matter to collection: its subdirectories and its
/// files with an extension in `exts` (`py` and those of collected non-Python test files) — not
/// caches, not dot files, not reports or data written beside the tests.
fn listing(dir: &Path, exts: &BTreeSet<String>) -> Option<u64> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "__pycache__" {
                return false;
            }
            e.file_type().is_ok_and(|t| t.is_dir())
                || name
                    .rsplit_once('.')
                    .is_some_and(|(_, ext)| exts.contains(ext))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Some(fnv1a(names.join("\n").as_bytes()))
}

/// The key over what collection reads besides modules and directories.
fn key(suite: &PytestSuite) -> u64 {
    let mut text = format!(
        "{}\n{}\n{}\n{}\n{:?}\n{:?}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        fnv1a(crate::suite::pytest::PLUGIN_SOURCE.as_bytes()),
        suite.python,
        suite.root.display(),
        suite.args,
        suite.env,
        std::env::var("PYTHONPATH").unwrap_or_default(),
    );
    for name in [
        "pytest.ini",
        "pyproject.toml",
        "setup.cfg",
        "tox.ini",
        ".pytest.ini",
    ] {
        let mut dir = Some(suite.root.as_path());
        while let Some(d) = dir {
            if let Ok(bytes) = std::fs::read(d.join(name)) {
                text.push_str(&format!("{}:{}\n", d.join(name).display(), fnv1a(&bytes)));
            }
            dir = d.parent();
        }
    }
    fnv1a(text.as_bytes())
}

/// Where a suite's cache lives.
pub fn path_for(project_root: &Path, suite: &str) -> PathBuf {
    let safe: String = suite
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    cache_dir(project_root).join(format!("{FILE_PREFIX}{safe}.json"))
}

const FILE_PREFIX: &str = "discovery-";

fn cache_dir(project_root: &Path) -> PathBuf {
    project_root.join(".rigor").join("cache")
}

/// Does the project at `project_root` keep any suite's discovery cache (so that a change-aware
/// discovery will probably be served by it)?
pub fn any_exists(project_root: &Path) -> bool {
    std::fs::read_dir(cache_dir(project_root)).is_ok_and(|rd| {
        rd.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(FILE_PREFIX))
    })
}

fn load(path: &Path) -> Option<CacheFile> {
    let c: CacheFile = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    (c.version == VERSION).then_some(c)
}

fn save(path: &Path, c: &CacheFile) {
    // The cache is an optimisation: failing to write it is never an error.
    let Ok(bytes) = serde_json::to_vec(c) else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

/// The cache built from a full, error-free collection (None when it cannot be cached).
fn from_collection(suite: &PytestSuite, c: &Collected) -> Option<CacheFile> {
    let inputs = c.inputs.as_ref()?;
    if !c.errors.is_empty() {
        return None;
    }
    let root = PathBuf::from(&inputs.root);
    let mut cache = CacheFile {
        version: VERSION,
        key: key(suite),
        root: inputs.root.clone(),
        python: c.python.clone(),
        pytest: c.pytest.clone(),
        items: c.items.iter().map(item_of).collect(),
        modules: BTreeMap::new(),
        stamps: BTreeMap::new(),
        dirs: BTreeMap::new(),
        exts: BTreeSet::new(),
        site: BTreeMap::new(),
    };
    cache.add_inputs(&root, inputs)?;
    cache.exts = std::iter::once("py".to_string())
        .chain(cache.test_files().iter().filter_map(|f| {
            Path::new(f)
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
        }))
        .collect();
    for d in &inputs.dirs {
        cache
            .dirs
            .insert(d.clone(), listing(Path::new(d), &cache.exts)?);
    }
    for s in &inputs.site {
        let m = std::fs::metadata(s).map_or(-1, |m| mtime_ns(&m));
        cache.site.insert(s.clone(), m);
    }
    Some(cache)
}

fn item_of(t: &TestCase) -> Item {
    Item {
        id: t.key.id.clone(),
        file: t.file.clone(),
        line: t.line,
        markers: t.markers.clone(),
    }
}

impl CacheFile {
    /// Record the modules and test files of a collection with their stamps now.
    fn add_inputs(&mut self, root: &Path, inputs: &Inputs) -> Option<()> {
        for (name, file) in &inputs.modules {
            self.modules.insert(name.clone(), file.clone());
        }
        let files: BTreeSet<String> = self
            .modules
            .values()
            .cloned()
            .chain(self.test_files())
            .collect();
        for f in files {
            let s = stamp(&root.join(&f), self.stamps.get(&f))?;
            self.stamps.insert(f, s);
        }
        Some(())
    }

    fn test_files(&self) -> BTreeSet<String> {
        self.items
            .iter()
            .map(|i| node_file(&i.id).to_string())
            .collect()
    }

    fn tests(&self, suite: &str) -> Vec<TestCase> {
        self.items
            .iter()
            .map(|i| TestCase {
                key: rigor_model::TestKey::new(suite, i.id.clone()),
                file: i.file.clone(),
                line: i.line,
                markers: i.markers.clone(),
                ignored: false,
            })
            .collect()
    }

    /// Why the cache cannot serve at all, or the files whose content changed since and every
    /// file's stamp now (a file that is gone has none).
    fn changed(&self, suite: &PytestSuite) -> Result<(BTreeSet<String>, Stamps), String> {
        if self.key != key(suite) {
            return Err("the interpreter, arguments or configuration changed".into());
        }
        for (s, m) in &self.site {
            if std::fs::metadata(s).map_or(-1, |m| mtime_ns(&m)) != *m {
                return Err(format!("installed packages changed ({s})"));
            }
        }
        for (d, h) in &self.dirs {
            if listing(Path::new(d), &self.exts) != Some(*h) {
                return Err(format!("files were added or removed in {d}"));
            }
        }
        let now = restamp(Path::new(&self.root), &self.stamps);
        let changed = self
            .stamps
            .iter()
            .filter(|(f, s)| now.get(*f).is_none_or(|n| n.hash != s.hash))
            .map(|(f, _)| f.clone())
            .collect();
        Ok((changed, now))
    }
}

type Stamps = BTreeMap<String, Stamp>;

/// The stamps of `old`'s files now (on two threads: tens of thousands of `stat` calls on a big
/// repository); files that are gone are left out.
fn restamp(root: &Path, old: &Stamps) -> Stamps {
    let entries: Vec<(&String, &Stamp)> = old.iter().collect();
    let chunk = entries.len().div_ceil(2).max(1);
    std::thread::scope(|s| {
        let parts: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .filter_map(|(f, o)| Some(((*f).clone(), stamp(&root.join(f), Some(o))?)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("a stamp thread does not panic"))
            .collect()
    })
}

/// Keep a full collection as the suite's cache (when it can be cached).
pub fn remember(suite: &PytestSuite, path: &Path, c: &Collected) {
    if let Some(cache) = from_collection(suite, c) {
        save(path, &cache);
    }
}

/// The suite's tests: from the cache when it can vouch for them (the files `judge` names
/// collected again), else a full collection; the cache is written after either.
pub fn collect_cached(
    suite: &PytestSuite,
    path: &Path,
    judge: Judge,
) -> Result<(Collected, CacheUse), crate::RunnerError> {
    let full = |why: String| -> Result<(Collected, CacheUse), crate::RunnerError> {
        let c = suite.collect()?;
        remember(suite, path, &c);
        Ok((c, CacheUse::Full(why)))
    };
    let t0 = std::time::Instant::now();
    let Some(mut cache) = load(path) else {
        return full("no discovery cache yet".into());
    };
    rigor_model::time::stage("discovery cache: loaded", t0);
    let (changed, now) = match cache.changed(suite) {
        Ok(c) => c,
        Err(why) => return full(why),
    };
    // Later runs compare with the stamps of now (a changed file's new content included); the
    // file is rewritten only when a stamp moved. While a file is gone the old stamps stay, so
    // that it keeps counting as changed.
    let gone = now.len() != cache.stamps.len();
    let moved = !gone && now != cache.stamps;
    if !gone {
        cache.stamps = now;
    }
    rigor_model::time::stage("discovery cache: validated", t0);
    let test_files = cache.test_files();
    let stale = if changed.is_empty() {
        BTreeSet::new()
    } else {
        match judge(
            Path::new(&cache.root),
            &changed,
            &test_files,
            &cache.modules,
        ) {
            Ok(s) => s,
            Err(why) => return full(why),
        }
    };
    if stale.len() * 2 > test_files.len().max(1) {
        return full(format!(
            "{} of {} test files may collect differently",
            stale.len(),
            test_files.len()
        ));
    }
    let mut fresh_inputs = None;
    if !stale.is_empty() {
        let mut narrowed = suite.clone();
        narrowed.only_files = stale.iter().cloned().collect();
        let c = narrowed.collect()?;
        if !c.errors.is_empty() {
            // Errors are never cached: report them with the cached rest of the suite.
            let mut tests: Vec<TestCase> = cache
                .tests(&suite.name)
                .into_iter()
                .filter(|t| !stale.contains(node_file(&t.key.id)))
                .collect();
            tests.extend(c.items);
            let out = Collected {
                items: tests,
                errors: c.errors,
                python: c.python,
                pytest: c.pytest,
                inputs: None,
            };
            let used = CacheUse::Cached {
                recollected: stale.len(),
                files: test_files.len(),
            };
            return Ok((out, used));
        }
        cache.items.retain(|i| !stale.contains(node_file(&i.id)));
        cache.items.extend(c.items.iter().map(item_of));
        fresh_inputs = c.inputs;
    }
    let root = PathBuf::from(&cache.root);
    match &fresh_inputs {
        // New modules and test files of the files collected again get their stamps.
        Some(inputs) if cache.add_inputs(&root, inputs).is_some() => save(path, &cache),
        Some(_) => {}
        None if moved => save(path, &cache),
        None => {}
    }
    let out = Collected {
        items: cache.tests(&suite.name),
        errors: Vec::new(),
        python: cache.python.clone(),
        pytest: cache.pytest.clone(),
        inputs: None,
    };
    Ok((
        out,
        CacheUse::Cached {
            recollected: stale.len(),
            files: test_files.len(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_stamp_rehashes_only_when_size_or_mtime_moved_and_sees_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.py");
        std::fs::write(&f, "x = 1\n").unwrap();
        let s1 = stamp(&f, None).unwrap();
        assert_eq!(stamp(&f, Some(&s1)), Some(s1));
        std::fs::write(&f, "x = 2\n").unwrap();
        let s2 = stamp(&f, Some(&s1)).unwrap();
        // Same size; the mtime may or may not have moved within the clock's resolution.
        if s2.mtime_ns != s1.mtime_ns {
            assert_ne!(s2.hash, s1.hash);
        }
        assert_ne!(stamp(&f, None).unwrap().hash, s1.hash);
        assert!(stamp(&dir.path().join("gone.py"), None).is_none());
    }

    #[test]
    fn restamping_sees_edits_and_leaves_out_files_that_are_gone() {
        let dir = tempfile::tempdir().unwrap();
        let mut old = Stamps::new();
        for i in 0..9 {
            let name = format!("m{i}.py");
            std::fs::write(dir.path().join(&name), format!("x = {i}\n")).unwrap();
            old.insert(name.clone(), stamp(&dir.path().join(&name), None).unwrap());
        }
        assert_eq!(restamp(dir.path(), &old), old);
        std::fs::write(dir.path().join("m3.py"), "x = 'changed'\n").unwrap();
        std::fs::remove_file(dir.path().join("m7.py")).unwrap();
        let now = restamp(dir.path(), &old);
        assert_eq!(now.len(), 8);
        assert!(!now.contains_key("m7.py"));
        assert_ne!(now["m3.py"].hash, old["m3.py"].hash);
        assert_eq!(now["m5.py"], old["m5.py"]);
    }

    #[test]
    fn listings_ignore_caches_and_dot_files_but_see_new_files() {
        let dir = tempfile::tempdir().unwrap();
        let exts: BTreeSet<String> = ["py".to_string(), "txt".into()].into_iter().collect();
        std::fs::write(dir.path().join("test_a.py"), "").unwrap();
        let before = listing(dir.path(), &exts).unwrap();
        std::fs::create_dir(dir.path().join("__pycache__")).unwrap();
        std::fs::write(dir.path().join(".x.swp"), "").unwrap();
        std::fs::write(dir.path().join("mod.pyc"), "").unwrap();
        std::fs::write(dir.path().join("report.html"), "").unwrap();
        assert_eq!(listing(dir.path(), &exts), Some(before));
        std::fs::write(dir.path().join("test_b.py"), "").unwrap();
        let with_b = listing(dir.path(), &exts).unwrap();
        assert_ne!(with_b, before);
        std::fs::write(dir.path().join("test_c.txt"), "").unwrap();
        assert_ne!(listing(dir.path(), &exts), Some(with_b));
        let with_c = listing(dir.path(), &exts).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_ne!(listing(dir.path(), &exts), Some(with_c));
    }

    #[test]
    fn any_cache_is_found_by_the_names_path_for_gives() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!any_exists(dir.path()));
        let p = path_for(dir.path(), "py");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p.parent().unwrap().join("pyfacts-py.json"), "{}").unwrap();
        assert!(
            !any_exists(dir.path()),
            "another cache is not a discovery cache"
        );
        std::fs::write(&p, "{}").unwrap();
        assert!(any_exists(dir.path()));
    }

    #[test]
    fn suite_names_make_safe_file_names() {
        let p = path_for(Path::new("/p"), "py/unit tests");
        assert_eq!(p, Path::new("/p/.rigor/cache/discovery-py_unit_tests.json"));
    }

    proptest! {
        /// The fingerprint tells contents apart the way equality does (on these inputs).
        #[test]
        fn fnv_separates_what_differs(a in proptest::collection::vec(any::<u8>(), 0..64),
                                      b in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(fnv1a(&a) == fnv1a(&b), a == b);
        }
    }
}
