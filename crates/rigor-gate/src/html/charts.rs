//! The page's charts as inline SVG: bars, trends, a verdict grid and recent runs.

use super::style::{outcome_color, verdict_color};
use crate::history::Evaluation;
use crate::model::Verdict;
use rigor_model::Outcome;
use rigor_model::escape;
use rigor_store::{RunRecord, RunStatus};
use std::fmt::Write as _;

/// Horizontal bars: (label, value, color).
pub fn bars_svg(aria: &str, rows: &[(String, f64, &str)], unit: &str, max: Option<f64>) -> String {
    let (label_w, plot_w, row_h) = (330.0, 520.0, 20.0);
    let max = max
        .unwrap_or_else(|| rows.iter().map(|r| r.1).fold(0.0, f64::max))
        .max(1e-9);
    let h = rows.len() as f64 * row_h + 8.0;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{}" viewBox="0 0 {w} {h}" width="{w}" height="{h}">"#,
        escape::html(aria),
        w = label_w + plot_w + 90.0
    );
    for (i, (label, v, color)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let shown: String = if label.chars().count() > 52 {
            format!(
                "…{}",
                label
                    .chars()
                    .rev()
                    .take(50)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<String>()
            )
        } else {
            label.clone()
        };
        let w = (plot_w * v / max).max(1.0);
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text><rect x="{label_w}" y="{y:.1}" width="{w:.2}" height="{:.1}" fill="{color}"><title>{}: {v:.3}{unit}</title></rect><text x="{:.1}" y="{:.1}" font-size="11">{v:.2}{unit}</text>"#,
            label_w - 6.0,
            y + 13.0,
            escape::html(&shown),
            row_h - 5.0,
            escape::html(label),
            label_w + w + 4.0,
            y + 13.0
        );
    }
    s.push_str("</svg>");
    s
}

type Point = (Option<f64>, Option<f64>, Verdict);

