//! The change under test: files and line ranges between the base and the work tree.

use crate::base::{Base, resolve_base};
use crate::diff::{parse_hunks, parse_name_status};
use crate::env::{Env, ProcessEnv};
use crate::error::Result;
use crate::file::{ChangeKind, ChangedFile, LineRange};
use crate::git;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The change between `base` and the work tree (HEAD plus staged, unstaged and untracked files).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChangeSet {
    /// Full SHA of the base commit (or [`EMPTY_TREE`](crate::git::EMPTY_TREE)).
    pub base: String,
    /// Full SHA of HEAD.
    pub head: String,
    /// How the base was chosen, e.g. `--base origin/main` or `merge-base with origin/HEAD`.
    pub base_source: String,
    /// The branch the change goes into, when known.
    #[serde(default)]
    pub base_branch: Option<String>,
    /// The root's path inside the repository (`""` at the top, else `"sub/dir/"`).
    #[serde(default)]
    pub prefix: String,
    pub files: Vec<ChangedFile>,
}

impl ChangeSet {
    /// Detect the change of the checkout at `root` against the base chosen by
    /// [`resolve_base`](crate::base::resolve_base) (`base` is the `--base` flag). Paths are
    /// relative to `root`; changes outside `root` are left out (a rename out of `root` stays
    /// as the deletion of its old path).
    pub fn detect(root: &Path, base: Option<&str>) -> Result<ChangeSet> {
        Self::detect_with_env(root, base, &ProcessEnv)
    }

    /// [`ChangeSet::detect`] with an explicit environment (for tests and embedding).
    pub fn detect_with_env(root: &Path, base: Option<&str>, env: &dyn Env) -> Result<ChangeSet> {
        let head = git::rev_parse(root, "HEAD").unwrap_or_default();
        let base = resolve_base(root, base, env, &head)?;
        Self::diff(root, base, head)
    }

    /// The change of the checkout at `root` against a base resolved already (so that every
    /// consumer of one pipeline sees the same base).
    pub fn against(root: &Path, base: Base) -> Result<ChangeSet> {
        let head = git::rev_parse(root, "HEAD").unwrap_or_default();
        Self::diff(root, base, head)
    }

    /// The work tree at `root` against `base`, HEAD being `head`.
    fn diff(root: &Path, base: Base, head: String) -> Result<ChangeSet> {
        let prefix = git::text(root, &["rev-parse", "--show-prefix"])?
            .trim()
            .to_string();
        let files = diff_against(root, &base.sha, &prefix)?;
        Ok(ChangeSet {
            base: base.sha,
            head,
            base_source: base.source,
            base_branch: base.branch,
            prefix,
            files,
        })
    }

    /// The changed file at `path` (new or old path).
    pub fn file(&self, path: &str) -> Option<&ChangedFile> {
        self.files
            .iter()
            .find(|f| f.path == path || f.old_path.as_deref() == Some(path))
    }

    /// Changed line ranges (new side) of `path`; empty when the file did not change.
    pub fn changed_lines(&self, path: &str) -> &[LineRange] {
        self.file(path).map(|f| f.lines.as_slice()).unwrap_or(&[])
    }

    /// All paths touched: new paths and the old paths of renames.
    pub fn paths(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for f in &self.files {
            out.push(f.path.as_str());
            if let Some(o) = &f.old_path {
                out.push(o.as_str());
            }
        }
        out
    }

    /// diff-cover's changed lines: repository-relative path → line numbers added or modified
    /// in tracked files (committed, staged or unstaged since the base). Untracked files and
    /// files whose change only removed lines are left out.
    pub fn added_lines(&self) -> BTreeMap<String, BTreeSet<u32>> {
        self.files
            .iter()
            .filter(|f| f.kind != ChangeKind::Untracked && !f.added.is_empty())
            .map(|f| {
                let lines = f.added.iter().flat_map(|r| r.start..=r.end).collect();
                (format!("{}{}", self.prefix, f.path), lines)
            })
            .collect()
    }

    /// A change made of the given paths (all `Modified`, no line information), for callers that
    /// know the files but not the diff.
    pub fn from_paths<S: AsRef<str>>(paths: &[S]) -> ChangeSet {
        ChangeSet {
            base_source: "explicit file list".into(),
            files: paths
                .iter()
                .map(|p| ChangedFile {
                    path: p.as_ref().to_string(),
                    old_path: None,
                    kind: ChangeKind::Modified,
                    lines: Vec::new(),
                    old_lines: Vec::new(),
                    added: Vec::new(),
                })
                .collect(),
            ..ChangeSet::default()
        }
    }
}

/// Tracked changes (base → work tree, renames detected) with their hunks, then untracked
/// files; paths made relative to `prefix`.
fn diff_against(root: &Path, base: &str, prefix: &str) -> Result<Vec<ChangedFile>> {
    let top = crate::checkout::toplevel(root)?;
    let raw = git::bytes(
        &top,
        &["diff", "--no-ext-diff", "--name-status", "-z", "-M", base],
    )?;
    let patch = git::bytes(
        &top,
        &["diff", "--no-ext-diff", "--no-color", "-U0", "-M", base],
    )?;
    let mut hunks = parse_hunks(&String::from_utf8_lossy(&patch));
    let mut files: Vec<ChangedFile> = parse_name_status(&raw)
        .into_iter()
        .map(|(kind, path, old_path)| {
            let h = hunks.remove(&path).unwrap_or_default();
            ChangedFile {
                path,
                old_path,
                kind,
                lines: h.lines,
                old_lines: h.old_lines,
                added: h.added,
            }
        })
        .collect();
    files.extend(untracked(&top)?);
    let mut out: Vec<ChangedFile> = files
        .into_iter()
        .filter_map(|f| under_prefix(f, prefix))
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Untracked files that are not ignored, every line changed.
fn untracked(top: &Path) -> Result<Vec<ChangedFile>> {
    let others = git::bytes(top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    Ok(git::split_z(&others)
        .map(|path| {
            let n = std::fs::read(top.join(&path))
                .map(|b| b.iter().filter(|c| **c == b'\n').count().max(1))
                .unwrap_or(1);
            let all = vec![LineRange {
                start: 1,
                end: n as u32,
            }];
            ChangedFile {
                path,
                old_path: None,
                kind: ChangeKind::Untracked,
                lines: all.clone(),
                old_lines: Vec::new(),
                added: all,
            }
        })
        .collect())
}

/// `f` with paths relative to `prefix`; outside it, a rename whose old side was inside is kept
/// as a deletion, anything else is dropped.
fn under_prefix(mut f: ChangedFile, prefix: &str) -> Option<ChangedFile> {
    let rel = |p: &str| p.strip_prefix(prefix).map(str::to_string);
    match rel(&f.path) {
        Some(p) => {
            f.path = p;
            f.old_path = f.old_path.as_deref().and_then(rel);
            Some(f)
        }
        None => {
            let o = f.old_path.as_deref().and_then(rel)?;
            f.path = o;
            f.old_path = None;
            f.kind = ChangeKind::Deleted;
            Some(f)
        }
    }
}
