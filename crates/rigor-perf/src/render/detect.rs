//! `rigor perf detect`: the change points per series, as text.

use super::alert_ids;
use crate::display::{self, short};
use crate::engine::detect::DetectReport;
use std::fmt::Write as _;

/// One header per series, one line per change point, the settings used last.
pub fn text(r: &DetectReport) -> String {
    let mut s = String::new();
    let total: usize = r.series.iter().map(|x| x.change_points.len()).sum();
    for x in &r.series {
        let _ = writeln!(
            s,
            "{} ({} points): {} change points",
            x.metric,
            x.points,
            x.change_points.len()
        );
        for c in &x.change_points {
            let _ = writeln!(
                s,
                "  #{:<6} {:<25} {:<12} {:>+7.1}%  {} → {}  p = {}  {}",
                c.index,
                c.time.as_deref().unwrap_or(""),
                c.commit.as_deref().map(short).unwrap_or(""),
                c.change_pct,
                display::value(c.mean_before),
                display::value(c.mean_after),
                display::p_value(Some(c.p_value)),
                c.kind
            );
        }
    }
    let _ = writeln!(
        s,
        "{} series, {total} change points (max p {} after multiple-testing correction, magnitude ≥ {}%, segments ≥ {})",
        r.series.len(),
        r.settings.max_pvalue,
        r.settings.min_magnitude_pct,
        r.settings.min_segment
    );
    if !r.alerts.is_empty() {
        let _ = writeln!(s, "alerts: {}", alert_ids(&r.alerts));
    }
    s
}
