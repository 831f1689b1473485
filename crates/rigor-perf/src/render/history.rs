//! `rigor perf history`: a series' points with its change points marked.

use crate::display::{self, short};
use crate::engine::history::HistorySeries;
use serde_json::json;
use std::fmt::Write as _;

/// A header per series, one line per point shown.
pub fn text(series: &[HistorySeries]) -> String {
    let mut s = String::new();
    for x in series {
        let _ = writeln!(
            s,
            "{} [{}] ({}, {}): {} points",
            x.benchmark,
            x.testbed,
            x.unit,
            x.direction.as_str(),
            x.first + x.points.len()
        );
        for (i, p) in x.points.iter().enumerate() {
            let _ = writeln!(
                s,
                "  {}  {:<12} {:<16} {:>14}  n={:<4}{}",
                p.time,
                short(&p.commit),
                p.branch.as_deref().unwrap_or("-"),
                display::value(p.value),
                p.samples.max(1),
                if x.change_points.contains(&(x.first + i)) {
                    "  ← change point"
                } else {
                    ""
                }
            );
        }
    }
    s
}

/// `{"series": [...]}`.
pub fn json(series: &[HistorySeries]) -> String {
    super::json(&json!({ "series": series }))
}
