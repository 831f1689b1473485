//! `rigor perf baseline`: the pinned baseline, the list of pinned ones.

use crate::display::short;
use crate::engine::baseline::Pinned;
use crate::model::format_time;
use crate::store::Baseline;
use serde_json::json;
use std::fmt::Write as _;

/// The confirmation of a pin.
pub fn pinned(p: &Pinned) -> String {
    format!(
        "baseline of {} [testbed {}] is now {}\n",
        p.branch,
        p.testbed,
        short(&p.commit)
    )
}

/// One line per pinned baseline.
pub fn text(all: &[Baseline]) -> String {
    let mut s = String::new();
    for b in all {
        let _ = writeln!(
            s,
            "{:<20} {:<12} {}  (set {})",
            b.branch,
            b.testbed,
            b.commit,
            format_time(b.set_at)
        );
    }
    if all.is_empty() {
        s.push_str("no pinned baselines (comparisons use the base branch's latest results)\n");
    }
    s
}

/// `{"baselines": [...]}`.
pub fn json(all: &[Baseline]) -> String {
    super::json(&json!({ "baselines": all }))
}
