//! The base of a change: the commit the work tree is compared with. One rule set, used by
//! selection, the changed-lines coverage gate, triage and mutation testing alike:
//!
//! 1. `--base REV`: the merge-base of REV and HEAD (what the branch changed since it left REV;
//!    REV itself when they share no history);
//! 2. no commit yet: git's empty tree (everything is new);
//! 3. GitHub pull requests: `GITHUB_BASE_REF` (`origin/<ref>`, else `<ref>`), else the event
//!    payload's `pull_request.base.sha` (`GITHUB_EVENT_PATH`), each merged-based with HEAD;
//! 4. GitLab merge requests: `CI_MERGE_REQUEST_DIFF_BASE_SHA`, else the merge-base with
//!    `CI_MERGE_REQUEST_TARGET_BRANCH_NAME`;
//! 5. the merge-base with the default branch — the first of `origin/HEAD`, `origin/main`,
//!    `origin/master`, `main`, `master` that exists — when it is not HEAD itself;
//! 6. on the default branch: HEAD when the work tree has uncommitted changes (they are the
//!    change), else `HEAD~1`, else the empty tree.
//!
//! A base that CI variables name but the clone lacks is an error (with the fetch-depth hint),
//! never a silent fallback to another base.

use crate::env::Env;
use crate::error::{FETCH_HINT, Result, VcsError};
use crate::git::{self, EMPTY_TREE};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The resolved base of a change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Base {
    /// Full SHA of the base commit (or [`EMPTY_TREE`]).
    pub sha: String,
    /// How it was chosen, e.g. `--base origin/main` or `merge-base with origin/main`.
    pub source: String,
    /// The branch the change goes into, when known (for per-branch baselines).
    pub branch: Option<String>,
}

impl Base {
    fn new(sha: String, source: impl Into<String>, branch: Option<String>) -> Base {
        Base {
            sha,
            source: source.into(),
            branch,
        }
    }
}

/// Resolve the base of the checkout at `root` (see the module documentation for the rules).
/// `head` is the full SHA of HEAD, empty when there is no commit yet.
pub fn resolve_base(
    root: &Path,
    explicit: Option<&str>,
    env: &dyn Env,
    head: &str,
) -> Result<Base> {
    Ok(match resolve(root, explicit, env, head)? {
        Resolved::Base(b) => b,
        Resolved::OnDefaultBranch(branch) => {
            on_default_branch(root, head, branch, git::is_dirty(root))
        }
    })
}

/// A resolution that may still need to know whether the work tree is dirty (rule 6): the
/// caller that diffs anyway can tell from its own diff against HEAD, without `git status`.
pub(crate) enum Resolved {
    Base(Base),
    /// On the default branch (its short name, when known).
    OnDefaultBranch(Option<String>),
}

pub(crate) fn resolve(
    root: &Path,
    explicit: Option<&str>,
    env: &dyn Env,
    head: &str,
) -> Result<Resolved> {
    if let Some(rev) = explicit {
        return explicit_base(root, rev).map(Resolved::Base);
    }
    if head.is_empty() {
        return Ok(Resolved::Base(Base::new(
            EMPTY_TREE.into(),
            "no commit yet: everything is new",
            None,
        )));
    }
    if let Some(base) = github_base(root, env)? {
        return Ok(Resolved::Base(base));
    }
    if let Some(base) = gitlab_base(root, env)? {
        return Ok(Resolved::Base(base));
    }
    let default = default_branch(root);
    if let Some(d) = &default
        && let Some(base) = default_branch_base(root, head, d)
    {
        return Ok(Resolved::Base(base));
    }
    Ok(Resolved::OnDefaultBranch(
        default.map(|d| d.trim_start_matches("origin/").to_string()),
    ))
}

fn unknown(root: &Path, rev: &str, message: &str) -> VcsError {
    VcsError::UnknownBase {
        dir: root.display().to_string(),
        rev: rev.to_string(),
        message: message.to_string(),
        hint: FETCH_HINT,
    }
}

/// The merge-base of `sha` and HEAD, or `sha` when they share no history.
fn fork_point(root: &Path, sha: String) -> String {
    git::merge_base(root, &sha, "HEAD").unwrap_or(sha)
}

/// A branch name for `rev` when it names one (`main`, `origin/main`).
fn branch_of(root: &Path, rev: &str) -> Option<String> {
    let full = git::line(root, &["rev-parse", "--symbolic-full-name", rev])?;
    full.strip_prefix("refs/heads/")
        .or_else(|| {
            full.strip_prefix("refs/remotes/")
                .and_then(|r| r.split_once('/').map(|(_, b)| b))
        })
        .filter(|b| *b != "HEAD")
        .map(str::to_string)
}

fn explicit_base(root: &Path, rev: &str) -> Result<Base> {
    let sha = git::rev_parse(root, rev)
        .ok_or_else(|| unknown(root, rev, "git rev-parse found no such commit"))?;
    Ok(Base::new(
        fork_point(root, sha),
        format!("--base {rev}"),
        branch_of(root, rev),
    ))
}

