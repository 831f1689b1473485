//! The change under test: files and line ranges between the base and the work tree.

use crate::base::{Base, Resolved, on_default_branch, resolve};
use crate::diff::{parse_hunks, parse_raw_patch};
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
    /// `files` holds every untracked file under the root (not ignored): a caller listing the
    /// project's files can take the tracked ones from the index and these.
    #[serde(default)]
    pub untracked_listed: bool,
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
        let (top, prefix) = top_and_prefix(root)?;
        let base = match resolve(root, base, env, &head)? {
            Resolved::Base(b) => b,
            Resolved::OnDefaultBranch(branch) => {
                // Rule 6 needs to know whether the work tree is dirty: the diff against HEAD
                // (which that base then uses) tells, without a `git status` of its own.
                let (all, files) = diff_against(&top, &head, &prefix)?;
                let base = on_default_branch(root, &head, branch, all > 0);
                if base.sha == head {
                    return Ok(Self::of(base, head, prefix, files));
                }
                base
            }
        };
        let (_, files) = diff_against(&top, &base.sha, &prefix)?;
        Ok(Self::of(base, head, prefix, files))
    }

    /// The change of the checkout at `root` against a base resolved already (so that every
    /// consumer of one pipeline sees the same base).
    pub fn against(root: &Path, base: Base) -> Result<ChangeSet> {
        let head = git::rev_parse(root, "HEAD").unwrap_or_default();
        let (top, prefix) = top_and_prefix(root)?;
        let (_, files) = diff_against(&top, &base.sha, &prefix)?;
        Ok(Self::of(base, head, prefix, files))
    }

    fn of(base: Base, head: String, prefix: String, files: Vec<ChangedFile>) -> ChangeSet {
        ChangeSet {
            base: base.sha,
            head,
            base_source: base.source,
            base_branch: base.branch,
            prefix,
            files,
            untracked_listed: true,
        }
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

/// The top of the work tree and `root`'s path inside it (`""` or `"sub/dir/"`), in one call.
fn top_and_prefix(root: &Path) -> Result<(std::path::PathBuf, String)> {
    let out = git::text(root, &["rev-parse", "--show-toplevel", "--show-prefix"])?;
    let mut lines = out.lines();
    let top = lines.next().unwrap_or("").trim();
    let prefix = lines.next().unwrap_or("").trim().to_string();
    Ok((std::path::PathBuf::from(top), prefix))
}

/// Tracked changes (base → work tree, renames detected) with their hunks, then untracked
/// files; paths made relative to `prefix`. Also how many changes there are in the whole work
/// tree, inside the prefix or not. The two git commands (one diff for entries and hunks, the
/// untracked files) run at once.
fn diff_against(top: &Path, base: &str, prefix: &str) -> Result<(usize, Vec<ChangedFile>)> {
    let (diff, others) = std::thread::scope(|s| {
        let diff = s.spawn(|| {
            git::bytes(
                top,
                &[
                    "diff",
                    "--no-ext-diff",
                    "--no-color",
                    "--raw",
                    "-p",
                    "-z",
                    "-U0",
                    "-M",
                    base,
                ],
            )
        });
        let others = git::bytes(top, &["ls-files", "--others", "--exclude-standard", "-z"]);
        (diff.join().expect("a git thread does not panic"), others)
    });
    let (entries, patch) = parse_raw_patch(&diff?);
    let mut hunks = parse_hunks(&patch);
    let mut files: Vec<ChangedFile> = entries
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
    files.extend(untracked(top, &others?));
    let all = files.len();
    let mut out: Vec<ChangedFile> = files
        .into_iter()
        .filter_map(|f| under_prefix(f, prefix))
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((all, out))
}

/// Untracked files that are not ignored, every line changed.
fn untracked(top: &Path, others: &[u8]) -> Vec<ChangedFile> {
    git::split_z(others)
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
        .collect()
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
