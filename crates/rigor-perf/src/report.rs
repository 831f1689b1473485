//! A self-contained HTML page (no scripts, no network): one inline SVG chart per series with
//! the points, a rolling median, detected change points and the baseline band, then the alerts.

use crate::model::Direction;
use crate::stats::median;
use crate::store::Alert;
use std::fmt::Write;

/// What one chart shows.
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    pub values: Vec<f64>,
    /// Label per point (short commit or time).
    pub labels: Vec<String>,
    /// Indices of change points (first point of the new regime), with their change in %.
    pub change_points: Vec<(usize, f64)>,
    /// Baseline value and the half-width of its band (fraction, the noise band).
    pub baseline: Option<f64>,
    pub band: f64,
    /// Regression threshold (fraction) drawn as a dashed line from the baseline.
    pub threshold: f64,
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Rolling median with a centred window of `w` points (shrinking at the ends).
pub fn rolling_median(xs: &[f64], w: usize) -> Vec<f64> {
    let h = w / 2;
    (0..xs.len())
        .map(|i| {
            let lo = i.saturating_sub(h);
            let hi = (i + h + 1).min(xs.len());
            median(&xs[lo..hi])
        })
        .collect()
}

fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e6).contains(&a) {
        format!("{v:.3e}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

/// One SVG chart.
pub fn svg(chart: &Chart) -> String {
    let (w, h) = (860.0, 260.0);
    let (left, right, top, bottom) = (70.0, 20.0, 20.0, 40.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let n = chart.values.len();
    let mut lo = chart.values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = chart
        .values
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    if let Some(b) = chart.baseline {
        let worse = b * (1.0 + chart.threshold * chart.direction.worse_sign());
        for v in [b * (1.0 - chart.band), b * (1.0 + chart.band), worse] {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        lo = 0.0;
        hi = 1.0;
    }
    if hi - lo < 1e-12 * hi.abs().max(1.0) {
        lo -= 0.5 * lo.abs().max(1.0) * 0.01;
        hi += 0.5 * hi.abs().max(1.0) * 0.01;
    }
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |i: usize| {
        left + if n <= 1 {
            pw / 2.0
        } else {
            pw * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + ph * (1.0 - (v - lo) / (hi - lo));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}">"#,
        escape(&chart.name)
    );
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fcfcfd" stroke="#ccd"/>"##
    );
    // axis labels
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#eef"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#556">{}</text>"##,
            left + pw,
            left - 4.0,
            yy + 3.0,
            escape(&fmt_num(v))
        );
    }
    if let Some(b) = chart.baseline {
        let (y1, y2) = (y(b * (1.0 + chart.band)), y(b * (1.0 - chart.band)));
        let _ = write!(
            s,
            r##"<rect class="baseline-band" x="{left}" y="{:.1}" width="{pw}" height="{:.1}" fill="#2a9d8f" fill-opacity="0.15"><title>baseline {} ± {:.1}%</title></rect>"##,
            y1.min(y2),
            (y2 - y1).abs().max(1.0),
            escape(&fmt_num(b)),
            chart.band * 100.0
        );
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#2a9d8f"/>"##,
            left + pw,
            y(b),
            y(b)
        );
        let worse = b * (1.0 + chart.threshold * chart.direction.worse_sign());
        let _ = write!(
            s,
            r##"<line class="threshold" x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#e76f51" stroke-dasharray="6 4"><title>regression threshold {:.0}%</title></line>"##,
            left + pw,
            y(worse),
            y(worse),
            chart.threshold * 100.0
        );
    }
    for &(i, pct) in &chart.change_points {
        if i >= n {
            continue;
        }
        let xx = (x(i) + x(i.saturating_sub(1))) / 2.0;
        let label = chart.labels.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            s,
            r##"<line class="change-point" x1="{xx:.1}" x2="{xx:.1}" y1="{top}" y2="{}" stroke="#d62828" stroke-width="1.5" stroke-dasharray="4 3"><title>change point at {} ({:+.1}%)</title></line>"##,
            top + ph,
            escape(label),
            pct
        );
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{}" font-size="10" fill="#d62828">{:+.1}%</text>"##,
            xx + 3.0,
            top + 12.0,
            pct
        );
    }
    for (i, v) in chart.values.iter().enumerate() {
        let label = chart.labels.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            s,
            r##"<circle class="point" cx="{:.1}" cy="{:.1}" r="2.2" fill="#264653"><title>{} {} {}</title></circle>"##,
            x(i),
            y(*v),
            escape(label),
            escape(&fmt_num(*v)),
            escape(&chart.unit)
        );
    }
    if n >= 2 {
        let rm = rolling_median(&chart.values, 5);
        let pts: Vec<String> = rm
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            s,
            r##"<polyline class="rolling-median" fill="none" stroke="#f4a261" stroke-width="2" points="{}"/>"##,
            pts.join(" ")
        );
    }
    if let (Some(first), Some(last)) = (chart.labels.first(), chart.labels.last()) {
        let _ = write!(
            s,
            r##"<text x="{left}" y="{}" font-size="10" fill="#556">{}</text><text x="{}" y="{}" font-size="10" text-anchor="end" fill="#556">{}</text>"##,
            h - 22.0,
            escape(first),
            left + pw,
            h - 22.0,
            escape(last)
        );
    }
    let _ = write!(
        s,
        r##"<text x="{left}" y="{}" font-size="11" fill="#334">{} points · {} · {}</text>"##,
        h - 6.0,
        n,
        escape(if chart.unit.is_empty() {
            "no unit"
        } else {
            &chart.unit
        }),
        chart.direction.as_str().replace('_', " ")
    );
    s.push_str("</svg>");
    s
}