/// The merge-base with the first of `origin/<name>`, `<name>` that exists.
fn branch_fork_point(root: &Path, name: &str) -> Option<(String, String)> {
    [format!("origin/{name}"), name.to_string()]
        .into_iter()
        .find_map(|cand| git::rev_parse(root, &cand).map(|sha| (fork_point(root, sha), cand)))
}

fn github_base(root: &Path, env: &dyn Env) -> Result<Option<Base>> {
    let reference = env.var("GITHUB_BASE_REF");
    if let Some(r) = &reference
        && let Some((sha, cand)) = branch_fork_point(root, r)
    {
        return Ok(Some(Base::new(
            sha,
            format!("GITHUB_BASE_REF ({cand}), merge-base with HEAD"),
            Some(r.clone()),
        )));
    }
    if let Some(path) = env.var("GITHUB_EVENT_PATH")
        && let Ok(text) = std::fs::read_to_string(&path)
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(sha) = v.pointer("/pull_request/base/sha").and_then(|s| s.as_str())
    {
        let full = git::rev_parse(root, sha).ok_or_else(|| {
            unknown(
                root,
                sha,
                "pull_request.base.sha of GITHUB_EVENT_PATH is not in this clone",
            )
        })?;
        let branch = v
            .pointer("/pull_request/base/ref")
            .and_then(|s| s.as_str())
            .map(str::to_string)
            .or(reference);
        return Ok(Some(Base::new(
            fork_point(root, full),
            "GitHub event payload pull_request.base.sha",
            branch,
        )));
    }
    match reference {
        Some(r) => Err(unknown(
            root,
            &r,
            &format!("GITHUB_BASE_REF={r} but neither origin/{r} nor {r} is in this clone"),
        )),
        None => Ok(None),
    }
}

fn gitlab_base(root: &Path, env: &dyn Env) -> Result<Option<Base>> {
    let target = env.var("CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
    if let Some(sha) = env.var("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        let full = git::rev_parse(root, &sha).ok_or_else(|| {
            unknown(
                root,
                &sha,
                "CI_MERGE_REQUEST_DIFF_BASE_SHA is not in this clone",
            )
        })?;
        return Ok(Some(Base::new(
            full,
            "CI_MERGE_REQUEST_DIFF_BASE_SHA",
            target,
        )));
    }
    let Some(t) = target else { return Ok(None) };
    match branch_fork_point(root, &t) {
        Some((sha, cand)) => Ok(Some(Base::new(
            sha,
            format!("CI_MERGE_REQUEST_TARGET_BRANCH_NAME ({cand}), merge-base with HEAD"),
            Some(t),
        ))),
        None => Err(unknown(
            root,
            &t,
            &format!(
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME={t} but neither origin/{t} nor {t} is in this clone"
            ),
        )),
    }
}

/// The default branch: the first of `origin/HEAD`'s target, `origin/main`, `origin/master`,
/// `main`, `master` that exists (one `git for-each-ref`).
pub fn default_branch(root: &Path) -> Option<String> {
    let refs = git::text(
        root,
        &[
            "for-each-ref",
            "--format=%(refname)%00%(symref)",
            "refs/remotes/origin",
            "refs/heads/main",
            "refs/heads/master",
        ],
    )
    .ok()?;
    let mut names = std::collections::HashSet::new();
    let mut origin_head = None;
    for line in refs.lines() {
        let (name, target) = line.split_once('\0').unwrap_or((line, ""));
        if name == "refs/remotes/origin/HEAD" {
            origin_head = Some(target.to_string()).filter(|t| !t.is_empty());
        } else {
            names.insert(name.to_string());
        }
    }
    let short = |r: &str| {
        r.strip_prefix("refs/remotes/")
            .or_else(|| r.strip_prefix("refs/heads/"))
            .unwrap_or(r)
            .to_string()
    };
    origin_head
        .into_iter()
        .chain(
            [
                "refs/remotes/origin/main",
                "refs/remotes/origin/master",
                "refs/heads/main",
                "refs/heads/master",
            ]
            .map(String::from),
        )
        .find(|r| names.contains(r))
        .map(|r| short(&r))
}

fn default_branch_base(root: &Path, head: &str, d: &str) -> Option<Base> {
    let mb = git::merge_base(root, d, "HEAD").filter(|mb| mb != head)?;
    let branch = d.strip_prefix("origin/").unwrap_or(d).to_string();
    Some(Base::new(mb, format!("merge-base with {d}"), Some(branch)))
}

/// Rule 6: HEAD when the work tree is `dirty`, else HEAD's parent (or the empty tree).
pub(crate) fn on_default_branch(
    root: &Path,
    head: &str,
    branch: Option<String>,
    dirty: bool,
) -> Base {
    if dirty {
        return Base::new(
            head.to_string(),
            "HEAD (uncommitted changes on the default branch)",
            branch,
        );
    }
    match git::rev_parse(root, "HEAD~1") {
        Some(sha) => Base::new(sha, "HEAD~1", branch),
        None => Base::new(
            EMPTY_TREE.into(),
            "HEAD has no parent: everything is new",
            branch,
        ),
    }
}
