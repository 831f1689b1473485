//! Changed lines of a change with diff-cover's semantics: lines added or modified in tracked
//! files since the base (committed, staged and unstaged; untracked files do not count). The
//! change itself — its base and its diff — comes from rigor-vcs, so the gate judges the same
//! change that selection planned for (see `docs/selection.md`, "The base of a change").

use crate::error::{GateError, Result};
use rigor_vcs::{Base, ChangeSet, VcsError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangedLines {
    /// How the base was chosen, e.g. `--base origin/main` or `HEAD~1`.
    pub base_label: String,
    /// The commit diffed against (the merge-base).
    pub base_sha: String,
    /// The branch the change goes into, when known (for per-branch baselines).
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

fn git_error(e: VcsError) -> GateError {
    GateError::Git {
        message: e.to_string(),
        hint: "is this a git repository with the base revision fetched? (CI checkouts may need fetch-depth: 0)".into(),
    }
}

/// The top directory of the repository holding `dir`.
pub fn repo_root(dir: &Path) -> Result<PathBuf> {
    rigor_vcs::toplevel(dir).map_err(git_error)
}

/// Detect the change at `dir` against `--base` (or the CI variables, the default branch, …)
/// and take its changed lines. `env` reads CI variables.
pub fn detect(
    dir: &Path,
    explicit: Option<&str>,
    env: &dyn rigor_vcs::Env,
) -> Result<ChangedLines> {
    ChangeSet::detect_with_env(dir, explicit, env)
        .map(|c| ChangedLines::from_change(&c))
        .map_err(git_error)
}

/// Choose the base commit: `(label, sha)`. `env` reads CI variables.
pub fn resolve_base(
    dir: &Path,
    explicit: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, String)> {
    let head = rigor_vcs::git::rev_parse(dir, "HEAD").unwrap_or_default();
    let base = rigor_vcs::resolve_base(dir, explicit, &FnEnv(env), &head).map_err(git_error)?;
    Ok((base.source, base.sha))
}

/// Lines added or modified between `base_sha` and the work tree, by repository-relative path.
pub fn changed_lines(dir: &Path, base_label: &str, base_sha: &str) -> Result<ChangedLines> {
    let base = Base {
        sha: base_sha.into(),
        source: base_label.into(),
        branch: None,
    };
    ChangeSet::against(dir, base)
        .map(|c| ChangedLines::from_change(&c))
        .map_err(git_error)
}

/// CI variables read through a closure.
struct FnEnv<'a>(&'a dyn Fn(&str) -> Option<String>);

impl rigor_vcs::Env for FnEnv<'_> {
    fn var(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.is_empty())
    }
}
