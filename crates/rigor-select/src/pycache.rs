//! The two caches behind [`PyGraph::build_cached`](crate::python::PyGraph::build_cached), both
//! in `.rigor/cache/` and both only optimisations (a missing, unreadable or foreign file is
//! rebuilt, never an error):
//!
//! - **facts** (`pyfacts-<suite>.json`): each file's parse facts, keyed by path, size and
//!   modification time, so that unchanged files are not read or parsed again;
//! - **snapshot** (`pyfacts-<suite>.graph.json`): the whole graph of the last build — the file
//!   list, each file's stamp and a fingerprint of its facts, the edges. When the file list is
//!   the same and every file whose stamp moved still has the same facts (an edit inside a
//!   function body, the usual change), the edges cannot differ: they are read back instead of
//!   resolved again, and the facts of the other files are not loaded at all.

use crate::pyparse::{Extractor, PyFacts};
use crate::python::{Edge, What};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// (size, modification time in ns since the epoch) of a file.
pub(crate) type Stamp = (u64, u128);

pub(crate) fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

pub(crate) fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    let t = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((m.len(), t.as_nanos()))
}

/// The stamps of the existing `files` (on the worker threads; `None` for the others).
fn stamps(root: &Path, files: &[String], exists: &[bool]) -> Vec<Option<Stamp>> {
    let chunk = files.len().div_ceil(workers()).max(1);
    let mut out = vec![None; files.len()];
    std::thread::scope(|s| {
        for (ci, slot) in out.chunks_mut(chunk).enumerate() {
            s.spawn(move || {
                for (k, st) in slot.iter_mut().enumerate() {
                    let i = ci * chunk + k;
                    if exists[i] {
                        *st = stamp(&root.join(&files[i]));
                    }
                }
            });
        }
    });
    out
}

/// Write then rename, so that a concurrent reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct CacheEntry {
    #[serde(rename = "s")]
    size: u64,
    #[serde(rename = "t")]
    mtime_ns: u128,
    #[serde(rename = "f")]
    pub facts: PyFacts,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CacheFile {
    version: u32,
    files: HashMap<String, CacheEntry>,
}

const CACHE_VERSION: u32 = 2;

pub(crate) fn load_cache(path: &Path) -> HashMap<String, CacheEntry> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<CacheFile>(&b).ok())
        .filter(|c| c.version == CACHE_VERSION)
        .map(|c| c.files)
        .unwrap_or_default()
}

pub(crate) fn save_cache(
    path: &Path,
    files: &[String],
    facts: &[PyFacts],
    stamps: &[Option<Stamp>],
) {
    let mut out = HashMap::new();
    for ((f, fa), st) in files.iter().zip(facts).zip(stamps) {
        if let Some((size, mtime_ns)) = st {
            out.insert(
                f.clone(),
                CacheEntry {
                    size: *size,
                    mtime_ns: *mtime_ns,
                    facts: fa.clone(),
                },
            );
        }
    }
    if let Ok(bytes) = serde_json::to_vec(&CacheFile {
        version: CACHE_VERSION,
        files: out,
    }) {
        write_atomically(path, &bytes);
    }
}

