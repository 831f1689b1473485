//! The timeline of a run as inline SVG.

use super::style::outcome_color;
use rigor_model::escape;
use rigor_store::StoredResult;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The timeline of a run: one lane per tier / shard / worker, a bar per test.
///
/// `shards[i]` is the shard of `results[i]` (missing entries: no shard).
pub fn timeline_svg(results: &[StoredResult], shards: &[Option<String>]) -> String {
    // lanes keyed by (tier in run order, tier, shard, worker); tests without start times are laid
    // end to end
    type Lane = (usize, String, String, String);
    let mut lanes: BTreeMap<Lane, Vec<(f64, &StoredResult)>> = BTreeMap::new();
    let mut cursor: BTreeMap<Lane, f64> = BTreeMap::new();
    let mut tier_order: Vec<String> = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let tier = r.tier.clone().unwrap_or_default();
        let order = match tier_order.iter().position(|t| *t == tier) {
            Some(p) => p,
            None => {
                tier_order.push(tier.clone());
                tier_order.len() - 1
            }
        };
        let shard = shards.get(i).cloned().flatten().unwrap_or_default();
        let worker = r
            .worker
            .map(|w| format!("worker {w}"))
            .unwrap_or_else(|| "worker ?".into());
        let key = (order, tier, shard, worker);
        let start = match r.start_s {
            Some(s) => s,
            None => *cursor.get(&key).unwrap_or(&0.0),
        };
        cursor.insert(key.clone(), start + r.duration_s);
        lanes.entry(key).or_default().push((start, r));
    }
    let end = lanes
        .values()
        .flatten()
        .map(|(s, r)| s + r.duration_s)
        .fold(0.0f64, f64::max)
        .max(1e-3);
    // Before the first test: rigor's start-up, discovery and planning, a phase of its own.
    let first_start = results
        .iter()
        .filter_map(|r| r.start_s)
        .fold(f64::INFINITY, f64::min);
    let startup = (first_start.is_finite() && first_start > 0.0).then_some(first_start);
    let (label_w, plot_w, lane_h) = (190.0, 760.0, 22.0);
    let rows = lanes.len() + usize::from(startup.is_some());
    let height = 30.0 + rows as f64 * lane_h + 24.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="run timeline" viewBox="0 0 {w} {height}" width="{w}" height="{height}">"#,
        w = label_w + plot_w + 10.0
    );
    // time axis: round seconds; the last label ends at the edge instead of being cut
    for (t, label) in rigor_model::number::ticks(0.0, end, 5) {
        let x = label_w + plot_w * t / end;
        let anchor = if x > label_w + plot_w - 20.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="20" x2="{x:.1}" y2="{y2:.1}" stroke="#e3e6ea"/><text x="{x:.1}" y="14" font-size="10" text-anchor="{anchor}">{label}s</text>"##,
            y2 = height - 20.0,
        );
    }
    if let Some(t) = startup {
        let _ = write!(
            s,
            r##"<text x="4" y="38" font-size="11">rigor: start-up, discovery, planning</text><rect class="startup" x="{label_w}" y="26" width="{:.2}" height="{:.1}" fill="#b8c0cc"><title>start-up, discovery and planning: {t:.2}s before the first test</title></rect>"##,
            (plot_w * t / end).max(1.0),
            lane_h - 6.0
        );
    }
    let offset = usize::from(startup.is_some());
    for (i, ((_, tier, shard, worker), items)) in lanes.iter().enumerate() {
        let y = 24.0 + (i + offset) as f64 * lane_h;
        let mut label = String::new();
        if !tier.is_empty() {
            label.push_str(tier);
            label.push_str(" / ");
        }
        if !shard.is_empty() {
            label.push_str(&format!("shard {shard} / "));
        }
        label.push_str(worker);
        let _ = write!(
            s,
            r#"<text x="4" y="{:.1}" font-size="11">{}</text>"#,
            y + 14.0,
            escape::html(&label)
        );
        for (start, r) in items {
            let x = label_w + plot_w * start / end;
            let w = (plot_w * r.duration_s / end).max(1.0);
            let _ = write!(
                s,
                r#"<rect x="{x:.2}" y="{:.1}" width="{w:.2}" height="{:.1}" fill="{}" stroke="white" stroke-width="0.5"><title>{} · {} · {:.3}s</title></rect>"#,
                y + 2.0,
                lane_h - 6.0,
                outcome_color(r.outcome),
                escape::html(&format!("{}::{}", r.suite, r.id)),
                r.outcome,
                r.duration_s
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::Outcome;

    fn result(id: &str, start: f64, duration: f64) -> StoredResult {
        StoredResult {
            suite: "py".into(),
            id: id.into(),
            file: None,
            line: None,
            outcome: Outcome::Passed,
            duration_s: duration,
            attempts: 1,
            excerpt: None,
            start_s: Some(start),
            worker: Some(0),
            tier: None,
        }
    }

    /// Issue 17, item 6: the blank before the first test is shown as rigor's own phase, axis
    /// labels are round seconds, and the last one is not cut at the edge.
    #[test]
    fn start_up_is_a_phase_and_the_axis_reads_well() {
        let svg = timeline_svg(&[result("a", 7.6, 1.3), result("b", 8.9, 1.1)], &[]);
        assert!(
            svg.contains("rigor: start-up, discovery, planning"),
            "{svg}"
        );
        assert!(svg.contains("7.60s before the first test"));
        assert!(
            svg.contains(">10s</text>") && svg.contains(">0s</text>"),
            "{svg}"
        );
        assert!(svg.contains(r#"text-anchor="end">10s</text>"#), "{svg}");
        let no_start = timeline_svg(&[result("a", 0.0, 1.0)], &[]);
        assert!(!no_start.contains("start-up"));
    }
}
