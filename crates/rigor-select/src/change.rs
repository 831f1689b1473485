//! The change under test: files and line ranges between a base revision and the work tree.
//!
//! git is driven through its CLI (`-z` output where git offers it), so the user's own git,
//! configuration and work-tree state are what rigor sees.

use crate::error::{Result, SelectError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// The id of git's empty tree: the base when HEAD has no parent.
pub const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    Copied,
    /// Mode or type change (file ↔ symlink).
    TypeChanged,
    /// Not tracked by git and not ignored.
    Untracked,
}

/// An inclusive range of 1-based line numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LineRange {
    pub start: u32,
    pub end: u32,
}

impl LineRange {
    pub fn contains(&self, line: u32) -> bool {
        self.start <= line && line <= self.end
    }
}

/// One changed file, with paths relative to the root given to [`ChangeSet::detect`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangedFile {
    /// Path after the change (for deletions: the deleted path).
    pub path: String,
    /// Path before a rename or copy.
    pub old_path: Option<String>,
    pub kind: ChangeKind,
    /// Changed lines on the new side. A pure deletion of lines is recorded as the single
    /// line after which the lines were removed (at least line 1).
    pub lines: Vec<LineRange>,
    /// Changed lines on the base side (what a coverage map recorded at the base refers to).
    /// A pure insertion is recorded as the base line it follows and the next one.
    pub old_lines: Vec<LineRange>,
}

impl ChangedFile {
    /// The path on the base side (the old path of a rename, else the path).
    pub fn base_path(&self) -> &str {
        self.old_path.as_deref().unwrap_or(&self.path)
    }
}

/// The change between `base` and the work tree (HEAD plus staged, unstaged and untracked files).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChangeSet {
    /// Full SHA of the base commit (or [`EMPTY_TREE`]).
    pub base: String,
    /// Full SHA of HEAD.
    pub head: String,
    /// How the base was chosen, e.g. `--base origin/main` or `merge-base with origin/HEAD`.
    pub base_source: String,
    pub files: Vec<ChangedFile>,
}

/// Where environment variables come from (the process environment, or a map in tests).
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl Env for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned().filter(|v| !v.is_empty())
    }
}

impl ChangeSet {
    /// Detect the change of the checkout at `root` against `base`.
    ///
    /// Base resolution order: explicit `base`; `GITHUB_BASE_REF` (`origin/<ref>`, else `<ref>`,
    /// then the merge-base with HEAD); the GitHub event payload (`GITHUB_EVENT_PATH` →
    /// `pull_request.base.sha`); `CI_MERGE_REQUEST_DIFF_BASE_SHA`; the merge-base with the default
    /// branch (`origin/HEAD`, `main`, `master`) when it is not HEAD itself; on the default branch
    /// itself, HEAD when the work tree has uncommitted changes, else `HEAD~1`; else the empty tree. Paths are relative to `root`; changes outside `root` are left out.
    pub fn detect(root: &Path, base: Option<&str>) -> Result<ChangeSet> {
        Self::detect_with_env(root, base, &ProcessEnv)
    }

    /// [`ChangeSet::detect`] with an explicit environment (for tests and embedding).
    pub fn detect_with_env(root: &Path, base: Option<&str>, env: &dyn Env) -> Result<ChangeSet> {
        let head = git(root, &["rev-parse", "--verify", "-q", "HEAD^{commit}"])
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let (base, base_source) = resolve_base(root, base, env, &head)?;
        let prefix = git(root, &["rev-parse", "--show-prefix"])?
            .trim()
            .to_string();
        let files = diff_against(root, &base, &prefix)?;
        Ok(ChangeSet {
            base,
            head,
            base_source,
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
                })
                .collect(),
            ..ChangeSet::default()
        }
    }
}

