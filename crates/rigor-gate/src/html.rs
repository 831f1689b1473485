//! `rigor report --html`: one self-contained page (inline CSS and SVG, no script, no network).

use crate::history::Evaluation;
use crate::model::{GateReport, Verdict};
use rigor_model::Outcome;
use rigor_store::{DurationStats, FailureRate, RunRecord, StoredResult};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the page shows, loaded from the history.
#[derive(Debug, Default)]
pub struct ReportData {
    pub run: Option<RunRecord>,
    /// Results of the last run and of its sibling shards (same commit, other shard).
    pub results: Vec<StoredResult>,
    /// Shard of each run shown: (run id, shard), the last run first.
    pub shards: Vec<(i64, Option<String>)>,
    /// Shard of each result in `results` (parallel to it).
    pub result_shards: Vec<Option<String>>,
    pub recent_runs: Vec<RunRecord>,
    pub slowest: Vec<DurationStats>,
    pub failure_rates: Vec<FailureRate>,
    /// Newest first.
    pub evaluations: Vec<Evaluation>,
    pub generated_at: f64,
}

impl ReportData {
    pub fn load(
        store: &mut rigor_store::Store,
        trend_runs: usize,
    ) -> crate::error::Result<ReportData> {
        let run = store.last_finished_run()?;
        let mut results = Vec::new();
        let mut shards = Vec::new();
        let mut result_shards = Vec::new();
        if let Some(r) = &run {
            // a sharded CI run is one history run per shard: show the siblings with the same
            // commit (the newest run of each other shard)
            let mut runs = vec![r.clone()];
            if let (Some(commit), Some(shard)) = (&r.commit, &r.shard) {
                let mut seen = vec![shard.clone()];
                for o in store.recent_runs(200)? {
                    if o.id != r.id
                        && o.finished_at.is_some()
                        && o.commit.as_ref() == Some(commit)
                        && let Some(sh) = &o.shard
                        && !seen.contains(sh)
                    {
                        seen.push(sh.clone());
                        runs.push(o);
                    }
                }
            }
            for x in runs {
                let rs = store.run_results(x.id)?;
                result_shards.extend(std::iter::repeat_n(x.shard.clone(), rs.len()));
                results.extend(rs);
                shards.push((x.id, x.shard));
            }
        }
        Ok(ReportData {
            run,
            results,
            shards,
            result_shards,
            recent_runs: store.recent_runs(trend_runs)?,
            slowest: store.slowest(15)?,
            failure_rates: store.failure_rates(trend_runs.max(1))?,
            evaluations: crate::history::recent(store, trend_runs)?,
            generated_at: crate::history::now(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.run.is_none() && self.evaluations.is_empty()
    }
}

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn outcome_color(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed | Outcome::Xfailed => "#2e9d5b",
        Outcome::Flaky | Outcome::Xpassed => "#e0a100",
        Outcome::Failed | Outcome::Error | Outcome::Timeout => "#d1343b",
        Outcome::Skipped => "#9aa3ad",
    }
}

fn verdict_color(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "#2e9d5b",
        Verdict::Fail => "#d1343b",
        Verdict::Warn => "#e0a100",
        Verdict::Skip => "#c4c9cf",
    }
}

fn fmt_time(epoch: f64) -> String {
    // UTC date-time without a date library: civil-from-days (H. Hinnant)
    let secs = epoch.max(0.0) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

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
            esc(&label)
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
                esc(&format!("{}::{}", r.suite, r.id)),
                r.outcome,
                r.duration_s
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars: (label, value, color).
pub fn bars_svg(aria: &str, rows: &[(String, f64, &str)], unit: &str, max: Option<f64>) -> String {
    let (label_w, plot_w, row_h) = (330.0, 520.0, 20.0);
    let max = max
        .unwrap_or_else(|| rows.iter().map(|r| r.1).fold(0.0, f64::max))
        .max(1e-9);
    let h = rows.len() as f64 * row_h + 8.0;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{}" viewBox="0 0 {w} {h}" width="{w}" height="{h}">"#,
        esc(aria),
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
            esc(&shown),
            row_h - 5.0,
            esc(label),
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
        esc(gate),
        esc(gate)
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
            esc(gate)
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
                        esc(gate),
                        g.verdict.as_str(),
                        esc(&g.summary)
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
fn runs_svg(runs: &[RunRecord]) -> String {
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

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1f2328;max-width:1100px}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d8dee4;padding-bottom:4px}\
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #d8dee4;padding:3px 8px;text-align:left;vertical-align:top}\
th{background:#f6f8fa}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}.warn{color:#9a6700}.skip{color:#6e7781}\
pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px;max-height:260px}.chart{max-width:100%;height:auto;display:block;margin:6px 0}\
.muted{color:#6e7781}.trends{display:flex;flex-wrap:wrap;gap:12px}";

fn gate_table(r: &GateReport) -> String {
    let mut s = String::from(
        "<table><tr><th>verdict</th><th>gate</th><th>value</th><th>threshold</th><th>summary</th></tr>",
    );
    for g in r.sorted_gates() {
        let v = g.verdict.as_str();
        let val = match g.value {
            None => "-".into(),
            Some(x) if g.unit.is_empty() && x.fract() == 0.0 => format!("{x}"),
            Some(x) => format!("{x:.2}{}", g.unit),
        };
        let thr = g
            .threshold
            .map(|x| format!("{} {x}{}", esc(&g.op), g.unit))
            .unwrap_or_else(|| "-".into());
        let _ = write!(
            s,
            "<tr><td class=\"{v}\">{v}</td><td><code>{}</code>{}</td><td>{val}</td><td>{thr}</td><td>{}</td></tr>",
            esc(&g.gate),
            if g.blocking {
                ""
            } else {
                " <span class=\"muted\">(advisory)</span>"
            },
            esc(&g.summary)
        );
    }
    s.push_str("</table>");
    s
}

/// Render the page.
pub fn render(d: &ReportData) -> String {
    let mut b = String::new();
    b.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>rigor report</title>\n<style>");
    b.push_str(STYLE);
    b.push_str("</style>\n</head>\n<body>\n<h1>rigor report</h1>\n");
    let _ = writeln!(
        b,
        "<p class=\"muted\">generated {}</p>",
        fmt_time(d.generated_at)
    );

    // ---------------------------------------------------------------- the run
    b.push_str("<h2>Last run</h2>\n");
    match &d.run {
        None => b.push_str("<p class=\"muted\">No finished run in the history.</p>\n"),
        Some(run) => {
            let counts: Vec<String> = Outcome::ALL
                .iter()
                .filter_map(|o| run.counts.get(o.as_str()).map(|c| format!("{c} {o}")))
                .collect();
            if d.shards.len() > 1 {
                let list: Vec<String> = d
                    .shards
                    .iter()
                    .map(|(id, sh)| format!("#{id} (shard {})", esc(sh.as_deref().unwrap_or("?"))))
                    .collect();
                let _ = writeln!(b, "<p>Shards of this commit: {}</p>", list.join(", "));
            }
            let _ = writeln!(
                b,
                "<p>Run #{} · <b>{}</b> · {} · started {}{}{}{}</p>",
                run.id,
                esc(run.status.as_str()),
                esc(&counts.join(", ")),
                fmt_time(run.started_at),
                run.finished_at
                    .map(|f| format!(" · {:.1}s", f - run.started_at))
                    .unwrap_or_default(),
                run.branch
                    .as_deref()
                    .map(|x| format!(" · branch {}", esc(x)))
                    .unwrap_or_default(),
                run.commit
                    .as_deref()
                    .map(|x| format!(" · commit <code>{}</code>", esc(x.get(..12).unwrap_or(x))))
                    .unwrap_or_default(),
            );
            if !d.results.is_empty() {
                b.push_str("<h3>Timeline by tier, shard and worker</h3>\n");
                b.push_str(&timeline_svg(&d.results, &d.result_shards));
                b.push('\n');
            }
            let failures: Vec<&StoredResult> = d
                .results
                .iter()
                .filter(|r| r.outcome.is_failure())
                .collect();
            let _ = writeln!(b, "<h2>Failures ({})</h2>", failures.len());
            if failures.is_empty() {
                b.push_str("<p class=\"pass\">No failing test.</p>\n");
            }
            for f in failures {
                let _ = writeln!(
                    b,
                    "<h4><span class=\"fail\">{}</span> <code>{}::{}</code>{}</h4>\n<pre>{}</pre>",
                    f.outcome,
                    esc(&f.suite),
                    esc(&f.id),
                    f.file
                        .as_deref()
                        .map(|x| format!(
                            " <span class=\"muted\">{}:{}</span>",
                            esc(x),
                            f.line.unwrap_or(0)
                        ))
                        .unwrap_or_default(),
                    esc(f.excerpt.as_deref().unwrap_or("(no excerpt recorded)"))
                );
            }
        }
    }

    // ---------------------------------------------------------------- slowest
    b.push_str("<h2>Slowest tests</h2>\n");
    if d.slowest.is_empty() {
        b.push_str("<p class=\"muted\">No passing test recorded yet.</p>\n");
    } else {
        let rows: Vec<(String, f64, &str)> = d
            .slowest
            .iter()
            .map(|s| (format!("{}::{}", s.suite, s.id), s.median_s, "#3867d6"))
            .collect();
        b.push_str(&bars_svg(
            "slowest tests (median seconds)",
            &rows,
            "s",
            None,
        ));
        b.push('\n');
    }

    // ---------------------------------------------------------------- recent runs
    if !d.recent_runs.is_empty() {
        b.push_str("<h2>Recent runs</h2>\n");
        b.push_str(&runs_svg(&d.recent_runs));
        b.push('\n');
    }

    // ---------------------------------------------------------------- gates & coverage
    let latest = d.evaluations.first();
    b.push_str("<h2>Quality gates</h2>\n");
    match latest {
        None => b.push_str(
            "<p class=\"muted\">No gate evaluation recorded: run <code>rigor gate</code>.</p>\n",
        ),
        Some(e) => {
            let _ = writeln!(
                b,
                "<p>Latest evaluation #{} at {}{}: <b class=\"{}\">{}</b></p>",
                e.id,
                fmt_time(e.time),
                e.commit
                    .as_deref()
                    .map(|c| format!(" on <code>{}</code>", esc(c.get(..12).unwrap_or(c))))
                    .unwrap_or_default(),
                if e.report.passed { "pass" } else { "fail" },
                if e.report.passed { "passed" } else { "failed" }
            );
            b.push_str(&gate_table(&e.report));
            b.push('\n');
        }
    }
    if d.evaluations.len() > 1 {
        b.push_str("<h3>Verdicts over recent evaluations</h3>\n");
        b.push_str(&verdict_grid_svg(&d.evaluations));
        b.push('\n');
        b.push_str("<h3>Trend over recent evaluations</h3>\n<div class=\"trends\">\n");
        let mut gates: Vec<String> = Vec::new();
        for e in d.evaluations.iter().rev() {
            for g in &e.report.gates {
                if g.value.is_some() && !gates.contains(&g.gate) {
                    gates.push(g.gate.clone());
                }
            }
        }
        for gate in &gates {
            let points: Vec<(Option<f64>, Option<f64>, Verdict)> = d
                .evaluations
                .iter()
                .rev()
                .map(|e| match e.report.gate(gate) {
                    Some(g) => (g.value, g.threshold, g.verdict),
                    None => (None, None, Verdict::Skip),
                })
                .collect();
            b.push_str(&trend_svg(gate, &points));
            b.push('\n');
        }
        b.push_str("</div>\n");
    }
    if let Some(cov) = latest.and_then(|e| e.report.coverage.as_ref()) {
        b.push_str("<h2>Coverage</h2>\n");
        let _ = writeln!(
            b,
            "<p>Overall {} ({} of {} lines in {} files).</p>",
            cov.percent
                .map(|p| format!("{p:.2}%"))
                .unwrap_or_else(|| "n/a".into()),
            cov.covered,
            cov.measured,
            cov.files
        );
        if let Some(ch) = &cov.changed {
            let _ = writeln!(
                b,
                "<p>Changed lines (base {}): {} ({} of {} measured; {} changed lines in the diff).</p>",
                esc(&ch.base),
                ch.percent
                    .map(|p| format!("{p:.2}%"))
                    .unwrap_or_else(|| "n/a".into()),
                ch.covered,
                ch.measured,
                ch.changed_lines
            );
        }
        if !cov.components.is_empty() {
            b.push_str("<h3>By component</h3>\n");
            let rows: Vec<(String, f64, &str)> = cov
                .components
                .iter()
                .filter_map(|c| {
                    c.percent
                        .map(|p| (format!("{} ({})", c.name, c.criticality), p, "#2e9d5b"))
                })
                .collect();
            b.push_str(&bars_svg(
                "coverage by component (percent)",
                &rows,
                "%",
                Some(100.0),
            ));
            b.push_str("\n<table><tr><th>component</th><th>criticality</th><th>coverage</th><th>changed lines</th><th>mutation score</th></tr>");
            for c in &cov.components {
                let p =
                    |v: Option<f64>| v.map(|x| format!("{x:.2}%")).unwrap_or_else(|| "-".into());
                let _ = write!(
                    b,
                    "<tr><td>{}</td><td>{}</td><td>{} ({}/{})</td><td>{} ({}/{})</td><td>{}</td></tr>",
                    esc(&c.name),
                    esc(&c.criticality),
                    p(c.percent),
                    c.covered,
                    c.measured,
                    p(c.changed_percent),
                    c.changed_covered,
                    c.changed_measured,
                    p(c.mutation_score)
                );
            }
            b.push_str("</table>\n");
        }
        if let Some(ch) = cov.changed.as_ref().filter(|c| !c.files.is_empty()) {
            b.push_str("<h3>Changed files</h3>\n<table><tr><th>file</th><th>covered</th><th>missing lines</th></tr>");
            for f in &ch.files {
                let _ = write!(
                    b,
                    "<tr><td><code>{}</code></td><td>{}/{}</td><td>{}</td></tr>",
                    esc(&f.path),
                    f.covered,
                    f.measured,
                    esc(&crate::eval::ranges_text(&f.uncovered_lines))
                );
            }
            b.push_str("</table>\n");
        }
    }

    // ---------------------------------------------------------------- flaky
    let flaky: Vec<&FailureRate> = d.failure_rates.iter().filter(|f| f.flaky > 0).collect();
    let _ = writeln!(b, "<h2>Flaky tests ({})</h2>", flaky.len());
    if flaky.is_empty() {
        b.push_str("<p class=\"muted\">No test passed on retry in the recent runs.</p>\n");
    } else {
        b.push_str("<table><tr><th>test</th><th>runs</th><th>flaky</th><th>failed</th><th>rate</th><th>last</th></tr>");
        for f in flaky {
            let _ = write!(
                b,
                "<tr><td><code>{}::{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td><td>{}</td></tr>",
                esc(&f.suite),
                esc(&f.id),
                f.runs,
                f.flaky,
                f.failures,
                f.rate * 100.0,
                f.last_outcome
            );
        }
        b.push_str("</table>\n");
    }
    b.push_str("</body>\n</html>\n");
    b
}
