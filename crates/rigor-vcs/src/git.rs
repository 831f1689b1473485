//! The one wrapper around the `git` command. git is driven through its CLI (with `-z` output
//! where git offers it), so the user's own git, configuration and work-tree state are what
//! rigor sees. Output prefixes and path quoting are pinned so parsing does not depend on the
//! user's configuration.

use crate::error::{GIT_HINT, Result, VcsError};
use std::path::Path;
use std::process::{Command, Stdio};

/// The id of git's empty tree: the base when HEAD has no parent.
pub const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// Run git in `dir` and return its stdout; an error names the command, the directory and git's
/// message.
pub fn bytes(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let fail = |message: String| VcsError::Git {
        dir: dir.display().to_string(),
        args: args.join(" "),
        message,
        hint: GIT_HINT,
    };
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
        .map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        return Err(fail(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(out.stdout)
}

/// [`bytes`] as text (invalid UTF-8 replaced).
pub fn text(dir: &Path, args: &[&str]) -> Result<String> {
    Ok(String::from_utf8_lossy(&bytes(dir, args)?).into_owned())
}

/// The trimmed first answer of git, or `None` when git fails or prints nothing (for lookups
/// whose absence is an answer: an unknown revision, a detached HEAD, no remote).
pub fn line(dir: &Path, args: &[&str]) -> Option<String> {
    text(dir, args)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Split `-z` output into its entries.
pub fn split_z(out: &[u8]) -> impl Iterator<Item = String> + '_ {
    out.split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

/// The full SHA of `rev` when it names a commit.
pub fn rev_parse(dir: &Path, rev: &str) -> Option<String> {
    line(
        dir,
        &["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")],
    )
}

/// The merge-base of two revisions.
pub fn merge_base(dir: &Path, a: &str, b: &str) -> Option<String> {
    line(dir, &["merge-base", a, b])
}

/// The content of `path` (repository-relative) at `rev`.
pub fn show(dir: &Path, rev: &str, path: &str) -> Result<Vec<u8>> {
    bytes(dir, &["show", &format!("{rev}:{path}")])
}

/// Whether the work tree has uncommitted changes (tracked or untracked, not ignored).
pub fn is_dirty(dir: &Path) -> bool {
    bytes(
        dir,
        &["status", "--porcelain", "-z", "--untracked-files=normal"],
    )
    .map(|o| !o.is_empty())
    .unwrap_or(false)
}

/// Files tracked under `dir` (the index only: no walk of the work tree), relative to it.
pub fn ls_tracked(dir: &Path) -> Result<Vec<String>> {
    Ok(split_z(&bytes(dir, &["ls-files", "-z", "--cached"])?).collect())
}

/// Files tracked or untracked (not ignored) under `dir`, relative to it.
pub fn ls_files(dir: &Path) -> Result<Vec<String>> {
    Ok(split_z(&bytes(
        dir,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    )?)
    .collect())
}

/// Add a detached work tree of `rev` at `path` (for work that must not touch the user's
/// checkout, e.g. bisecting).
pub fn worktree_add(root: &Path, path: &Path, rev: &str) -> Result<()> {
    let p = path.to_string_lossy();
    bytes(root, &["worktree", "add", "--detach", "-q", &p, rev]).map(|_| ())
}

/// Remove a work tree added by [`worktree_add`] (forcibly: it may hold build output).
pub fn worktree_remove(root: &Path, path: &Path) -> Result<()> {
    let p = path.to_string_lossy();
    bytes(root, &["worktree", "remove", "--force", &p]).map(|_| ())
}

/// Where `git bisect` stands after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BisectStep {
    /// The next commit to test (checked out in the work tree).
    Test(String),
    /// The first bad commit.
    Found(String),
    /// Only skipped commits are left: the first bad commit is one of these.
    Undecided(Vec<String>),
}

/// Start `git bisect` in the work tree `dir` between a bad and a good revision.
pub fn bisect_start(dir: &Path, bad: &str, good: &str) -> Result<BisectStep> {
    let out = text(dir, &["bisect", "start", "--no-checkout", bad, good])?;
    bisect_state(dir, &out)
}

/// Mark the commit under test `good`, `bad` or `skip`.
pub fn bisect_mark(dir: &Path, verdict: &str) -> Result<BisectStep> {
    let current = line(dir, &["rev-parse", "BISECT_HEAD"]).unwrap_or_default();
    let out = text(dir, &["bisect", verdict, &current])?;
    bisect_state(dir, &out)
}

/// End bisecting in `dir`.
pub fn bisect_reset(dir: &Path) -> Result<()> {
    bytes(dir, &["bisect", "reset", "-q"]).map(|_| ())
}

fn bisect_state(dir: &Path, out: &str) -> Result<BisectStep> {
    if let Some(first) = out.lines().find(|l| l.ends_with("is the first bad commit")) {
        let sha = first
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        return Ok(BisectStep::Found(sha));
    }
    if out.contains("only skipped commits left") {
        let shas = out
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.len() == 40 && w.chars().all(|c| c.is_ascii_hexdigit()))
            .map(str::to_string)
            .collect();
        return Ok(BisectStep::Undecided(shas));
    }
    // --no-checkout: the commit to test is BISECT_HEAD; check it out for the test run.
    let next = line(dir, &["rev-parse", "BISECT_HEAD"]).unwrap_or_default();
    bytes(dir, &["checkout", "-q", "--detach", &next])?;
    Ok(BisectStep::Test(next))
}

/// `Author Name <email>`, the date and the subject of a commit.
pub fn commit_summary(dir: &Path, rev: &str) -> Result<(String, String, String)> {
    let out = text(dir, &["show", "-s", "--format=%an <%ae>%x00%aI%x00%s", rev])?;
    let mut parts = out.trim_end().splitn(3, '\0');
    let mut next = || parts.next().unwrap_or_default().to_string();
    Ok((next(), next(), next()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_command_names_the_directory_the_command_and_a_hint() {
        let d = tempfile::tempdir().unwrap();
        let e = text(d.path(), &["rev-parse", "HEAD"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("git rev-parse HEAD"), "{e}");
        assert!(e.contains(&d.path().display().to_string()), "{e}");
        assert!(e.contains("hint"), "{e}");
        assert_eq!(line(d.path(), &["rev-parse", "HEAD"]), None);
    }

    #[test]
    fn z_output_splits_into_entries() {
        let v: Vec<String> = split_z(b"a\0b c\0\0").collect();
        assert_eq!(v, ["a", "b c"]);
    }
}
