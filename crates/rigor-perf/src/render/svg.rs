//! One inline SVG chart per series: the points, a rolling median, the detected change points and
//! the baseline band with the regression threshold. No scripts, no external resources.

use crate::engine::report::Chart;
use crate::stats::median;
use rigor_model::escape::html as escape;
use std::fmt::Write as _;

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 40.0;
/// The plot area.
const PLOT_WIDTH: f64 = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT: f64 = HEIGHT - TOP - BOTTOM;

/// The chart as an `<svg>` element.
pub fn chart(chart: &Chart) -> String {
    let f = Frame::new(chart);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}">"#,
        escape(&chart.name)
    );
    let _ = write!(
        s,
        r##"<rect x="{LEFT}" y="{TOP}" width="{PLOT_WIDTH}" height="{PLOT_HEIGHT}" fill="#fcfcfd" stroke="#ccd"/>"##
    );
    grid(&mut s, &f);
    if let Some(b) = chart.baseline {
        baseline(&mut s, &f, chart, b);
    }
    change_points(&mut s, &f, chart);
    points(&mut s, &f, chart);
    alerts(&mut s, &f, chart);
    labels(&mut s, chart);
    s.push_str("</svg>");
    s
}

/// The value range shown and the mapping of points and values onto the plot area.
struct Frame {
    n: usize,
    lo: f64,
    hi: f64,
}

impl Frame {
    /// Every value, the baseline band and the threshold in view, with 5 % margins.
    fn new(chart: &Chart) -> Self {
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
        Frame {
            n: chart.values.len(),
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    /// The x of point `i`.
    fn x(&self, i: usize) -> f64 {
        LEFT + if self.n <= 1 {
            PLOT_WIDTH / 2.0
        } else {
            PLOT_WIDTH * i as f64 / (self.n - 1) as f64
        }
    }

    /// The y of value `v`.
    fn y(&self, v: f64) -> f64 {
        TOP + PLOT_HEIGHT * (1.0 - (v - self.lo) / (self.hi - self.lo))
    }
}

/// Horizontal grid lines at round values, labelled with the digits their step needs.
fn grid(s: &mut String, f: &Frame) {
    for (v, label) in rigor_model::number::ticks(f.lo, f.hi, 4) {
        let yy = f.y(v);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#eef"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#556">{}</text>"##,
            LEFT + PLOT_WIDTH,
            LEFT - 4.0,
            yy + 3.0,
            escape(&label)
        );
    }
}

/// The baseline band (noise), the baseline and the dashed regression threshold.
fn baseline(s: &mut String, f: &Frame, chart: &Chart, b: f64) {
    let (y1, y2) = (f.y(b * (1.0 + chart.band)), f.y(b * (1.0 - chart.band)));
    let _ = write!(
        s,
        r##"<rect class="baseline-band" x="{LEFT}" y="{:.1}" width="{PLOT_WIDTH}" height="{:.1}" fill="#2a9d8f" fill-opacity="0.15"><title>baseline {} ± {:.1}%</title></rect>"##,
        y1.min(y2),
        (y2 - y1).abs().max(1.0),
        escape(&fmt_num(b)),
        chart.band * 100.0
    );
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#2a9d8f"/>"##,
        LEFT + PLOT_WIDTH,
        f.y(b),
        f.y(b)
    );
    let worse = b * (1.0 + chart.threshold * chart.direction.worse_sign());
    let _ = write!(
        s,
        r##"<line class="threshold" x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#e76f51" stroke-dasharray="6 4"><title>regression threshold {:.0}%</title></line>"##,
        LEFT + PLOT_WIDTH,
        f.y(worse),
        f.y(worse),
        chart.threshold * 100.0
    );
}

/// A dashed vertical line before the first point of each new regime, with its change.
fn change_points(s: &mut String, f: &Frame, chart: &Chart) {
    for &(i, pct) in &chart.change_points {
        if i >= f.n {
            continue;
        }
        let xx = (f.x(i) + f.x(i.saturating_sub(1))) / 2.0;
        let label = chart.labels.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            s,
            r##"<line class="change-point" x1="{xx:.1}" x2="{xx:.1}" y1="{TOP}" y2="{}" stroke="#d62828" stroke-width="1.5" stroke-dasharray="4 3"><title>change point at {} ({:+.1}%)</title></line>"##,
            TOP + PLOT_HEIGHT,
            escape(label),
            pct
        );
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{}" font-size="10" fill="#d62828">{:+.1}%</text>"##,
            xx + 3.0,
            TOP + 12.0,
            pct
        );
    }
}

