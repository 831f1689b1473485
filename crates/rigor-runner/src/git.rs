//! What the run knows of its checkout: commit, branch, CI provider.

use std::path::Path;
use std::process::{Command, Stdio};

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .current_dir(root)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The commit under test: CI variables first, else `git rev-parse HEAD`.
pub fn commit(root: &Path) -> Option<String> {
    env("GITHUB_SHA")
        .or_else(|| env("CI_COMMIT_SHA"))
        .or_else(|| git(root, &["rev-parse", "HEAD"]))
}

/// The branch: CI variables first, else the checked-out branch.
pub fn branch(root: &Path) -> Option<String> {
    env("GITHUB_HEAD_REF")
        .or_else(|| env("GITHUB_REF_NAME"))
        .or_else(|| env("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"))
        .or_else(|| env("CI_COMMIT_REF_NAME"))
        .or_else(|| git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD"))
}

/// Which CI runs us: `github`, `gitlab`, `ci` (another), or `local`.
pub fn trigger() -> &'static str {
    if env("GITHUB_ACTIONS").is_some() {
        "github"
    } else if env("GITLAB_CI").is_some() {
        "gitlab"
    } else if env("CI").is_some() {
        "ci"
    } else {
        "local"
    }
}
