//! The checkout and the change under evaluation. The only module that asks git anything: the
//! repository root, HEAD's commit and branch, and the changed lines against the base.

use crate::diff::{self, ChangedLines};
use crate::error::{GateError, Result};
use std::path::{Path, PathBuf};

/// The git checkout holding the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The repository's top directory.
    pub root: PathBuf,
    /// HEAD's commit.
    pub commit: Option<String>,
    /// HEAD's branch (`None` on a detached HEAD).
    pub branch: Option<String>,
}

/// The checkout holding `dir`, or `None` outside a git repository.
pub fn checkout(dir: &Path) -> Option<Checkout> {
    let root = diff::repo_root(dir).ok()?;
    let commit = git_line(&root, &["rev-parse", "HEAD"]);
    let branch = git_line(&root, &["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD");
    Some(Checkout {
        root,
        commit,
        branch,
    })
}

/// What is known of the change.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The changed lines against the base.
    Lines(ChangedLines),
    /// Why the changed lines are unknown (a note for the report).
    Unknown(String),
}

/// The changed lines of the work tree in `dir` against `base` (default: CI variables, the
/// merge-base with the default branch, HEAD~1); `env` reads CI variables.
///
/// When they cannot be known and no base was asked for (not a git repository, no base found),
/// [`Change::Unknown`] says why and the gates go on; with an explicit `base` that is an error.
pub fn changed_lines_for(
    dir: &Path,
    base: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Change> {
    if diff::repo_root(dir).is_err() {
        if base.is_some() {
            return Err(GateError::Git {
                message: format!(
                    "--base given but {} is not in a git repository",
                    dir.display()
                ),
                hint: "run rigor gate inside the repository".into(),
            });
        }
        return Ok(Change::Unknown(
            "not a git repository: changed-line coverage is not evaluated".into(),
        ));
    }
    match diff::resolve_base(dir, base, env) {
        Ok((label, sha)) => Ok(Change::Lines(diff::changed_lines(dir, &label, &sha)?)),
        Err(e) if base.is_some() => Err(e),
        Err(e) => Ok(Change::Unknown(format!(
            "changed lines unknown: {}",
            e.to_string().lines().next().unwrap_or("")
        ))),
    }
}

fn git_line(dir: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}
