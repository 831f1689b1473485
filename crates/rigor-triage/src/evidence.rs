//! Evidence about one failure from the history and the repository: the test's earlier results
//! and their commits, its flakiness score (rigor-plan's), what changed since it last passed and
//! how that change reaches it (rigor-select's import graph, the traceback's frames).

use crate::project::Project;
use crate::signature::Signature;
use rigor_model::Outcome;
use rigor_plan::flaky::{FlakyScore, Observation, score};
use rigor_store::{PastResult, Store};

/// How many earlier results of a test are read.
pub const WINDOW: usize = 30;

/// Everything the rules may use about one failed test.
pub struct Evidence {
    /// Earlier results (this run excluded), newest first.
    pub history: Vec<PastResult>,
    /// The flakiness score over the window, this run included.
    pub flaky: FlakyScore,
    /// The run's commit and base.
    pub commit: Option<String>,
    pub base: Option<String>,
    /// The newest earlier pass of the test on another commit.
    pub last_pass: Option<PastResult>,
    /// An earlier pass of the test on this very commit.
    pub same_commit_pass: Option<PastResult>,
    /// The first failure of the current streak of failures (before this run), if any.
    pub streak_start: Option<PastResult>,
    /// Files changed between the last pass's commit (or the base) and this run's commit.
    pub changed: Vec<String>,
    /// How the change reaches the test, in words (empty when it does not or cannot be told).
    pub reach: Vec<String>,
    /// The changed files that reach it, nearest to the failure first.
    pub reach_files: Vec<String>,
}

pub fn gather(
    store: &Store,
    project: &Project,
    run_id: i64,
    suite: &str,
    test: &str,
    file: Option<&str>,
    sig: &Signature,
) -> crate::Result<Evidence> {
    let all = store.test_history(suite, test, run_id, WINDOW + 1)?;
    let commit = all
        .first()
        .filter(|r| r.run_id == run_id)
        .and_then(|r| r.commit.clone());
    let history: Vec<PastResult> = all.iter().filter(|r| r.run_id != run_id).cloned().collect();
    let observations: Vec<Observation> = all
        .iter()
        .rev()
        .map(|r| Observation {
            commit: r.commit.clone(),
            outcome: r.outcome,
        })
        .collect();
    let flaky = score(&observations);
    let base = store.run_base(run_id)?;
    let passed = |r: &&PastResult| matches!(r.outcome, Outcome::Passed | Outcome::Xpassed);
    let same_commit_pass = history
        .iter()
        .filter(passed)
        .find(|r| commit.is_some() && r.commit == commit)
        .cloned();
    let last_pass = history
        .iter()
        .filter(passed)
        .find(|r| r.commit != commit || commit.is_none())
        .cloned();
    let streak_start = history
        .iter()
        .take_while(|r| r.outcome.is_failure() && r.commit != commit)
        .last()
        .cloned();
    let from = last_pass
        .as_ref()
        .and_then(|r| r.commit.clone())
        .or(base.clone());
    let changed = match (&from, &commit) {
        (Some(f), Some(c)) if f != c => {
            rigor_vcs::checkout::files_between(&project.root, Some(f), c)
        }
        _ => Vec::new(),
    };
    let reach = crate::reach::explain(project, &changed, file, sig);
    Ok(Evidence {
        history,
        flaky,
        commit,
        base,
        last_pass,
        same_commit_pass,
        streak_start,
        changed,
        reach: reach.words,
        reach_files: reach.files,
    })
}

/// A commit shortened for people.
pub fn short(commit: Option<&str>) -> String {
    commit
        .map(|c| c.chars().take(8).collect())
        .unwrap_or_else(|| "(no commit)".into())
}