/// Facts of every existing file (from the cache when its stamp matches), the stamps, and how
/// many files were parsed.
pub(crate) fn parse_all(
    root: &Path,
    files: &[String],
    exists: &[bool],
    mut cache: HashMap<String, CacheEntry>,
) -> (Vec<PyFacts>, Vec<Option<Stamp>>, usize) {
    let chunk = files.len().div_ceil(workers()).max(1);
    // Each file's cache entry moves to the thread of its chunk (facts are not copied).
    let cached: Vec<Vec<Option<CacheEntry>>> = files
        .chunks(chunk)
        .map(|part| part.iter().map(|f| cache.remove(f)).collect())
        .collect();
    let mut out: Vec<(PyFacts, Option<Stamp>, bool)> =
        vec![(PyFacts::default(), None, false); files.len()];
    std::thread::scope(|s| {
        for (ci, (slot, cached)) in out.chunks_mut(chunk).zip(cached).enumerate() {
            let start = ci * chunk;
            s.spawn(move || {
                let mut ex: Option<Extractor> = None;
                for (k, (entry, c)) in slot.iter_mut().zip(cached).enumerate() {
                    let i = start + k;
                    if !exists[i] {
                        continue;
                    }
                    let path = root.join(&files[i]);
                    let st = stamp(&path);
                    if let (Some(st), Some(c)) = (st, c)
                        && (c.size, c.mtime_ns) == st
                    {
                        *entry = (c.facts, Some(st), false);
                        continue;
                    }
                    if let Ok(bytes) = std::fs::read(&path) {
                        let ex = ex.get_or_insert_with(Extractor::new);
                        *entry = (ex.extract(&String::from_utf8_lossy(&bytes)), st, true);
                    }
                }
            });
        }
    });
    let misses = out.iter().filter(|e| e.2).count();
    let (facts, stamps) = out.into_iter().map(|(f, s, _)| (f, s)).unzip();
    (facts, stamps, misses)
}

/// The facts of one file as it is now (empty when it cannot be read).
pub(crate) fn facts_of_file(path: &Path) -> PyFacts {
    std::fs::read(path)
        .map(|b| Extractor::new().extract(&String::from_utf8_lossy(&b)))
        .unwrap_or_default()
}

/// A fingerprint of a file's facts: equal facts give equal edges.
pub(crate) fn fingerprint(facts: &PyFacts) -> u64 {
    rigor_model::hash::fnv1a(&serde_json::to_vec(facts).unwrap_or_default())
}

const SNAPSHOT_VERSION: u32 = 1;

/// The graph of the last build (see the module documentation).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Snapshot {
    version: u32,
    pub files: Vec<String>,
    pub exists: Vec<bool>,
    pub stamps: Vec<Option<Stamp>>,
    /// [`fingerprint`] of each file's facts.
    pub prints: Vec<u64>,
    /// Per file: the data files it names (basenames).
    pub data_refs: Vec<Vec<String>>,
    /// Per file: its edges, [`encode`]d.
    pub deps: Vec<Vec<u64>>,
}

pub(crate) fn snapshot_path(facts_cache: &Path) -> PathBuf {
    facts_cache.with_extension("graph.json")
}

impl Snapshot {
    /// The snapshot of a build, or `None` when an edge does not fit the encoding.
    pub fn of(
        files: &[String],
        exists: &[bool],
        stamps: Vec<Option<Stamp>>,
        facts: &[PyFacts],
        deps: &[Vec<Edge>],
    ) -> Option<Snapshot> {
        Some(Snapshot {
            version: SNAPSHOT_VERSION,
            files: files.to_vec(),
            exists: exists.to_vec(),
            stamps,
            prints: facts.iter().map(fingerprint).collect(),
            data_refs: facts
                .iter()
                .map(|f| f.data_refs.iter().cloned().collect())
                .collect(),
            deps: deps
                .iter()
                .map(|es| es.iter().map(encode).collect::<Option<Vec<u64>>>())
                .collect::<Option<Vec<_>>>()?,
        })
    }

    pub fn load(path: &Path) -> Option<Snapshot> {
        let s: Snapshot = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        let n = s.files.len();
        (s.version == SNAPSHOT_VERSION
            && [s.exists.len(), s.stamps.len(), s.prints.len()] == [n; 3]
            && [s.data_refs.len(), s.deps.len()] == [n; 2])
            .then_some(s)
    }

    pub fn save(&self, path: &Path) {
        if let Ok(bytes) = serde_json::to_vec(self) {
            write_atomically(path, &bytes);
        }
    }

