//! The page's charts as inline SVG: bars, trends, a verdict grid and recent runs.

use super::style::{outcome_color, verdict_color};
use crate::history::Evaluation;
use crate::model::Verdict;
use rigor_model::Outcome;
use rigor_model::escape;
use rigor_store::RunRecord;
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

/// Stacked bars of outcomes per recent run (oldest left).
pub fn runs_svg(runs: &[RunRecord]) -> String {
    let (w, h, pad) = (760.0, 140.0, 24.0);
    let totals: Vec<u64> = runs.iter().map(|r| r.counts.values().sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(1).max(1) as f64;
    let bw = ((w - 2.0 * pad) / runs.len().max(1) as f64 * 0.8).min(40.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="outcomes of recent runs" viewBox="0 0 {w} {h}" width="{w}" height="{h}">"#
    );
    for (i, r) in runs.iter().rev().enumerate() {
        let x = pad + (w - 2.0 * pad) * i as f64 / runs.len().max(1) as f64;
        let mut y = h - pad;
        for o in Outcome::ALL {
            let c = *r.counts.get(o.as_str()).unwrap_or(&0) as f64;
            if c == 0.0 {
                continue;
            }
            let bh = (h - 2.0 * pad) * c / max;
            y -= bh;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="{}"><title>run {}: {c} {o}</title></rect>"#,
                outcome_color(o),
                r.id
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">#{}</text>"#,
            x + bw / 2.0,
            h - 8.0,
            r.id
        );
    }
    s.push_str("</svg>");
    s
}
