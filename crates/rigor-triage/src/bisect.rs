//! `rigor bisect`: the first bad commit of a regression. `git bisect` runs in a temporary work
//! tree (the user's checkout is never touched); at each step only the failing tests run,
//! through rigor's own runner (`rigor run -E 'test(/^…$/)'`); the range defaults to what the
//! history knows (the newest commit where the tests passed, the newest where they failed).

use crate::{Result, TriageError};
use rigor_model::Outcome;
use rigor_store::Store;
use rigor_vcs::git::{self, BisectStep};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What one probe of a commit found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Probe {
    Good,
    Bad,
    /// The tests could not run there (not present, the project does not build): git skips it.
    Skip,
}

impl Probe {
    fn git_word(self) -> &'static str {
        match self {
            Probe::Good => "good",
            Probe::Bad => "bad",
            Probe::Skip => "skip",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Culprit {
    pub commit: String,
    /// `Name <email>`.
    pub author: String,
    pub date: String,
    pub subject: String,
    pub changed_files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BisectReport {
    pub tests: Vec<String>,
    pub good: String,
    pub bad: String,
    /// The first bad commit, when git could decide.
    pub culprit: Option<Culprit>,
    /// When only skipped commits were left: the candidates.
    pub candidates: Vec<String>,
    /// Each commit tested, in order, and what the tests said.
    pub steps: Vec<(String, Probe)>,
}

impl BisectReport {
    /// Test runs used.
    pub fn runs(&self) -> usize {
        self.steps.len()
    }
}

/// The default range from the history: (newest commit where every test passed, newest commit
/// where one failed), both before or at the newest run.
pub fn range_from_history(
    store: &Store,
    suite_tests: &[(String, String)],
) -> Result<(Option<String>, Option<String>)> {
    let Some(last) = store.latest_run_id()? else {
        return Ok((None, None));
    };
    let mut bad: Option<(i64, String)> = None;
    let mut passes: Vec<Vec<(i64, String)>> = Vec::new();
    for (suite, id) in suite_tests {
        let h = store.test_history(suite, id, last, 500)?;
        if let Some(r) = h.iter().find(|r| r.outcome.is_failure())
            && let Some(c) = &r.commit
            && bad.as_ref().is_none_or(|(run, _)| r.run_id > *run)
        {
            bad = Some((r.run_id, c.clone()));
        }
        passes.push(
            h.iter()
                .filter(|r| {
                    matches!(r.outcome, Outcome::Passed)
                        && bad.as_ref().is_none_or(|(b, _)| r.run_id < *b)
                })
                .filter_map(|r| r.commit.clone().map(|c| (r.run_id, c)))
                .collect(),
        );
    }
    // The newest commit every test passed at.
    let good = passes.first().and_then(|first| {
        first
            .iter()
            .find(|(_, c)| passes.iter().all(|p| p.iter().any(|(_, pc)| pc == c)))
            .map(|(_, c)| c.clone())
    });
    Ok((good, bad.map(|(_, c)| c)))
}

/// Run `git bisect` between `good` and `bad` in a temporary work tree of `root`, probing each
/// commit with `probe` (given the work tree and the commit).
pub fn bisect(
    root: &Path,
    tests: &[String],
    good: &str,
    bad: &str,
    probe: &mut dyn FnMut(&Path, &str) -> Result<Probe>,
) -> Result<BisectReport> {
    let resolve = |rev: &str| {
        git::rev_parse(root, rev).ok_or_else(|| {
            TriageError::Bisect(format!("`{rev}` is not a commit of {}", root.display()))
        })
    };
    let (good, bad) = (resolve(good)?, resolve(bad)?);
    if good == bad {
        return Err(TriageError::Bisect(
            "--good and --bad are the same commit".into(),
        ));
    }
    if git::merge_base(root, &good, &bad).as_deref() != Some(good.as_str()) {
        return Err(TriageError::Bisect(format!(
            "{} is not an ancestor of {}\n  hint: --good must be older than --bad on the same history",
            &good[..8],
            &bad[..8]
        )));
    }
    let tmp = tempfile::tempdir()
        .map_err(|e| TriageError::Bisect(format!("cannot create a temporary directory: {e}")))?;
    let wt = Worktree::add(root, tmp.path().join("bisect"), &bad)?;
    let mut steps = Vec::new();
    let mut state = git::bisect_start(&wt.path, &bad, &good)?;
    let outcome = loop {
        match state {
            BisectStep::Test(commit) => {
                let p = probe(&wt.path, &commit)?;
                steps.push((commit, p));
                state = git::bisect_mark(&wt.path, p.git_word())?;
            }
            done => break done,
        }
    };
    let _ = git::bisect_reset(&wt.path);
    let (culprit, candidates) = match outcome {
        BisectStep::Found(c) => (Some(culprit(root, &c)?), Vec::new()),
        BisectStep::Undecided(c) => (None, c),
        BisectStep::Test(_) => unreachable!("the loop ends on a decision"),
    };
    Ok(BisectReport {
        tests: tests.to_vec(),
        good,
        bad,
        culprit,
        candidates,
        steps,
    })
}

fn culprit(root: &Path, commit: &str) -> Result<Culprit> {
    let (author, date, subject) = git::commit_summary(root, commit)?;
    Ok(Culprit {
        commit: commit.to_string(),
        author,
        date,
        subject,
        changed_files: rigor_vcs::checkout::files_between(root, None, commit),
    })
}

/// A temporary work tree, removed when dropped.
struct Worktree {
    root: PathBuf,
    path: PathBuf,
}

impl Worktree {
    fn add(root: &Path, path: PathBuf, rev: &str) -> Result<Worktree> {
        git::worktree_add(root, &path, rev)?;
        Ok(Worktree {
            root: root.to_path_buf(),
            path,
        })
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = git::worktree_remove(&self.root, &self.path);
    }
}

/// Probe a commit with the rigor binary `exe`: run only `tests` in `dir`, with the project's
/// configuration `config_text` written there when the commit does not have one. Bad when one
/// of them fails, good when all pass, skip when none of them ran.
pub fn rigor_probe(
    exe: &Path,
    tests: &[String],
    config_text: Option<&str>,
    dir: &Path,
) -> Result<Probe> {
    if let Some(text) = config_text
        && !dir.join("rigor.toml").exists()
    {
        std::fs::write(dir.join("rigor.toml"), text).map_err(|e| {
            TriageError::Bisect(format!("cannot write rigor.toml in the work tree: {e}"))
        })?;
    }
    let pattern = tests
        .iter()
        .map(|t| regex::escape(t).replace('/', "\\/"))
        .collect::<Vec<_>>()
        .join("|");
    let out = std::process::Command::new(exe)
        .current_dir(dir)
        .args(["run", "--retries", "0", "--format", "json", "-E"])
        .arg(format!("test(/^(?:{pattern})$/)"))
        .env_remove("RIGOR_STORE_URL")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| TriageError::Bisect(format!("cannot run {}: {e}", exe.display())))?;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let outcomes: Vec<&str> = doc["tests"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|t| {
                    t["id"]
                        .as_str()
                        .is_some_and(|id| tests.iter().any(|w| w == id))
                })
                .filter_map(|t| t["outcome"].as_str())
                .collect()
        })
        .unwrap_or_default();
    Ok(if outcomes.is_empty() {
        Probe::Skip
    } else if outcomes
        .iter()
        .any(|o| matches!(*o, "failed" | "error" | "timeout"))
    {
        Probe::Bad
    } else {
        Probe::Good
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rigor_testkit::{commit_all, git as g, write};

    /// A linear history of `n` commits; the file `v` holds "bad" from commit `culprit` on.
    fn history(n: usize, culprit: usize) -> (tempfile::TempDir, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        g(dir.path(), &["init", "-q", "-b", "main"]);
        let mut shas = Vec::new();
        for i in 0..n {
            write(dir.path(), "v", if i >= culprit { "bad" } else { "good" });
            write(dir.path(), "n", &i.to_string());
            shas.push(commit_all(dir.path(), &format!("commit {i}")));
        }
        (dir, shas)
    }

    fn by_file(dir: &Path, _c: &str) -> Result<Probe> {
        Ok(
            if std::fs::read_to_string(dir.join("v")).unwrap() == "bad" {
                Probe::Bad
            } else {
                Probe::Good
            },
        )
    }

    #[test]
    fn the_culprit_of_64_commits_in_at_most_6_runs_and_the_checkout_is_untouched() {
        let (dir, shas) = history(64, 37);
        let head_before = g(dir.path(), &["rev-parse", "HEAD"]);
        let r = bisect(dir.path(), &["t".into()], &shas[0], &shas[63], &mut by_file).unwrap();
        let c = r.culprit.clone().unwrap();
        assert_eq!(c.commit, shas[37]);
        assert_eq!(c.author, "t <t@example.invalid>");
        assert_eq!(c.subject, "commit 37");
        assert_eq!(c.changed_files, ["n", "v"]);
        assert!(r.runs() <= 6, "{} runs", r.runs());
        assert_eq!(g(dir.path(), &["rev-parse", "HEAD"]), head_before);
        assert_eq!(
            g(dir.path(), &["worktree", "list"]).lines().count(),
            1,
            "the work tree is removed"
        );
    }

    #[test]
    fn bad_ranges_are_refused() {
        let (dir, shas) = history(3, 1);
        let err = bisect(dir.path(), &[], &shas[2], &shas[0], &mut by_file)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not an ancestor"), "{err}");
        let err = bisect(dir.path(), &[], "nope", &shas[0], &mut by_file)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`nope` is not a commit"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6))]
        /// On a linear history of n commits (good first, bad last), bisection names the culprit
        /// in at most ⌈log2 n⌉ test runs; commits it cannot test are skipped, not guessed.
        #[test]
        fn bisection_finds_the_culprit_within_the_log_bound(n in 2usize..40, at in 1usize..40) {
            let culprit = 1 + at % (n - 1);
            let (dir, shas) = history(n, culprit);
            let r = bisect(dir.path(), &[], &shas[0], &shas[n - 1], &mut by_file).unwrap();
            prop_assert_eq!(r.culprit.clone().unwrap().commit, shas[culprit].clone());
            let bound = (n as f64).log2().ceil() as usize;
            prop_assert!(r.runs() <= bound, "{} runs for n = {}", r.runs(), n);
        }
    }
}
