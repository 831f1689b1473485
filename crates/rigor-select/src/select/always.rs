//! Tests that run whatever the graphs say: every test on a full run; otherwise the tests that
//! failed in the last run on the branch, new tests, tests whose own file changed, and tests of
//! suites selection does not analyse.

use super::state::{Acc, Ctx};
use rigor_model::SuiteKind;
use std::collections::BTreeSet;

/// A full run: every test, with the reason.
pub(super) fn everything(ctx: &Ctx, reason: &str, acc: &mut Acc) {
    for t in ctx.tests {
        acc.add(&t.key, format!("full run: {reason}"));
    }
}

/// The always-included tests.
pub(super) fn add(ctx: &Ctx, acc: &mut Acc) {
    let history = ctx.input.history;
    let changed: BTreeSet<&str> = ctx.change.paths().into_iter().collect();
    for t in ctx.tests {
        if history.last_failed.contains(&t.key) {
            acc.add(&t.key, "failed in the last run on this branch".into())
                .last_failed = true;
        }
        if history.has_runs && !history.known.contains(&t.key) {
            acc.add(&t.key, "new test (not in the history)".into()).new = true;
        }
        match ctx.by_suite.get(t.key.suite.as_str()) {
            Some(s) if s.kind != SuiteKind::Command => {
                if let Some(file) = &t.file {
                    let g = s.global(file);
                    let narrowed = (
                        t.key.suite.clone(),
                        crate::rust::binary_of(&t.key.id).to_string(),
                        g.clone(),
                    );
                    if changed.contains(g.as_str()) && !acc.rust_narrowed.contains(&narrowed) {
                        let f = acc.add(&t.key, format!("its own file {g} changed"));
                        f.own_file = true;
                        f.distance_min(0);
                    }
                }
            }
            _ => {
                acc.add(
                    &t.key,
                    format!("suite {} is not analysed by selection", t.key.suite),
                );
            }
        }
    }
}