    /// Can this snapshot stand for the graph of `files` under `root` now? Files whose stamp
    /// moved are parsed again: their facts must be unchanged. Returns whether a stamp moved
    /// (the snapshot, updated, is then worth saving).
    pub fn still_holds(&mut self, root: &Path, files: &[String], exists: &[bool]) -> Option<bool> {
        if self.files != files || self.exists != exists {
            return None;
        }
        let now = stamps(root, files, exists);
        let mut moved = false;
        let mut ex: Option<Extractor> = None;
        for (i, st) in now.into_iter().enumerate() {
            if st == self.stamps[i] {
                continue;
            }
            // Gone or unreadable since it was listed: build afresh.
            st?;
            let bytes = std::fs::read(root.join(&files[i])).ok()?;
            let facts = ex
                .get_or_insert_with(Extractor::new)
                .extract(&String::from_utf8_lossy(&bytes));
            if fingerprint(&facts) != self.prints[i] {
                return None;
            }
            self.stamps[i] = st;
            moved = true;
        }
        Some(moved)
    }

    /// The edges, decoded (`None` when one names a file out of range).
    pub fn edges(&self) -> Option<Vec<Vec<Edge>>> {
        let n = self.files.len();
        self.deps
            .iter()
            .map(|es| {
                es.iter()
                    .map(|&x| decode(x).filter(|e| e.to < n))
                    .collect::<Option<Vec<Edge>>>()
            })
            .collect()
    }
}

/// An edge in 64 bits: target (28 bits), strong (1), kind (3), two indices (16 each).
pub(crate) fn encode(e: &Edge) -> Option<u64> {
    let (kind, a, b) = match e.what {
        What::Conftest => (0, 0, 0),
        What::Imports(k) => (1, k, 0),
        What::Uses(k, a) => (2, k, a),
        What::ImportsName(k, n) => (3, k, n),
        What::Star(k) => (4, k, 0),
    };
    if e.to >= 1 << 28 || a >= 1 << 16 || b >= 1 << 16 {
        return None;
    }
    Some(
        e.to as u64
            | (u64::from(e.strong) << 28)
            | ((kind as u64) << 29)
            | (u64::from(a) << 32)
            | (u64::from(b) << 48),
    )
}

pub(crate) fn decode(x: u64) -> Option<Edge> {
    let a = ((x >> 32) & 0xffff) as u32;
    let b = (x >> 48) as u32;
    let what = match (x >> 29) & 0b111 {
        0 => What::Conftest,
        1 => What::Imports(a),
        2 => What::Uses(a, b),
        3 => What::ImportsName(a, b),
        4 => What::Star(a),
        _ => return None,
    };
    Some(Edge {
        to: (x & ((1 << 28) - 1)) as usize,
        strong: x & (1 << 28) != 0,
        what,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn what() -> impl Strategy<Value = What> {
        prop_oneof![
            Just(What::Conftest),
            (0u32..1 << 16).prop_map(What::Imports),
            (0u32..1 << 16, 0u32..1 << 16).prop_map(|(a, b)| What::Uses(a, b)),
            (0u32..1 << 16, 0u32..1 << 16).prop_map(|(a, b)| What::ImportsName(a, b)),
            (0u32..1 << 16).prop_map(What::Star),
        ]
    }

    proptest! {
        /// Every edge that fits the encoding comes back as it was.
        #[test]
        fn edges_round_trip(to in 0usize..1 << 28, strong: bool, what in what()) {
            let e = Edge { to, strong, what };
            prop_assert_eq!(decode(encode(&e).unwrap()), Some(e));
        }
    }

    #[test]
    fn edges_that_do_not_fit_are_refused() {
        let e = |to, what| Edge {
            to,
            strong: true,
            what,
        };
        assert_eq!(encode(&e(1 << 28, What::Conftest)), None);
        assert_eq!(encode(&e(0, What::Uses(0, 1 << 16))), None);
        assert_eq!(encode(&e(0, What::Imports(1 << 16))), None);
        assert_eq!(decode(7 << 29), None);
    }
}