/// A line chart of gate values over evaluations (oldest left), with the threshold dashed.
pub fn trend_svg(gate: &str, points: &[(Option<f64>, Option<f64>, Verdict)]) -> String {
    let (w, h, pad) = (420.0, 120.0, 28.0);
    let vals: Vec<f64> = points.iter().flat_map(|p| [p.0, p.1]).flatten().collect();
    let (mut lo, mut hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        lo = 0.0;
        hi = 1.0;
    }
    if (hi - lo).abs() < 1e-9 {
        lo -= 1.0;
        hi += 1.0;
    }
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / n;
    let y = |v: f64| h - pad + -(h - 2.0 * pad) * (v - lo) / (hi - lo);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="trend of {}" viewBox="0 0 {w} {h}" width="{w}" height="{h}"><text x="4" y="12" font-size="11" font-weight="bold">{}</text>"#,
        escape::html(gate),
        escape::html(gate)
    );
    let _ = write!(
        s,
        r#"<text x="4" y="{:.1}" font-size="9">{hi:.1}</text><text x="4" y="{:.1}" font-size="9">{lo:.1}</text>"#,
        y(hi) + 3.0,
        y(lo) + 3.0
    );
    let line = |sel: &dyn Fn(&Point) -> Option<f64>| -> String {
        points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| sel(p).map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let thr = line(&|p| p.1);
    if !thr.is_empty() {
        let _ = write!(
            s,
            r##"<polyline points="{thr}" fill="none" stroke="#888" stroke-dasharray="4 3"/>"##
        );
    }
    let _ = write!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#3867d6" stroke-width="2"/>"##,
        line(&|p| p.0)
    );
    for (i, p) in points.iter().enumerate() {
        if let Some(v) = p.0 {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{}"><title>{v:.2} ({})</title></circle>"#,
                x(i),
                y(v),
                verdict_color(p.2),
                p.2.as_str()
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Verdicts of every gate over recent evaluations (oldest left): one coloured cell each.
pub fn verdict_grid_svg(evaluations: &[Evaluation]) -> String {
    let mut gates: Vec<String> = Vec::new();
    for e in evaluations.iter().rev() {
        for g in &e.report.gates {
            if !gates.contains(&g.gate) {
                gates.push(g.gate.clone());
            }
        }
    }
    let (label_w, cell, gap) = (230.0, 16.0, 3.0);
    let w = label_w + evaluations.len() as f64 * (cell + gap) + 10.0;
    let h = 18.0 + gates.len() as f64 * (cell + gap) + 4.0;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="gate verdicts over recent evaluations" viewBox="0 0 {w} {h}" width="{w}" height="{h}">"#
    );
    for (j, e) in evaluations.iter().rev().enumerate() {
        let x = label_w + j as f64 * (cell + gap);
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="11" font-size="8" text-anchor="middle">#{}</text>"#,
            x + cell / 2.0,
            e.id
        );
    }
    for (i, gate) in gates.iter().enumerate() {
        let y = 16.0 + i as f64 * (cell + gap);
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
            label_w - 6.0,
            y + 12.0,
            escape::html(gate)
        );
        for (j, e) in evaluations.iter().rev().enumerate() {
            let x = label_w + j as f64 * (cell + gap);
            match e.report.gate(gate) {
                Some(g) => {
                    let _ = write!(
                        s,
                        r#"<rect x="{x:.1}" y="{y:.1}" width="{cell}" height="{cell}" rx="2" fill="{}"><title>#{} {}: {} — {}</title></rect>"#,
                        verdict_color(g.verdict),
                        e.id,
                        escape::html(gate),
                        g.verdict.as_str(),
                        escape::html(&g.summary)
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r##"<rect x="{x:.1}" y="{y:.1}" width="{cell}" height="{cell}" rx="2" fill="none" stroke="#d8dee4"/>"##
                    );
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// Recent runs (oldest left): each bar is one run's outcomes as shares of its tests, so a run of
/// two tests is as visible as a run of two thousand; the count of tests stands above each bar,
/// a failed or interrupted run is marked, and a legend names the colours.
pub fn runs_svg(runs: &[RunRecord]) -> String {
    let (w, h, left, pad, top, bottom) = (760.0, 170.0, 40.0, 12.0, 22.0, 44.0);
    let plot_h = h - top - bottom;
    let slot = (w - left - pad) / runs.len().max(1) as f64;
    let bw = (slot * 0.8).min(40.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="outcomes of recent runs, as shares of each run's tests" viewBox="0 0 {w} {h}" width="{w}" height="{h}">"#
    );
    for (share, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let y = top + plot_h * (1.0 - share);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e6ea"/><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="end">{label}</text>"##,
            w - pad,
            left - 4.0,
            y + 3.0
        );
    }
    for (i, r) in runs.iter().rev().enumerate() {
        let x = left + slot * i as f64 + (slot - bw) / 2.0;
        let total: u64 = r.counts.values().sum();
        let mut y = top + plot_h;
        for o in Outcome::ALL {
            let c = *r.counts.get(o.as_str()).unwrap_or(&0) as f64;
            if c == 0.0 {
                continue;
            }
            let bh = plot_h * c / total.max(1) as f64;
            y -= bh;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="{}"><title>run #{}: {c} of {total} {o}</title></rect>"#,
                outcome_color(o),
                r.id
            );
        }
        let failed = matches!(
            r.status,
            RunStatus::Failed | RunStatus::Interrupted | RunStatus::Error
        );
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle"{}>{total}</text><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">#{}</text>"##,
            x + bw / 2.0,
            top - 6.0,
            if failed {
                r##" fill="#d62828" font-weight="bold""##
            } else {
                ""
            },
            x + bw / 2.0,
            top + plot_h + 12.0,
            r.id
        );
        if failed {
            let _ = write!(
                s,
                r##"<rect class="failed-run" x="{:.1}" y="{top}" width="{:.1}" height="{plot_h}" fill="none" stroke="#d62828" stroke-width="1.5"><title>run #{} {}</title></rect>"##,
                x - 1.0,
                bw + 2.0,
                r.id,
                r.status.as_str()
            );
        }
    }
    let mut lx = left;
    for o in Outcome::ALL {
        let _ = write!(
            s,
            r#"<rect x="{lx:.1}" y="{:.1}" width="9" height="9" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="9">{o}</text>"#,
            h - 14.0,
            outcome_color(o),
            lx + 12.0,
            h - 6.0
        );
        lx += 80.0;
    }
    let _ = write!(
        s,
        r#"<text x="{lx:.1}" y="{:.1}" font-size="9">bar = one run's tests (count above; red: failed)</text>"#,
        h - 6.0
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(id: i64, status: RunStatus, counts: &[(&str, u64)]) -> RunRecord {
        RunRecord {
            id,
            started_at: 0.0,
            finished_at: Some(1.0),
            status,
            commit: None,
            branch: None,
            trigger: "local".into(),
            shard: None,
            counts: counts
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect::<HashMap<_, _>>(),
        }
    }

    fn heights(svg: &str, run: i64) -> f64 {
        svg.split("<rect ")
            .filter(|r| r.contains(&format!("<title>run #{run}: ")))
            .map(|r| {
                let h = r.split("height=\"").nth(1).unwrap();
                h[..h.find('"').unwrap()].parse::<f64>().unwrap()
            })
            .sum()
    }

    /// Issue 17, item 6: a failed run of two tests beside a run of two thousand is as tall, its
    /// count is written and it is marked; the colours have a legend.
    #[test]
    fn small_and_failed_runs_are_visible() {
        let svg = runs_svg(&[
            run(2, RunStatus::Failed, &[("passed", 1), ("failed", 1)]),
            run(1, RunStatus::Passed, &[("passed", 2000)]),
        ]);
        let (small, big) = (heights(&svg, 2), heights(&svg, 1));
        assert!((small - big).abs() < 0.5 && big > 50.0, "{small} vs {big}");
        assert!(svg.contains("class=\"failed-run\""));
        assert!(svg.contains(">2</text>") && svg.contains(">2000</text>"));
        for o in Outcome::ALL {
            assert!(svg.contains(&format!(">{o}</text>")), "legend for {o}");
        }
    }
}
