//! The coverage gates: overall line coverage, changed-line coverage, the drop against the base's
//! recorded coverage, and each component's thresholds by criticality.

use super::text::{fmt_pct, ranges, ranges_text};
use super::verdict::Results;
use crate::config::{Components, CoverageGate, GatesConfig};
use crate::model::{ChangedFile, CoverageSummary, Violation};

/// Evaluate the coverage gates over `summary` (absent: no coverage report was read).
pub fn evaluate(
    cfg: &GatesConfig,
    comps: &Components,
    summary: Option<&CoverageSummary>,
    base_coverage: Option<&(f64, String)>,
    notes: &mut Vec<String>,
    out: &mut Results,
) {
    let c = &cfg.coverage;
    if !c.enabled {
        return;
    }
    let Some(s) = summary else {
        out.skip(
            "coverage",
            c.blocking,
            "no coverage report (coverage.json, coverage.xml or lcov.info)",
        );
        return;
    };
    if let (Some(min), Some(p)) = (c.min, s.percent) {
        out.push(
            "coverage",
            c.blocking,
            p >= min,
            Some(p),
            Some(min),
            ">=",
            "%",
            format!(
                "{} of lines covered ({}/{} in {} file{})",
                fmt_pct(Some(p)),
                s.covered,
                s.measured,
                s.files,
                if s.files == 1 { "" } else { "s" }
            ),
            Vec::new(),
            Vec::new(),
        );
    }
    changed_lines(c, s, out);
    coverage_drop(c, s, base_coverage, notes, out);
    components(cfg, comps, s, out);
}

/// `coverage.changed_lines`: coverage of the measured changed lines.
fn changed_lines(c: &CoverageGate, s: &CoverageSummary, out: &mut Results) {
    let Some(min) = c.changed_lines_min else {
        return;
    };
    match &s.changed {
        None => out.skip(
            "coverage.changed_lines",
            c.blocking,
            "no change to compare (not a git checkout?)",
        ),
        Some(ch) if ch.measured == 0 => out.skip(
            "coverage.changed_lines",
            c.blocking,
            &format!(
                "no measured line among the {} changed lines (base: {})",
                ch.changed_lines, ch.base
            ),
        ),
        Some(ch) => {
            let p = ch.percent.unwrap_or(100.0);
            let (details, violations) = changed_details(&ch.files, "coverage.changed_lines");
            out.push(
                "coverage.changed_lines",
                c.blocking,
                p >= min,
                Some(p),
                Some(min),
                ">=",
                "%",
                format!(
                    "{} of changed lines covered ({}/{}; {} missing; base: {})",
                    fmt_pct(Some(p)),
                    ch.covered,
                    ch.measured,
                    ch.measured - ch.covered,
                    ch.base
                ),
                details,
                violations,
            );
        }
    }
}

/// `coverage.drop`: no drop of more than `max_drop` points below the base's recorded coverage.
fn coverage_drop(
    c: &CoverageGate,
    s: &CoverageSummary,
    base_coverage: Option<&(f64, String)>,
    notes: &mut Vec<String>,
    out: &mut Results,
) {
    let (Some(drop), Some(p)) = (c.max_drop, s.percent) else {
        return;
    };
    match base_coverage {
        Some((base, label)) => out.push(
            "coverage.drop",
            c.blocking,
            p >= base - drop,
            Some(p - base),
            Some(-drop),
            ">=",
            "%",
            format!(
                "{:+.2} points against {label} ({})",
                p - base,
                fmt_pct(Some(*base))
            ),
            Vec::new(),
            Vec::new(),
        ),
        None => notes
            .push("coverage.drop: no coverage recorded for the base in the gate history".into()),
    }
}

/// `coverage[name]` and `coverage.changed_lines[name]` for each component with a threshold.
fn components(cfg: &GatesConfig, comps: &Components, s: &CoverageSummary, out: &mut Results) {
    for (i, (name, comp, _)) in comps.list.iter().enumerate() {
        let level = cfg
            .criticality
            .get(comp.criticality.as_str())
            .cloned()
            .unwrap_or_default();
        let blocking = comp
            .blocking
            .or(level.blocking)
            .unwrap_or(cfg.coverage.blocking);
        let cc = &s.components[i];
        if let (Some(min), Some(p)) = (comp.coverage_min.or(level.coverage_min), cc.percent) {
            out.push(
                &format!("coverage[{name}]"),
                blocking,
                p >= min,
                Some(p),
                Some(min),
                ">=",
                "%",
                format!(
                    "{} {} covered ({}/{})",
                    comp.criticality.as_str(),
                    fmt_pct(Some(p)),
                    cc.covered,
                    cc.measured
                ),
                Vec::new(),
                Vec::new(),
            );
        }
        if let (Some(min), Some(p), Some(ch)) = (
            comp.changed_lines_min.or(level.changed_lines_min),
            cc.changed_percent,
            &s.changed,
        ) {
            let files: Vec<ChangedFile> = ch
                .files
                .iter()
                .filter(|f| f.component.as_deref() == Some(name))
                .cloned()
                .collect();
            let rule = format!("coverage.changed_lines[{name}]");
            let (details, violations) = changed_details(&files, &rule);
            out.push(
                &rule,
                blocking,
                p >= min,
                Some(p),
                Some(min),
                ">=",
                "%",
                format!(
                    "{} changed lines {} covered ({}/{})",
                    comp.criticality.as_str(),
                    fmt_pct(Some(p)),
                    cc.changed_covered,
                    cc.changed_measured
                ),
                details,
                violations,
            );
        }
    }
}

/// A detail line per changed file and a violation per range of uncovered changed lines.
fn changed_details(files: &[ChangedFile], rule: &str) -> (Vec<String>, Vec<Violation>) {
    let mut details = Vec::new();
    let mut violations = Vec::new();
    for f in files {
        details.push(format!(
            "{}: {}/{} ({}){}",
            f.path,
            f.covered,
            f.measured,
            fmt_pct(f.percent),
            if f.uncovered_lines.is_empty() {
                String::new()
            } else {
                format!(", missing lines {}", ranges_text(&f.uncovered_lines))
            }
        ));
        for (a, b) in ranges(&f.uncovered_lines) {
            violations.push(Violation {
                rule: rule.into(),
                message: if a == b {
                    format!("changed line {a} is not covered by tests")
                } else {
                    format!("changed lines {a}-{b} are not covered by tests")
                },
                level: "warning".into(),
                file: Some(f.path.clone()),
                line: Some(a),
                end_line: Some(b),
            });
        }
    }
    (details, violations)
}
