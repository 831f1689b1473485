//! `flaky`: passed on a retry in this run, passed earlier on this very commit, or (last, and
//! only then) a flakiness score at or above the threshold.

use super::{Cause, Facts, Verdict};
use crate::evidence::short;
use rigor_model::Outcome;

/// rigor's default `[flaky] threshold`.
pub const SCORE_THRESHOLD: f64 = 0.3;

pub(super) fn passed_on_retry(f: &Facts) -> Option<Verdict> {
    (f.outcome == Outcome::Flaky).then(|| {
        let mut ev = vec![format!(
            "failed, then passed on attempt {} of the same commit in this run",
            f.attempts
        )];
        ev.extend(score_words(f));
        Verdict::new(Cause::Flaky, 0.95, ev)
    })
}

pub(super) fn same_commit(f: &Facts) -> Option<Verdict> {
    let pass = f.evidence.same_commit_pass.as_ref()?;
    let mut ev = vec![format!(
        "passed on this same commit {} in run #{}: the code did not change, the result did",
        short(pass.commit.as_deref()),
        pass.run_id
    )];
    ev.extend(score_words(f));
    Some(Verdict::new(Cause::Flaky, 0.85, ev))
}

pub(super) fn by_score(f: &Facts) -> Option<Verdict> {
    let s = &f.evidence.flaky;
    (s.score >= SCORE_THRESHOLD).then(|| Verdict::new(Cause::Flaky, 0.6, score_words(f)))
}

fn score_words(f: &Facts) -> Vec<String> {
    let s = &f.evidence.flaky;
    if s.score <= 0.0 {
        return Vec::new();
    }
    vec![format!(
        "flakiness score {:.2} over its last {} results ({} passed on retry, {} same-commit flips)",
        s.score, s.runs, s.retried_passes, s.same_commit_flips
    )]
}
