//! Commit and branch from CI variables and git; files changed in a commit range.

use std::path::Path;
use std::process::Command;

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The current commit: GITHUB_SHA, CI_COMMIT_SHA, else `git rev-parse HEAD`.
pub fn current_commit(root: &Path) -> Option<String> {
    env("GITHUB_SHA")
        .or_else(|| env("CI_COMMIT_SHA"))
        .or_else(|| git(root, &["rev-parse", "HEAD"]))
}

/// The current branch: GITHUB_HEAD_REF (pull requests), GITHUB_REF_NAME, CI_COMMIT_REF_NAME,
/// else `git rev-parse --abbrev-ref HEAD` (not `HEAD` when detached).
pub fn current_branch(root: &Path) -> Option<String> {
    env("GITHUB_HEAD_REF")
        .or_else(|| env("GITHUB_REF_NAME"))
        .or_else(|| env("CI_COMMIT_REF_NAME"))
        .or_else(|| git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD"))
}

/// The base branch of a pull / merge request, from CI variables.
pub fn ci_base_branch() -> Option<String> {
    env("GITHUB_BASE_REF").or_else(|| env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"))
}

/// Files changed in (from, to]; empty when git cannot tell (shallow clone, unknown commits).
pub fn changed_files(root: &Path, from: Option<&str>, to: &str) -> Vec<String> {
    let out = match from {
        Some(f) => git(root, &["diff", "--name-only", &format!("{f}..{to}")]),
        None => git(root, &["show", "--name-only", "--pretty=format:", to]),
    };
    out.map(|s| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}
