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
        if let Some(t) = &x.trend {
            let _ = writeln!(
                s,
                "  trend {:+.1}% over the series: {} per point (95 % CI {} … {}), p = {}  {}",
                t.drift_pct,
                display::value(t.slope),
                display::value(t.slope_low),
                display::value(t.slope_high),
                display::p_value(Some(t.p_value)),
                t.kind
            );
        }
        if let Some(p) = &x.season {
            let _ = writeln!(
                s,
                "  periodic pattern every {} points (range {:.1}% of the level), removed before the search",
                p.period, p.amplitude_pct
            );
        }
    }
    let _ = writeln!(
        s,
        "{} series, {total} change points (max p {} after multiple-testing correction, magnitude ≥ {}%, segments ≥ {}, mode {})",
        r.series.len(),
        r.settings.max_pvalue,
        r.settings.min_magnitude_pct,
        r.settings.min_segment,
        match r.settings.mode {
            crate::structure::Mode::Auto => "auto: trend and period first",
            crate::structure::Mode::Steps => "steps",
        }
    );
    if !r.alerts.is_empty() {
        let _ = writeln!(s, "alerts: {}", alert_ids(&r.alerts));
    }
    s
}
