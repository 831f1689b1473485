//! The perf gate: no significant benchmark regression above `max_regression` percent.

use super::verdict::Results;
use crate::config::PerfGate;
use crate::model::Violation;
use crate::readers::perf::PerfCompare;
use rigor_model::number::significant;

/// Evaluate `perf` over a `rigor perf compare` report.
pub fn evaluate(p: &PerfGate, compare: Option<&PerfCompare>, out: &mut Results) {
    if !p.enabled {
        return;
    }
    let cmp = match compare {
        None => {
            out.skip(
                "perf",
                p.blocking,
                "no `rigor perf compare --format json` output",
            );
            return;
        }
        Some(cmp) if cmp.benchmarks.is_empty() => {
            out.skip("perf", p.blocking, "the comparison has no benchmark");
            return;
        }
        Some(cmp) => cmp,
    };
    let max = p.max_regression.0;
    let mut worst: Option<(f64, &str)> = None;
    let mut violations = Vec::new();
    let mut details = Vec::new();
    for b in &cmp.benchmarks {
        let r = b.regression_pct();
        details.push(format!(
            "{}: {} → {} {} ({:+.2}%, {})",
            b.name,
            significant(b.baseline, 4),
            significant(b.current, 4),
            b.unit,
            b.change_pct,
            b.verdict
        ));
        if b.significant() && worst.is_none_or(|(w, _)| r > w) {
            worst = Some((r, &b.name));
        }
        if b.significant() && r > max {
            violations.push(Violation {
                rule: "perf".into(),
                message: format!("benchmark {} regressed by {r:.2}% (max {max}%)", b.name),
                level: "error".into(),
                file: None,
                line: None,
                end_line: None,
            });
        }
    }
    let w = worst.map(|(r, _)| r.max(0.0)).unwrap_or(0.0);
    let summary = match worst {
        Some((r, name)) if r > 0.0 => format!(
            "worst significant regression {r:.2}% ({name}); {} benchmarks",
            cmp.benchmarks.len()
        ),
        _ => format!(
            "no significant regression in {} benchmarks",
            cmp.benchmarks.len()
        ),
    };
    out.push(
        "perf",
        p.blocking,
        w <= max,
        Some(w),
        Some(max),
        "<=",
        "%",
        summary,
        details,
        violations,
    );
}
