//! Which commit a comparison uses as its baseline.

use crate::error::PerfError;
use crate::settings::Settings;
use crate::store;

/// The chosen baseline: how it was chosen, its commit (none when there is nothing to compare
/// with) and the branch it belongs to.
pub(super) struct Chosen {
    /// `pinned`, `base-branch`, `branch`, `commit` or `previous`.
    pub(super) source: &'static str,
    pub(super) commit: Option<String>,
    pub(super) branch: Option<String>,
}

fn chosen(source: &'static str, commit: Option<String>, branch: Option<&str>) -> Chosen {
    Chosen {
        source,
        commit,
        branch: branch.map(str::to_string),
    }
}

/// Choose the baseline. A requested ref is a branch's pinned baseline, else that branch's latest
/// results, else a commit with results. Without one: the current branch's pinned baseline, else
/// the base branch's (`[perf].base_branch`, the CI's target branch, `main`, then `master`) pinned
/// baseline or latest results, else the previous results on the current branch.
pub(super) fn resolve(
    conn: &rigor_store::Store,
    requested: Option<&str>,
    branch: Option<&str>,
    current: Option<&str>,
    bed: &str,
    settings: &Settings,
) -> Result<Chosen, PerfError> {
    if let Some(r) = requested {
        return resolve_requested(conn, r, current, bed);
    }
    if let Some(b) = branch
        && let Some(c) = store::baseline(conn, b, bed)?
    {
        return Ok(chosen("pinned", Some(c), Some(b)));
    }
    let base = settings
        .base_branch
        .clone()
        .or_else(rigor_vcs::ci_base_branch)
        .unwrap_or_else(|| "main".into());
    let candidates = [base.clone(), "master".into()];
    if branch.is_none_or(|b| b != base) {
        for cand in candidates.iter().filter(|c| Some(c.as_str()) != branch) {
            if let Some(c) = store::baseline(conn, cand, bed)? {
                return Ok(chosen("pinned", Some(c), Some(cand)));
            }
            if store::branch_exists(conn, cand)? {
                let latest = store::latest_commit(conn, cand, current)?;
                return Ok(chosen("base-branch", latest, Some(cand)));
            }
        }
    }
    match branch {
        Some(b) => Ok(chosen(
            "previous",
            store::latest_commit(conn, b, current)?,
            Some(b),
        )),
        None => Ok(chosen("previous", None, None)),
    }
}

fn resolve_requested(
    conn: &rigor_store::Store,
    r: &str,
    current: Option<&str>,
    bed: &str,
) -> Result<Chosen, PerfError> {
    if let Some(c) = store::baseline(conn, r, bed)? {
        return Ok(chosen("pinned", Some(c), Some(r)));
    }
    if store::branch_exists(conn, r)? {
        return Ok(chosen(
            "branch",
            store::latest_commit(conn, r, current)?,
            Some(r),
        ));
    }
    if let Some(c) = store::resolve_commit(conn, r)? {
        return Ok(chosen("commit", Some(c), None));
    }
    Err(PerfError::nothing(
        format!("`{r}` is neither a branch with results nor a commit with results"),
        "see `rigor perf baseline show` and `rigor perf history`",
    ))
}