/// Run git in `dir`, returning stdout; an error names the command and git's message.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let bytes = git_bytes(dir, args)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) fn git_bytes(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "core.quotepath=off",
            "-c",
            "diff.noprefix=false",
            "-c",
            "diff.mnemonicprefix=false",
        ])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| SelectError::Git {
            dir: dir.display().to_string(),
            args: args.join(" "),
            message: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(SelectError::Git {
            dir: dir.display().to_string(),
            args: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

fn rev_parse(root: &Path, rev: &str) -> Option<String> {
    git(
        root,
        &["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")],
    )
    .ok()
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
}

fn merge_base(root: &Path, a: &str, b: &str) -> Option<String> {
    git(root, &["merge-base", a, b])
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn resolve_base(
    root: &Path,
    explicit: Option<&str>,
    env: &dyn Env,
    head: &str,
) -> Result<(String, String)> {
    let unknown = |rev: &str, message: &str| SelectError::UnknownBase {
        dir: root.display().to_string(),
        rev: rev.to_string(),
        message: message.to_string(),
    };
    if let Some(rev) = explicit {
        let sha = rev_parse(root, rev)
            .ok_or_else(|| unknown(rev, "git rev-parse found no such commit"))?;
        return Ok((sha, format!("--base {rev}")));
    }
    if head.is_empty() {
        return Ok((
            EMPTY_TREE.to_string(),
            "no commit yet: everything is new".into(),
        ));
    }
    if let Some(reference) = env.var("GITHUB_BASE_REF") {
        for cand in [format!("origin/{reference}"), reference.clone()] {
            if let Some(sha) = rev_parse(root, &cand) {
                let mb = merge_base(root, &sha, "HEAD").unwrap_or(sha);
                return Ok((
                    mb,
                    format!("GITHUB_BASE_REF ({cand}), merge-base with HEAD"),
                ));
            }
        }
    }
    if let Some(path) = env.var("GITHUB_EVENT_PATH")
        && let Ok(text) = std::fs::read_to_string(&path)
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(sha) = v.pointer("/pull_request/base/sha").and_then(|s| s.as_str())
    {
        let sha = rev_parse(root, sha).ok_or_else(|| {
            unknown(
                sha,
                "pull_request.base.sha of GITHUB_EVENT_PATH is not in this clone",
            )
        })?;
        return Ok((sha, "GitHub event payload pull_request.base.sha".into()));
    }
    if let Some(sha) = env.var("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        let full = rev_parse(root, &sha)
            .ok_or_else(|| unknown(&sha, "CI_MERGE_REQUEST_DIFF_BASE_SHA is not in this clone"))?;
        return Ok((full, "CI_MERGE_REQUEST_DIFF_BASE_SHA".into()));
    }
    let mut defaults = Vec::new();
    if let Ok(r) = git(root, &["symbolic-ref", "-q", "refs/remotes/origin/HEAD"]) {
        let r = r.trim().trim_start_matches("refs/remotes/").to_string();
        if !r.is_empty() {
            defaults.push(r);
        }
    }
    defaults.extend(["origin/main", "origin/master", "main", "master"].map(String::from));
    for cand in defaults {
        if let Some(sha) = rev_parse(root, &cand)
            && let Some(mb) = merge_base(root, &sha, "HEAD")
            && mb != head
        {
            return Ok((mb, format!("merge-base with {cand}")));
        }
    }
    // On the default branch itself: uncommitted work is the change; a clean tree tests the last commit.
    let dirty = git_bytes(
        root,
        &["status", "--porcelain", "-z", "--untracked-files=normal"],
    )
    .map(|o| !o.is_empty())
    .unwrap_or(false);
    if dirty {
        return Ok((
            head.to_string(),
            "HEAD (uncommitted changes on the default branch)".into(),
        ));
    }
    if let Some(sha) = rev_parse(root, "HEAD~1") {
        return Ok((sha, "HEAD~1".into()));
    }
    Ok((
        EMPTY_TREE.to_string(),
        "HEAD has no parent: everything is new".into(),
    ))
}

/// Strip the `root` prefix (relative to the top level) from a top-level-relative path.
fn relative(prefix: &str, path: &str) -> Option<String> {
    path.strip_prefix(prefix).map(str::to_string)
}

fn diff_against(root: &Path, base: &str, prefix: &str) -> Result<Vec<ChangedFile>> {
    let top = git(root, &["rev-parse", "--show-toplevel"])?
        .trim()
        .to_string();
    let top = Path::new(&top);
    // Status of tracked files: base → work tree (staged and unstaged), renames detected.
    let raw = git_bytes(
        top,
        &["diff", "--no-ext-diff", "--name-status", "-z", "-M", base],
    )?;
    let mut files: Vec<ChangedFile> = Vec::new();
    let mut it = raw
        .split(|b| *b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned());
    while let Some(status) = it.next() {
        if status.is_empty() {
            continue;
        }
        let letter = status.chars().next().unwrap_or('M');
        let (kind, two) = match letter {
            'A' => (ChangeKind::Added, false),
            'D' => (ChangeKind::Deleted, false),
            'R' => (ChangeKind::Renamed, true),
            'C' => (ChangeKind::Copied, true),
            'T' => (ChangeKind::TypeChanged, false),
            _ => (ChangeKind::Modified, false),
        };
        let first = it.next().unwrap_or_default();
        let (path, old_path) = if two {
            let second = it.next().unwrap_or_default();
            (second, Some(first))
        } else {
            (first, None)
        };
        files.push(ChangedFile {
            path,
            old_path,
            kind,
            lines: Vec::new(),
            old_lines: Vec::new(),
        });
    }
    // Line ranges from a zero-context patch.
    let patch = git_bytes(
        top,
        &["diff", "--no-ext-diff", "--no-color", "-U0", "-M", base],
    )?;
    let hunks = parse_hunks(&String::from_utf8_lossy(&patch));
    for f in &mut files {
        if let Some((new, old)) = hunks.get(&f.path) {
            f.lines = new.clone();
            f.old_lines = old.clone();
        }
    }
    // Untracked, not ignored.
    let others = git_bytes(top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    for p in others.split(|b| *b == 0).filter(|s| !s.is_empty()) {
        let path = String::from_utf8_lossy(p).into_owned();
        let n = std::fs::read(top.join(&path))
            .map(|b| b.iter().filter(|c| **c == b'\n').count().max(1))
            .unwrap_or(1);
        files.push(ChangedFile {
            path,
            old_path: None,
            kind: ChangeKind::Untracked,
            lines: vec![LineRange {
                start: 1,
                end: n as u32,
            }],
            old_lines: Vec::new(),
        });
    }
    let mut out = Vec::new();
    for mut f in files {
        let Some(p) = relative(prefix, &f.path) else {
            // Outside root: keep a rename whose old side was inside as a deletion.
            if let Some(o) = f.old_path.as_deref().and_then(|o| relative(prefix, o)) {
                f.path = o;
                f.old_path = None;
                f.kind = ChangeKind::Deleted;
                out.push(f);
            }
            continue;
        };
        f.path = p;
        f.old_path = f.old_path.as_deref().and_then(|o| relative(prefix, o));
        out.push(f);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

type Hunks = BTreeMap<String, (Vec<LineRange>, Vec<LineRange>)>;

/// Parse `git diff -U0` output into new-side and old-side line ranges per (new) path.
pub(crate) fn parse_hunks(patch: &str) -> Hunks {
    let mut out: Hunks = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut old_name: Option<String> = None;
    for line in patch.lines() {
        if let Some(rest) = line.strip_prefix("--- ") {
            old_name = strip_side(rest, "a/");
            current = None;
        } else if let Some(rest) = line.strip_prefix("+++ ") {
            current = strip_side(rest, "b/").or_else(|| old_name.clone());
        } else if let Some(rest) = line.strip_prefix("@@ ")
            && let Some(cur) = &current
        {
            let mut parts = rest.split_whitespace();
            let old = parts
                .next()
                .and_then(|s| s.strip_prefix('-'))
                .map(parse_range);
            let new = parts
                .next()
                .and_then(|s| s.strip_prefix('+'))
                .map(parse_range);
            let entry = out.entry(cur.clone()).or_default();
            if let Some((start, count)) = new {
                entry.0.push(if count == 0 {
                    let l = start.max(1);
                    LineRange { start: l, end: l }
                } else {
                    LineRange {
                        start,
                        end: start + count - 1,
                    }
                });
            }
            if let Some((start, count)) = old {
                entry.1.push(if count == 0 {
                    LineRange {
                        start: start.max(1),
                        end: start + 1,
                    }
                } else {
                    LineRange {
                        start,
                        end: start + count - 1,
                    }
                });
            }
        }
    }
    out
}

fn strip_side(rest: &str, side: &str) -> Option<String> {
    let rest = rest.trim_end_matches('\t');
    if rest == "/dev/null" {
        return None;
    }
    let unq = if rest.starts_with('"') && rest.ends_with('"') && rest.len() >= 2 {
        unquote(&rest[1..rest.len() - 1])
    } else {
        rest.to_string()
    };
    Some(unq.strip_prefix(side).map(str::to_string).unwrap_or(unq))
}

/// Undo git's C-style quoting of unusual path names.
fn unquote(s: &str) -> String {
    let mut bytes = Vec::new();
    let mut chars = s.bytes().peekable();
    while let Some(c) = chars.next() {
        if c != b'\\' {
            bytes.push(c);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut v = (d - b'0') as u32;
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = chars.peek() {
                        v = v * 8 + (n - b'0') as u32;
                        chars.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(o) => bytes.push(o),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn parse_range(s: &str) -> (u32, u32) {
    match s.split_once(',') {
        Some((a, b)) => (a.parse().unwrap_or(0), b.parse().unwrap_or(0)),
        None => (s.parse().unwrap_or(0), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_give_new_and_old_ranges() {
        let patch = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -3 +3 @@ def f\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,2 +21,0 @@\n-e\n-f\n";
        let h = parse_hunks(patch);
        let (new, old) = &h["x.py"];
        assert_eq!(
            new,
            &vec![
                LineRange { start: 3, end: 3 },
                LineRange { start: 11, end: 12 },
                LineRange { start: 21, end: 21 }
            ]
        );
        assert_eq!(
            old,
            &vec![
                LineRange { start: 3, end: 3 },
                LineRange { start: 10, end: 11 },
                LineRange { start: 20, end: 21 }
            ]
        );
    }

    #[test]
    fn quoted_paths_are_unquoted() {
        assert_eq!(
            strip_side("\"b/caf\\303\\251 x.py\"", "b/").unwrap(),
            "café x.py"
        );
        assert_eq!(strip_side("/dev/null", "a/"), None);
    }
}
