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
    let (label_w, plot_w, lane_h) = (190.0, 760.0, 22.0);
    let height = 30.0 + lanes.len() as f64 * lane_h + 24.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="run timeline" viewBox="0 0 {w} {height}" width="{w}" height="{height}">"#,
        w = label_w + plot_w + 10.0
    );
    // time axis
    for i in 0..=5 {
        let x = label_w + plot_w * i as f64 / 5.0;
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="20" x2="{x:.1}" y2="{y2:.1}" stroke="#e3e6ea"/><text x="{x:.1}" y="14" font-size="10" text-anchor="middle">{t:.1}s</text>"##,
            y2 = height - 20.0,
            t = end * i as f64 / 5.0
        );
    }
    for (i, ((_, tier, shard, worker), items)) in lanes.iter().enumerate() {
        let y = 24.0 + i as f64 * lane_h;
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
