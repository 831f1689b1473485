//! The checkout and the change under evaluation, from rigor-vcs: the same commit, branch and
//! base rules as every other command (`docs/change.md`). The changed lines follow diff-cover:
//! lines added or modified in tracked files since the base (committed, staged and unstaged;
//! untracked files and pure deletions do not count), by repository-relative path.

use crate::error::{GateError, Result};
use rigor_vcs::{ChangeSet, VcsError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The git checkout holding the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The repository's top directory.
    pub root: PathBuf,
    /// The commit under test (CI variables, else HEAD).
    pub commit: Option<String>,
    /// The branch under test (CI variables, else HEAD's branch; `None` on a detached HEAD
    /// outside CI).
    pub branch: Option<String>,
}

/// The checkout holding `dir`, or `None` outside a git repository.
pub fn checkout(dir: &Path) -> Option<Checkout> {
    let root = rigor_vcs::toplevel(dir).ok()?;
    Some(Checkout {
        commit: rigor_vcs::commit(&root),
        branch: rigor_vcs::branch(&root),
        root,
    })
}

/// diff-cover's changed lines of a change.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangedLines {
    /// How the base was chosen, e.g. `--base origin/main` or `HEAD~1`.
    pub base_label: String,
    /// The commit diffed against (the merge-base).
    pub base_sha: String,
    /// The branch the change goes into, when known (its latest coverage stands in for a base
    /// commit without one).
    #[serde(skip)]
    pub base_branch: Option<String>,
    /// Repository-relative path → added or modified line numbers (new side).
    pub files: BTreeMap<String, BTreeSet<u32>>,
}

impl ChangedLines {
    pub fn line_count(&self) -> usize {
        self.files.values().map(BTreeSet::len).sum()
    }

    /// diff-cover's view of a detected change.
    pub fn from_change(change: &ChangeSet) -> ChangedLines {
        ChangedLines {
            base_label: change.base_source.clone(),
            base_sha: change.base.clone(),
            base_branch: change.base_branch.clone(),
            files: change.added_lines(),
        }
    }
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
    match ChangeSet::detect_with_env(dir, base, &FnEnv(env)) {
        Ok(c) => Ok(Change::Lines(ChangedLines::from_change(&c))),
        Err(e) if base.is_some() => Err(git_error(e)),
        Err(e) => Ok(Change::Unknown(format!(
            "changed lines unknown: {}",
            e.to_string().lines().next().unwrap_or("")
        ))),
    }
}

fn git_error(e: VcsError) -> GateError {
    GateError::Git {
        message: e.to_string(),
        hint: "is this a git repository with the base revision fetched? (CI checkouts may need fetch-depth: 0)".into(),
    }
}

/// CI variables read through a closure.
struct FnEnv<'a>(&'a dyn Fn(&str) -> Option<String>);

impl rigor_vcs::Env for FnEnv<'_> {
    fn var(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.is_empty())
    }
}
