//! Last stage: the history's factors and the risk of every selected test; why every other test
//! is left out.

use super::files::test_file;
use super::state::{Acc, Ctx};
use super::text::why_not;
use super::types::{SelectedTest, Selection};
use crate::risk::{RiskFactors, risk};
use rigor_model::{TestCase, TestKey};
use std::collections::HashMap;

/// Fill `sel.selected` (with risk) and `sel.skipped` (with why), in discovery order.
pub(super) fn finish(
    ctx: &Ctx,
    mut acc: Acc,
    mut refined_out: HashMap<TestKey, String>,
    sel: &mut Selection,
) {
    let changed = ctx.change.paths();
    for t in ctx.tests {
        if let Some(reasons) = acc.reasons.remove(&t.key) {
            let mut f = acc.factors.remove(&t.key).unwrap_or_default();
            history_factors(ctx, &changed, t, &mut f);
            sel.selected.push(SelectedTest {
                key: t.key.clone(),
                reasons,
                risk: risk(&f),
                factors: f,
            });
        } else {
            let kind = ctx.by_suite.get(t.key.suite.as_str()).map(|s| s.kind);
            let why = refined_out
                .remove(&t.key)
                .or_else(|| acc.out.remove(&t.key))
                .unwrap_or_else(|| why_not(t, ctx.change, kind));
            sel.skipped.push((t.key.clone(), why));
        }
    }
}

/// Failure rate, co-failure with the changed files, and churn of the test's file.
fn history_factors(ctx: &Ctx, changed: &[&str], t: &TestCase, f: &mut RiskFactors) {
    let history = ctx.input.history;
    f.failure_rate = history.failure_rate.get(&t.key).copied().unwrap_or(0.0);
    f.cofail = changed
        .iter()
        .filter_map(|p| history.cofail.get(*p).and_then(|m| m.get(&t.key)))
        .map(|&(c, fl)| fl as f64 / c.max(1) as f64)
        .fold(0.0, f64::max)
        .min(1.0);
    let file = ctx
        .by_suite
        .get(t.key.suite.as_str())
        .map(|s| s.global(&test_file(t)))
        .unwrap_or_else(|| test_file(t));
    f.churn = history.churn.get(&file).copied().unwrap_or(0);
}
