//! `[[select.rules]]`: a changed path matching a rule selects the rule's tests.

use super::files::test_file;
use super::state::{Acc, Ctx};
use super::types::Selection;
use crate::config::{SimpleTerm, parse_simple};
use rigor_model::TestCase;

/// Apply the rules matching `path`: simple selectors select here, others are deferred to the
/// planner. Returns whether any rule matched.
pub(super) fn apply(ctx: &Ctx, path: &str, acc: &mut Acc, sel: &mut Selection) -> bool {
    let mut matched = false;
    for (set, rule) in &ctx.cfg.rules {
        if !set.is_match(path) {
            continue;
        }
        matched = true;
        match parse_simple(&rule.select) {
            Some(terms) => {
                let reason = format!("{path} matches rule `{}` → `{}`", rule.path, rule.select);
                for t in ctx.tests.iter().filter(|t| hits(&terms, t)) {
                    acc.add(&t.key, reason.clone());
                }
            }
            None => {
                let r = (rule.path.clone(), rule.select.clone());
                if !sel.deferred_rules.contains(&r) {
                    sel.deferred_rules.push(r);
                }
            }
        }
    }
    matched
}

/// Does a simple selector (terms joined by `|`) select `t`?
fn hits(terms: &[SimpleTerm], t: &TestCase) -> bool {
    terms.iter().any(|term| match term {
        SimpleTerm::All => true,
        SimpleTerm::None => false,
        SimpleTerm::Path(g, _) => g.is_match(test_file(t)),
        SimpleTerm::Test(s) => t.key.id.contains(s.as_str()),
        SimpleTerm::Suite(s) => &t.key.suite == s,
        SimpleTerm::Marker(m) => t.markers.iter().any(|x| x == m),
    })
}
