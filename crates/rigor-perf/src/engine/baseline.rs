//! Baselines: pin a branch's baseline to a commit, list the pinned ones.

use super::testbed;
use crate::error::PerfError;
use crate::settings::Settings;
use crate::store::{self, Baseline};
use rigor_model::Config;

/// Pin a branch's baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinBaseline {
    /// Branch (default: the checked-out branch).
    pub branch: Option<String>,
    /// Commit, full or abbreviated (default: the branch's latest results).
    pub commit: Option<String>,
    /// Testbed (default: `[perf].testbed`, else `default`).
    pub testbed: Option<String>,
}

/// Which pinned baselines to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineQuery {
    /// Only this branch's.
    pub branch: Option<String>,
}

/// A baseline just pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    pub branch: String,
    pub testbed: String,
    /// The full commit.
    pub commit: String,
}

/// Pin a baseline; returns what was pinned.
pub fn pin(
    config: &Config,
    settings: &Settings,
    request: &PinBaseline,
) -> Result<Pinned, PerfError> {
    let st = store::open(config)?;
    let bed = testbed(request.testbed.as_deref(), settings);
    let branch = request
        .branch
        .clone()
        .or_else(|| rigor_vcs::branch(&config.root))
        .ok_or_else(|| PerfError::usage("cannot tell the branch", "pass --branch NAME"))?;
    let commit = match &request.commit {
        Some(c) => store::resolve_commit(&st, c)?.ok_or_else(|| {
            PerfError::nothing(
                format!("no results for commit `{c}`"),
                "ingest that commit's results first",
            )
        })?,
        None => store::latest_commit(&st, &branch, None)?.ok_or_else(|| {
            PerfError::nothing(
                format!("no results on branch `{branch}`"),
                "ingest results first, or pass --commit",
            )
        })?,
    };
    store::set_baseline(&st, &branch, &bed, &commit)?;
    Ok(Pinned {
        branch,
        testbed: bed,
        commit,
    })
}

/// The pinned baselines, by branch and testbed.
pub fn list(config: &Config, query: &BaselineQuery) -> Result<Vec<Baseline>, PerfError> {
    let st = store::open(config)?;
    Ok(store::baselines(&st)?
        .into_iter()
        .filter(|b| query.branch.as_ref().is_none_or(|x| *x == b.branch))
        .collect())
}
