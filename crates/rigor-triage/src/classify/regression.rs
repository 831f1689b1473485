//! `regression`: the test passed on an earlier commit and fails now. When the change since then
//! reaches the test (the traceback passes through a changed file, the test imports one), the
//! change is the likely cause; when the test has been failing since an earlier commit, the
//! culprit is older than this change and `rigor bisect` can find it.

use super::{Cause, Facts, Verdict};
use crate::evidence::short;

pub(super) fn rule(f: &Facts) -> Option<Verdict> {
    let e = f.evidence;
    let Some(pass) = e.last_pass.as_ref() else {
        return f.lint_command.map(|c| {
            Verdict::new(
                Cause::Regression,
                0.8,
                vec![format!(
                    "the checker `{c}` reports the code: `{}`",
                    f.sig.headline()
                )],
            )
        });
    };
    let at_base = e.base.is_some() && pass.commit == e.base;
    let mut ev = vec![format!(
        "passed at {}{} (run #{}), fails at {}",
        short(pass.commit.as_deref()),
        if at_base { ", the base commit" } else { "" },
        pass.run_id,
        short(e.commit.as_deref())
    )];
    if let Some(first) = &e.streak_start {
        ev.push(format!(
            "failing since {} (run #{}): the culprit is between {} and {}, not necessarily this change",
            short(first.commit.as_deref()),
            first.run_id,
            short(pass.commit.as_deref()),
            short(first.commit.as_deref())
        ));
    }
    let confidence = if !e.reach.is_empty() {
        ev.extend(e.reach.iter().cloned());
        0.95
    } else if !e.changed.is_empty() {
        ev.push(format!(
            "{} file(s) changed since, none of which the traceback or the import graph ties to the test",
            e.changed.len()
        ));
        0.7
    } else {
        0.6
    };
    Some(Verdict::new(Cause::Regression, confidence, ev))
}
