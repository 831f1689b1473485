//! What rigor knows of the checkout under test: commit, branch and CI provider, from CI
//! variables first (a CI checkout is often a detached HEAD), else from git.

use crate::env::{Env, ProcessEnv};
use crate::error::Result;
use crate::git;
use std::path::{Path, PathBuf};

/// Commit, branch and trigger of a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checkout {
    pub commit: Option<String>,
    pub branch: Option<String>,
    /// `github`, `gitlab`, `ci` (another CI) or `local`.
    pub trigger: &'static str,
}

impl Checkout {
    /// The checkout at `root`, reading CI variables from the process.
    pub fn detect(root: &Path) -> Checkout {
        Self::detect_with_env(root, &ProcessEnv)
    }

    pub fn detect_with_env(root: &Path, env: &dyn Env) -> Checkout {
        Checkout {
            commit: commit_with_env(root, env),
            branch: branch_with_env(root, env),
            trigger: trigger_with_env(env),
        }
    }
}

/// The commit under test: `GITHUB_SHA`, `CI_COMMIT_SHA`, else `git rev-parse HEAD`.
pub fn commit(root: &Path) -> Option<String> {
    commit_with_env(root, &ProcessEnv)
}

fn commit_with_env(root: &Path, env: &dyn Env) -> Option<String> {
    env.first(&["GITHUB_SHA", "CI_COMMIT_SHA"])
        .or_else(|| git::line(root, &["rev-parse", "HEAD"]))
}

/// The branch under test: `GITHUB_HEAD_REF` (pull requests), `GITHUB_REF_NAME`,
/// `CI_MERGE_REQUEST_SOURCE_BRANCH_NAME`, `CI_COMMIT_REF_NAME`, else the checked-out branch
/// (none on a detached HEAD).
pub fn branch(root: &Path) -> Option<String> {
    branch_with_env(root, &ProcessEnv)
}

fn branch_with_env(root: &Path, env: &dyn Env) -> Option<String> {
    env.first(&[
        "GITHUB_HEAD_REF",
        "GITHUB_REF_NAME",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
        "CI_COMMIT_REF_NAME",
    ])
    .or_else(|| git::line(root, &["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD"))
}

/// The branch a pull / merge request goes into, from CI variables.
pub fn ci_base_branch() -> Option<String> {
    ProcessEnv.first(&["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"])
}

/// Which CI runs us: `github`, `gitlab`, `ci` (another), or `local`.
pub fn trigger() -> &'static str {
    trigger_with_env(&ProcessEnv)
}

fn trigger_with_env(env: &dyn Env) -> &'static str {
    if env.var("GITHUB_ACTIONS").is_some() {
        "github"
    } else if env.var("GITLAB_CI").is_some() {
        "gitlab"
    } else if env.var("CI").is_some() {
        "ci"
    } else {
        "local"
    }
}

/// The top directory of the repository holding `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf> {
    Ok(PathBuf::from(
        git::text(dir, &["rev-parse", "--show-toplevel"])?.trim(),
    ))
}

/// Whether git ignores `path` (relative to `dir`, which need not exist) in the work tree holding
/// `dir`; `None` when `dir` is not in a git work tree.
pub fn is_ignored(dir: &Path, path: &str) -> Option<bool> {
    toplevel(dir).ok()?;
    Some(git::bytes(dir, &["check-ignore", "-q", "--", path]).is_ok())
}

/// Files changed in the commits (from, to] (repository-relative); with no `from`, the files of
/// the commit `to`. Empty when git cannot tell (shallow clone, unknown commits).
pub fn files_between(root: &Path, from: Option<&str>, to: &str) -> Vec<String> {
    let out = match from {
        Some(f) => git::bytes(root, &["diff", "--name-only", "-z", &format!("{f}..{to}")]),
        None => git::bytes(root, &["show", "--name-only", "-z", "--pretty=format:", to]),
    };
    out.map(|o| {
        git::split_z(&o)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ci_variables_name_commit_branch_and_trigger_on_a_detached_checkout() {
        let d = tempfile::tempdir().unwrap();
        let gitlab = env(&[
            ("GITLAB_CI", "true"),
            ("CI_COMMIT_SHA", "abc"),
            ("CI_COMMIT_REF_NAME", "feature/x"),
        ]);
        let c = Checkout::detect_with_env(d.path(), &gitlab);
        assert_eq!(c.commit.as_deref(), Some("abc"));
        assert_eq!(c.branch.as_deref(), Some("feature/x"));
        assert_eq!(c.trigger, "gitlab");
        let mr = env(&[
            ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "mr-branch"),
            ("CI_COMMIT_REF_NAME", "refs/merge-requests/1/head"),
        ]);
        assert_eq!(
            Checkout::detect_with_env(d.path(), &mr).branch.as_deref(),
            Some("mr-branch")
        );
        let gh = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_HEAD_REF", "pr"),
            ("GITHUB_REF_NAME", "12/merge"),
        ]);
        let c = Checkout::detect_with_env(d.path(), &gh);
        assert_eq!((c.branch.as_deref(), c.trigger), (Some("pr"), "github"));
        let local = Checkout::detect_with_env(d.path(), &env(&[]));
        assert_eq!(
            local,
            Checkout {
                trigger: "local",
                ..Checkout::default()
            }
        );
    }
}