/// Open alerts: a ring around the alerted point, or, when the alerted commit is not among the
/// points shown (another branch), a line saying so at the top of the plot.
fn alerts(s: &mut String, f: &Frame, chart: &Chart) {
    let mut elsewhere = Vec::new();
    for a in &chart.alerts {
        match a.index.filter(|i| *i < f.n) {
            Some(i) => {
                let (x, y) = (f.x(i), f.y(chart.values[i]));
                let _ = write!(
                    s,
                    r##"<circle class="alert" cx="{x:.1}" cy="{y:.1}" r="7" fill="none" stroke="#d62828" stroke-width="2"><title>open alert #{}: {:+.1}% at {}</title></circle><text x="{:.1}" y="{:.1}" font-size="10" fill="#d62828" text-anchor="end">alert {:+.1}%</text>"##,
                    a.id,
                    a.change_pct,
                    escape(&a.commit),
                    x - 9.0,
                    (y - 9.0).max(TOP + 10.0),
                    a.change_pct
                );
            }
            None => elsewhere.push(format!("#{} {:+.1}% at {}", a.id, a.change_pct, a.commit)),
        }
    }
    if !elsewhere.is_empty() {
        let _ = write!(
            s,
            r##"<text class="alert-elsewhere" x="{}" y="{}" font-size="10" fill="#d62828">open alert {} — not on the branch shown</text>"##,
            LEFT + 6.0,
            TOP + 24.0,
            escape(&elsewhere.join(", "))
        );
    }
}

/// The points with their labels, and the rolling median through them.
fn points(s: &mut String, f: &Frame, chart: &Chart) {
    for (i, v) in chart.values.iter().enumerate() {
        let label = chart.labels.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            s,
            r##"<circle class="point" cx="{:.1}" cy="{:.1}" r="2.2" fill="#264653"><title>{} {} {}</title></circle>"##,
            f.x(i),
            f.y(*v),
            escape(label),
            escape(&fmt_num(*v)),
            escape(&chart.unit)
        );
    }
    if f.n >= 2 {
        let rm = rolling_median(&chart.values, 5);
        let pts: Vec<String> = rm
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", f.x(i), f.y(*v)))
            .collect();
        let _ = write!(
            s,
            r##"<polyline class="rolling-median" fill="none" stroke="#f4a261" stroke-width="2" points="{}"/>"##,
            pts.join(" ")
        );
    }
}

/// The first and last labels under the plot, and a caption.
fn labels(s: &mut String, chart: &Chart) {
    if let (Some(first), Some(last)) = (chart.labels.first(), chart.labels.last()) {
        let _ = write!(
            s,
            r##"<text x="{LEFT}" y="{}" font-size="10" fill="#556">{}</text><text x="{}" y="{}" font-size="10" text-anchor="end" fill="#556">{}</text>"##,
            HEIGHT - 22.0,
            escape(first),
            LEFT + PLOT_WIDTH,
            HEIGHT - 22.0,
            escape(last)
        );
    }
    let _ = write!(
        s,
        r##"<text x="{LEFT}" y="{}" font-size="11" fill="#334">{} points · {} · {}</text>"##,
        HEIGHT - 6.0,
        chart.values.len(),
        escape(if chart.unit.is_empty() {
            "no unit"
        } else {
            &chart.unit
        }),
        chart.direction.as_str().replace('_', " ")
    );
}

/// Rolling median with a centred window of `w` points (shrinking at the ends).
pub(super) fn rolling_median(xs: &[f64], w: usize) -> Vec<f64> {
    let h = w / 2;
    (0..xs.len())
        .map(|i| {
            let lo = i.saturating_sub(h);
            let hi = (i + h + 1).min(xs.len());
            median(&xs[lo..hi])
        })
        .collect()
}

/// An axis or tooltip number.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_median_window() {
        assert_eq!(
            rolling_median(&[1.0, 9.0, 2.0, 8.0, 3.0], 3),
            vec![5.0, 2.0, 8.0, 3.0, 5.5]
        );
    }
}