/// The whole page.
pub fn html(title: &str, charts: &[Chart], alerts: &[Alert], generated: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>\
body{{font-family:system-ui,sans-serif;margin:2em;color:#223}}h2{{font-size:1.05em;margin:1.6em 0 .4em}}\
table{{border-collapse:collapse;font-size:.9em}}td,th{{border:1px solid #ccd;padding:.25em .5em;text-align:left}}\
.open{{color:#d62828;font-weight:bold}}.acknowledged{{color:#e76f51}}.resolved{{color:#2a9d8f}}.legend span{{margin-right:1.2em}}\
</style></head><body>\n<h1>{}</h1>\n<p>Generated {} · {} series · {} alerts</p>\n\
<p class=\"legend\"><span style=\"color:#264653\">● points</span><span style=\"color:#f4a261\">— rolling median (5)</span>\
<span style=\"color:#d62828\">┆ change point</span><span style=\"color:#2a9d8f\">▬ baseline band</span>\
<span style=\"color:#e76f51\">- - regression threshold</span></p>\n",
        escape(title),
        escape(title),
        escape(generated),
        charts.len(),
        alerts.len()
    );
    s.push_str("<h2 id=\"alerts\">Alerts</h2>\n");
    if alerts.is_empty() {
        s.push_str("<p>No alerts.</p>\n");
    } else {
        s.push_str("<table><tr><th>#</th><th>state</th><th>benchmark</th><th>kind</th><th>change</th><th>interval</th><th>p</th><th>commits</th><th>files</th><th>also moved</th></tr>\n");
        for a in alerts {
            let ci = match (a.ci_low_pct, a.ci_high_pct) {
                (Some(l), Some(h)) => format!("[{l:+.1}%, {h:+.1}%]"),
                _ => "–".into(),
            };
            let range = match &a.range_from {
                Some(f) => format!("{}..{}", short(f), short(&a.range_to)),
                None => short(&a.range_to).to_string(),
            };
            let related: Vec<String> = a
                .related
                .iter()
                .map(|r| format!("{} ({:+.1}%)", r.benchmark, r.change_pct))
                .collect();
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{:+.1}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.id,
                escape(&a.state),
                escape(&a.state),
                escape(&a.benchmark),
                escape(&a.kind),
                a.change_pct,
                ci,
                a.p_value
                    .map(|p| format!("{p:.2e}"))
                    .unwrap_or_else(|| "–".into()),
                escape(&range),
                escape(&a.files.join(", ")),
                escape(&related.join(", "))
            );
        }
        s.push_str("</table>\n");
    }
    for c in charts {
        let _ = writeln!(s, "<h2>{}</h2>", escape(&c.name));
        if !c.change_points.is_empty() {
            let list: Vec<String> = c
                .change_points
                .iter()
                .map(|(i, p)| {
                    format!(
                        "{} ({:+.1}%)",
                        c.labels.get(*i).map(String::as_str).unwrap_or("?"),
                        p
                    )
                })
                .collect();
            let _ = writeln!(s, "<p>Change points: {}</p>", escape(&list.join(", ")));
        }
        s.push_str(&svg(c));
        s.push('\n');
    }
    s.push_str("</body></html>\n");
    s
}

pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_has_every_layer_and_no_external_resources() {
        let values: Vec<f64> = (0..40)
            .map(|i| if i < 20 { 100.0 } else { 120.0 } + (i % 3) as f64)
            .collect();
        let c = Chart {
            name: "parse <json>".into(),
            unit: "ns".into(),
            direction: Direction::LowerIsBetter,
            labels: (0..40).map(|i| format!("c{i}")).collect(),
            values,
            change_points: vec![(20, 20.0)],
            baseline: Some(101.0),
            band: 0.01,
            threshold: 0.15,
        };
        let page = html("perf", &[c], &[], "2026-11-27T00:00:00Z");
        assert!(page.contains("<svg"));
        assert!(page.contains("class=\"change-point\""));
        assert!(page.contains("class=\"rolling-median\""));
        assert!(page.contains("class=\"baseline-band\""));
        assert_eq!(page.matches("class=\"point\"").count(), 40);
        assert!(page.contains("parse &lt;json&gt;"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains("<script"));
    }

    #[test]
    fn rolling_median_window() {
        assert_eq!(
            rolling_median(&[1.0, 9.0, 2.0, 8.0, 3.0], 3),
            vec![5.0, 2.0, 8.0, 3.0, 5.5]
        );
    }
}
