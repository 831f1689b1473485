//! `rigor perf compare`: a text table, or a Markdown table for pull-request comments.

use super::alert_ids;
use crate::compare::Verdict;
use crate::display::{self, short};
use crate::engine::compare::{BaselineInfo, CompareReport};
use rigor_model::escape;
use std::fmt::Write as _;

/// The table for a terminal, with the baseline and current sides first and the totals last.
pub fn text(r: &CompareReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "baseline: {}    current: {}",
        describe(&r.baseline),
        describe(&r.current)
    );
    let width = r
        .benchmarks
        .iter()
        .map(|b| b.name.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let _ = writeln!(
        s,
        "{:<width$}  {:>12}  {:>12}  {:>8}  {:>20}  {:>8}  verdict",
        "benchmark", "baseline", "current", "change", "interval", "p"
    );
    for b in &r.benchmarks {
        let ci = display::interval(b.ci_low_pct, b.ci_high_pct).unwrap_or_else(|| "–".into());
        let note =
            if b.verdict == Verdict::Unchanged && b.significant && b.change_pct.abs() > b.noise_pct
            {
                " (significant, below warn)"
            } else {
                ""
            };
        let _ = writeln!(
            s,
            "{:<width$}  {:>12}  {:>12}  {:>+7.1}%  {:>20}  {:>8}  {}{note}",
            b.name,
            format!("{} {}", display::value(b.baseline), b.unit),
            format!("{} {}", display::value(b.current), b.unit),
            b.change_pct,
            ci,
            display::p_value(b.p_value),
            b.verdict.as_str()
        );
    }
    if !r.new.is_empty() {
        let _ = writeln!(s, "new (no baseline): {}", r.new.join(", "));
    }
    if !r.missing.is_empty() {
        let _ = writeln!(
            s,
            "missing from the current results: {}",
            r.missing.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "{} regressed, {} warnings, {} improved, {} compared (α = {}, interval at {}%)",
        r.regressions,
        r.warnings,
        r.improvements,
        r.benchmarks.len(),
        r.significance,
        ((1.0 - r.significance) * 1000.0).round() / 10.0
    );
    if !r.alerts.is_empty() {
        let _ = writeln!(s, "alerts: {}", alert_ids(&r.alerts));
    }
    s
}

fn describe(i: &BaselineInfo) -> String {
    match (&i.file, &i.commit) {
        (Some(f), _) => format!("file {f}"),
        (None, Some(c)) => format!(
            "{} {}{}",
            i.source,
            short(c),
            i.branch
                .as_ref()
                .map(|b| format!(" ({b})"))
                .unwrap_or_default()
        ),
        _ => i.source.clone(),
    }
}

/// A Markdown section for a pull-request comment or job summary.
pub fn markdown(r: &CompareReport) -> String {
    let mut s = String::new();
    let icon = |v: Verdict| match v {
        Verdict::Regressed => "🔴 regressed",
        Verdict::Warning => "🟠 warning",
        Verdict::Improved => "🟢 improved",
        Verdict::WithinNoise => "⚪ within noise",
        Verdict::Unchanged => "⚪ unchanged",
    };
    let _ = writeln!(
        s,
        "### Performance: {} regressed, {} warnings, {} improved\n",
        r.regressions, r.warnings, r.improvements
    );
    let _ = writeln!(
        s,
        "| benchmark | baseline | current | change | interval | p | verdict |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---|---:|---|");
    for b in &r.benchmarks {
        let ci = display::interval(b.ci_low_pct, b.ci_high_pct).unwrap_or_else(|| "–".into());
        let _ = writeln!(
            s,
            "| `{}` | {} {} | {} {} | {:+.1}% | {} | {} | {} |",
            escape::markdown(&b.name),
            display::value(b.baseline),
            b.unit,
            display::value(b.current),
            b.unit,
            b.change_pct,
            ci,
            display::p_value(b.p_value),
            icon(b.verdict)
        );
    }
    if !r.new.is_empty() {
        let _ = writeln!(
            s,
            "\nNew benchmarks (no baseline): {}",
            r.new
                .iter()
                .map(|n| format!("`{}`", escape::markdown(n)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(
        s,
        "\nRegression threshold per benchmark in `threshold_pct`; α = {}.",
        r.significance
    );
    s
}
