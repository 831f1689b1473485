//! Gate evaluation: a pure function of the settings and the inputs read.

use crate::config::{Components, GatesConfig, parse_seconds};
use crate::diff::ChangedLines;
use crate::model::*;
use crate::readers::audit::Finding;
use crate::readers::coverage::{Coverage, pct};
use crate::readers::cvss::Severity;
use crate::readers::mutation::{MutantCounts, MutationReport};
use crate::readers::perf::PerfCompare;
use rigor_model::Outcome;
use std::collections::{BTreeMap, HashSet};

/// One test result, from the history or a JUnit file.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    pub id: String,
    pub outcome: Outcome,
    pub duration_s: f64,
    pub start_s: Option<f64>,
    pub tier: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub excerpt: Option<String>,
}

/// Test results of a run.
#[derive(Debug, Clone, Default)]
pub struct TestsInput {
    /// Where they came from ("run 12", "junit.xml").
    pub source: String,
    pub results: Vec<TestOutcome>,
    /// Wall time of the whole run when known.
    pub wall_s: Option<f64>,
}

/// Everything a gate evaluation looks at.
#[derive(Debug, Default)]
pub struct Inputs {
    pub tests: Option<TestsInput>,
    /// Coverage with repository-relative paths.
    pub coverage: Option<Coverage>,
    pub changed: Option<ChangedLines>,
    /// Coverage of the base recorded in the gate history (percent).
    pub base_coverage: Option<(f64, String)>,
    pub findings: Option<Vec<Finding>>,
    /// Audit tools read (for notes about unknown severities).
    pub audit_tools: Vec<String>,
    pub advisories_loaded: bool,
    pub lint_read: bool,
    pub mutation: Option<MutationReport>,
    pub perf: Option<PerfCompare>,
    pub inputs: Vec<InputFile>,
    pub notes: Vec<String>,
}

fn fmt_pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.2}%"))
        .unwrap_or_else(|| "n/a".into())
}

struct G<'a> {
    out: &'a mut Vec<GateResult>,
}

impl G<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        gate: &str,
        blocking: bool,
        ok: bool,
        value: Option<f64>,
        threshold: Option<f64>,
        op: &str,
        unit: &str,
        summary: String,
        details: Vec<String>,
        violations: Vec<Violation>,
    ) {
        let verdict = match (ok, blocking) {
            (true, _) => Verdict::Pass,
            (false, true) => Verdict::Fail,
            (false, false) => Verdict::Warn,
        };
        let mut violations = violations;
        if gate.starts_with("coverage") || gate.starts_with("mutation") {
            // the gate's own findings weigh what its verdict weighs
            let level = match verdict {
                Verdict::Fail => "error",
                Verdict::Warn => "warning",
                _ => "note",
            };
            for v in &mut violations {
                v.level = level.into();
            }
        }
        self.out.push(GateResult {
            gate: gate.into(),
            verdict,
            blocking,
            value,
            threshold,
            op: op.into(),
            unit: unit.into(),
            summary,
            details,
            violations,
        });
    }

    fn skip(&mut self, gate: &str, blocking: bool, why: &str) {
        self.out.push(GateResult {
            gate: gate.into(),
            verdict: Verdict::Skip,
            blocking,
            value: None,
            threshold: None,
            op: String::new(),
            unit: String::new(),
            summary: why.into(),
            details: Vec::new(),
            violations: Vec::new(),
        });
    }
}

/// The most telling line of a failure excerpt: pytest's first `E   ` line, else a line naming an
/// error, assertion or panic message, else the last non-empty line.
pub fn headline(excerpt: &str) -> String {
    let lines: Vec<&str> = excerpt
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if let Some(e) = lines.iter().find(|l| l.starts_with("E ")) {
        return e[1..].trim().to_string();
    }
    // Rust: the line after "panicked at …:" is the message
    if let Some(i) = lines.iter().position(|l| l.contains("panicked at"))
        && let Some(next) = lines.get(i + 1)
    {
        return next.trim().to_string();
    }
    let telling = ["Error", "error:", "assert", "Exception", "failed"];
    if let Some(l) = lines.iter().find(|l| telling.iter().any(|t| l.contains(t))) {
        return l.trim().to_string();
    }
    lines
        .last()
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

/// Consecutive line numbers grouped as ranges.
pub fn ranges(lines: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &l in lines {
        match out.last_mut() {
            Some((_, e)) if *e + 1 == l => *e = l,
            _ => out.push((l, l)),
        }
    }
    out
}

pub fn ranges_text(lines: &[u32]) -> String {
    ranges(lines)
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Evaluate every enabled gate. `quarantine` holds test ids left out of the tests gate.
pub fn evaluate(
    cfg: &GatesConfig,
    comps: &Components,
    inputs: Inputs,
    quarantine: &HashSet<String>,
) -> GateReport {
    let mut gates = Vec::new();
    let mut g = G { out: &mut gates };
    let mut notes = inputs.notes.clone();

    // ------------------------------------------------------------ tests
    let t = &cfg.tests;
    if t.enabled {
        match &inputs.tests {
            None => g.skip(
                "tests",
                t.blocking,
                "no finished run in the history and no JUnit file",
            ),
            Some(ti) => {
                let considered: Vec<&TestOutcome> = ti
                    .results
                    .iter()
                    .filter(|r| !quarantine.contains(&r.id))
                    .collect();
                let excluded = ti.results.len() - considered.len();
                let failing: Vec<&&TestOutcome> = considered
                    .iter()
                    .filter(|r| r.outcome.is_failure())
                    .collect();
                let count = |o: Outcome| considered.iter().filter(|r| r.outcome == o).count();
                let mut summary = format!(
                    "{} failing of {} ({} passed, {} flaky, {} skipped) in {}",
                    failing.len(),
                    considered.len(),
                    count(Outcome::Passed),
                    count(Outcome::Flaky),
                    count(Outcome::Skipped),
                    ti.source
                );
                if excluded > 0 {
                    summary.push_str(&format!("; {excluded} quarantined left out"));
                }
                let details = failing
                    .iter()
                    .map(|r| {
                        let first = r.excerpt.as_deref().map(headline).unwrap_or_default();
                        format!("{} {}: {}", r.outcome, r.id, first.trim())
                    })
                    .collect();
                let violations = failing
                    .iter()
                    .map(|r| Violation {
                        rule: "tests".into(),
                        message: format!("test {} {}", r.id, r.outcome),
                        level: "error".into(),
                        file: r.file.clone(),
                        line: r.line,
                        end_line: None,
                    })
                    .collect();
                if considered.is_empty() {
                    g.skip(
                        "tests",
                        t.blocking,
                        &format!("no test results in {}", ti.source),
                    );
                } else {
                    g.push(
                        "tests",
                        t.blocking,
                        failing.is_empty(),
                        Some(failing.len() as f64),
                        Some(0.0),
                        "<=",
                        "",
                        summary,
                        details,
                        violations,
                    );
                }
                // critical-path tier under its budget
                let tier: Vec<&&TestOutcome> = considered
                    .iter()
                    .filter(|r| r.tier.as_deref() == Some(t.critical_tier.as_str()))
                    .collect();
                if let (false, Some(budget)) = (
                    tier.is_empty(),
                    t.critical_budget.as_deref().and_then(parse_seconds),
                ) {
                    let wall = if tier.iter().all(|r| r.start_s.is_some()) {
                        let start = tier
                            .iter()
                            .filter_map(|r| r.start_s)
                            .fold(f64::INFINITY, f64::min);
                        let end = tier
                            .iter()
                            .map(|r| r.start_s.unwrap_or(0.0) + r.duration_s)
                            .fold(0.0, f64::max);
                        end - start
                    } else {
                        tier.iter().map(|r| r.duration_s).sum()
                    };
                    g.push(
                        "tests.critical_tier",
                        t.blocking,
                        wall <= budget,
                        Some(wall),
                        Some(budget),
                        "<=",
                        "s",
                        format!(
                            "tier `{}` took {wall:.1}s (budget {budget:.0}s, {} tests)",
                            t.critical_tier,
                            tier.len()
                        ),
                        Vec::new(),
                        Vec::new(),
                    );
                }
                if let (Some(max), Some(wall)) =
                    (t.max_duration.as_deref().and_then(parse_seconds), ti.wall_s)
                {
                    g.push(
                        "tests.duration",
                        t.blocking,
                        wall <= max,
                        Some(wall),
                        Some(max),
                        "<=",
                        "s",
                        format!("the run took {wall:.1}s (max {max:.0}s)"),
                        Vec::new(),
                        Vec::new(),
                    );
                }
            }
        }
    }

    // ------------------------------------------------------------ coverage
    let c = &cfg.coverage;
    let mut coverage_summary = None;
    if let Some(cov) = &inputs.coverage {
        let mut changed_summary = None;
        let mut comp_changed: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        if let Some(ch) = &inputs.changed {
            let mut files = Vec::new();
            // changed files of a language the report measures, yet absent from it: not counted
            // (diff-cover semantics), but worth a note (stale report? wrong --source?)
            let ext = |p: &str| p.rsplit_once('.').map(|(_, e)| e.to_string());
            let measured_exts: std::collections::BTreeSet<String> =
                cov.files.keys().filter_map(|p| ext(p)).collect();
            let absent: Vec<&String> = ch
                .files
                .keys()
                .filter(|p| {
                    !cov.files.contains_key(*p)
                        && ext(p).is_some_and(|e| measured_exts.contains(&e))
                })
                .collect();
            if !absent.is_empty() {
                let shown: Vec<&str> = absent.iter().take(5).map(|p| p.as_str()).collect();
                notes.push(format!(
                    "{} changed file{} not in the coverage report, so not counted: {}{}",
                    absent.len(),
                    if absent.len() == 1 { " is" } else { "s are" },
                    shown.join(", "),
                    if absent.len() > 5 { ", …" } else { "" }
                ));
            }
            for (path, lines) in &ch.files {
                let Some(fc) = cov.files.get(path) else {
                    continue;
                };
                let measured: Vec<u32> = lines
                    .iter()
                    .copied()
                    .filter(|l| fc.lines.contains_key(l))
                    .collect();
                if measured.is_empty() {
                    continue;
                }
                let uncovered: Vec<u32> = measured
                    .iter()
                    .copied()
                    .filter(|l| fc.lines[l] == 0)
                    .collect();
                let covered = measured.len() - uncovered.len();
                let comp = comps.of(path);
                if let Some(i) = comp {
                    let e = comp_changed.entry(i).or_default();
                    e.0 += covered;
                    e.1 += measured.len();
                }
                files.push(ChangedFile {
                    path: path.clone(),
                    covered,
                    measured: measured.len(),
                    percent: pct(covered, measured.len()),
                    uncovered_lines: uncovered,
                    component: comp.map(|i| comps.list[i].0.clone()),
                });
            }
            let covered = files.iter().map(|f| f.covered).sum();
            let measured = files.iter().map(|f| f.measured).sum();
            changed_summary = Some(ChangedCoverage {
                base: ch.base_label.clone(),
                base_sha: ch.base_sha.clone(),
                changed_lines: ch.line_count(),
                covered,
                measured,
                percent: pct(covered, measured),
                files,
            });
        }
        let mut comp_cov: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for (path, fc) in &cov.files {
            if let Some(i) = comps.of(path) {
                let e = comp_cov.entry(i).or_default();
                e.0 += fc.covered();
                e.1 += fc.measured();
            }
        }
        let mut comp_mut: BTreeMap<usize, MutantCounts> = BTreeMap::new();
        if let Some(m) = &inputs.mutation {
            for (path, mc) in &m.files {
                if let Some(i) = comps.of(path) {
                    comp_mut.entry(i).or_default().add(mc);
                }
            }
        }
        let components = comps
            .list
            .iter()
            .enumerate()
            .map(|(i, (name, comp, _))| {
                let (cc, cm) = comp_cov.get(&i).copied().unwrap_or_default();
                let (xc, xm) = comp_changed.get(&i).copied().unwrap_or_default();
                ComponentCoverage {
                    name: name.clone(),
                    criticality: comp.criticality.as_str().into(),
                    covered: cc,
                    measured: cm,
                    percent: pct(cc, cm),
                    changed_covered: xc,
                    changed_measured: xm,
                    changed_percent: pct(xc, xm),
                    mutation_score: comp_mut.get(&i).and_then(|m| m.score()),
                }
            })
            .collect();
        coverage_summary = Some(CoverageSummary {
            covered: cov.covered(),
            measured: cov.measured(),
            percent: cov.percent(),
            files: cov.files.len(),
            changed: changed_summary,
            components,
        });
    }
    if c.enabled {
        match &coverage_summary {
            None => g.skip(
                "coverage",
                c.blocking,
                "no coverage report (coverage.json, coverage.xml or lcov.info)",
            ),
            Some(s) => {
                if let (Some(min), Some(p)) = (c.min, s.percent) {
                    g.push(
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
                if let Some(min) = c.changed_lines_min {
                    match &s.changed {
                        None => g.skip(
                            "coverage.changed_lines",
                            c.blocking,
                            "no change to compare (not a git checkout?)",
                        ),
                        Some(ch) if ch.measured == 0 => g.skip(
                            "coverage.changed_lines",
                            c.blocking,
                            &format!(
                                "no measured line among the {} changed lines (base: {})",
                                ch.changed_lines, ch.base
                            ),
                        ),
                        Some(ch) => {
                            let p = ch.percent.unwrap_or(100.0);
                            let (details, violations) =
                                changed_details(&ch.files, "coverage.changed_lines");
                            g.push(
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
                if let (Some(drop), Some(p)) = (c.max_drop, s.percent) {
                    match &inputs.base_coverage {
                        Some((base, label)) => g.push(
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
                        None => notes.push(
                            "coverage.drop: no coverage recorded for the base in the gate history"
                                .into(),
                        ),
                    }
                }
                // components
                for (i, (name, comp, _)) in comps.list.iter().enumerate() {
                    let level = cfg
                        .criticality
                        .get(comp.criticality.as_str())
                        .cloned()
                        .unwrap_or_default();
                    let blocking = comp.blocking.or(level.blocking).unwrap_or(c.blocking);
                    let cc = &s.components[i];
                    if let (Some(min), Some(p)) =
                        (comp.coverage_min.or(level.coverage_min), cc.percent)
                    {
                        g.push(
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
                        let (details, violations) =
                            changed_details(&files, &format!("coverage.changed_lines[{name}]"));
                        g.push(
                            &format!("coverage.changed_lines[{name}]"),
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
        }
    }

    // ------------------------------------------------------------ perf
    let p = &cfg.perf;
    if p.enabled {
        match &inputs.perf {
            None => g.skip(
                "perf",
                p.blocking,
                "no `rigor perf compare --format json` output",
            ),
            Some(cmp) if cmp.benchmarks.is_empty() => {
                g.skip("perf", p.blocking, "the comparison has no benchmark")
            }
            Some(cmp) => {
                let max = p.max_regression.0;
                let mut worst: Option<(f64, &str)> = None;
                let mut violations = Vec::new();
                let mut details = Vec::new();
                for b in &cmp.benchmarks {
                    let r = b.regression_pct();
                    details.push(format!(
                        "{}: {} → {} {} ({:+.2}%, {})",
                        b.name, b.baseline, b.current, b.unit, b.change_pct, b.verdict
                    ));
                    if b.significant() && worst.is_none_or(|(w, _)| r > w) {
                        worst = Some((r, &b.name));
                    }
                    if b.significant() && r > max {
                        violations.push(Violation {
                            rule: "perf".into(),
                            message: format!(
                                "benchmark {} regressed by {r:.2}% (max {max}%)",
                                b.name
                            ),
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
                g.push(
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
        }
    }

    // ------------------------------------------------------------ security
    let s = &cfg.security;
    if s.enabled {
        let sec: Vec<&Finding> = inputs
            .findings
            .iter()
            .flatten()
            .filter(|f| f.security)
            .collect();
        if sec.is_empty() && inputs.audit_tools.is_empty() {
            g.skip(
                "security",
                s.blocking,
                "no audit (cargo-audit, pip-audit, osv-scanner) or security SARIF",
            );
        } else {
            let n = |sev: Severity| sec.iter().filter(|f| f.severity == sev).count() as u64;
            let (crit, high, med, low, unk) = (
                n(Severity::Critical),
                n(Severity::High),
                n(Severity::Medium),
                n(Severity::Low),
                n(Severity::Unknown),
            );
            let mut ok = crit <= s.max_critical;
            if let Some(mh) = s.max_high {
                ok &= high <= mh;
            }
            if let Some(mu) = s.max_unknown {
                ok &= unk <= mu;
            }
            let mut summary = format!(
                "{crit} critical, {high} high, {med} medium, {low} low, {unk} unknown severity"
            );
            if unk > 0 {
                let pip_unrated = sec
                    .iter()
                    .any(|f| f.severity == Severity::Unknown && f.tool == "pip-audit");
                if pip_unrated && !inputs.advisories_loaded {
                    summary.push_str(" (pip-audit reports no severity and no offline advisory data is configured: [artifacts] advisories)");
                }
            }
            let mut details = Vec::new();
            let mut violations = Vec::new();
            let mut sorted = sec.clone();
            sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
            for f in sorted {
                let score = f.score.map(|s| format!(" {s:.1}")).unwrap_or_default();
                details.push(format!(
                    "{}{score} {} {}{}: {}",
                    f.severity.as_str(),
                    f.tool,
                    f.id,
                    f.package
                        .as_deref()
                        .map(|p| format!(" in {p}"))
                        .unwrap_or_default(),
                    f.message
                ));
                violations.push(Violation {
                    rule: f.id.clone(),
                    message: format!(
                        "{} severity{score}: {}{}",
                        f.severity.as_str(),
                        f.message,
                        f.package
                            .as_deref()
                            .map(|p| format!(" ({p})"))
                            .unwrap_or_default()
                    ),
                    level: match f.severity {
                        Severity::Critical | Severity::High => "error",
                        Severity::Medium | Severity::Unknown => "warning",
                        _ => "note",
                    }
                    .into(),
                    file: f.file.clone(),
                    line: f.line,
                    end_line: None,
                });
            }
            g.push(
                "security",
                s.blocking,
                ok,
                Some(crit as f64),
                Some(s.max_critical as f64),
                "<=",
                "",
                summary,
                details,
                violations,
            );
        }
    }

    // ------------------------------------------------------------ mutation
    let m = &cfg.mutation;
    if m.enabled {
        match &inputs.mutation {
            None => g.skip(
                "mutation",
                m.blocking,
                "no mutation report (Stryker, cargo-mutants, mutmut)",
            ),
            Some(rep) => match rep.total.score() {
                None => g.skip(
                    "mutation",
                    m.blocking,
                    &format!("the {} report has no valid mutant", rep.tool),
                ),
                Some(score) => {
                    let t = rep.total;
                    let violations = rep
                        .survivors
                        .iter()
                        .map(|sv| Violation {
                            rule: "mutation".into(),
                            message: sv.description.clone(),
                            level: "warning".into(),
                            file: Some(sv.file.clone()),
                            line: sv.line,
                            end_line: None,
                        })
                        .collect();
                    g.push(
                        "mutation",
                        m.blocking,
                        score >= m.min_score,
                        Some(score),
                        Some(m.min_score),
                        ">=",
                        "%",
                        format!(
                            "score {score:.2}% ({} killed, {} timeout, {} survived, {} no coverage; {})",
                            t.killed, t.timeout, t.survived, t.no_coverage, rep.tool
                        ),
                        Vec::new(),
                        violations,
                    );
                    for (i, (name, comp, _)) in comps.list.iter().enumerate() {
                        let level = cfg
                            .criticality
                            .get(comp.criticality.as_str())
                            .cloned()
                            .unwrap_or_default();
                        let (Some(min), Some(score)) = (
                            comp.mutation_min.or(level.mutation_min),
                            coverage_summary
                                .as_ref()
                                .and_then(|s| s.components[i].mutation_score)
                                .or_else(|| {
                                    let mut mc = MutantCounts::default();
                                    for (p, c) in &rep.files {
                                        if comps.of(p) == Some(i) {
                                            mc.add(c);
                                        }
                                    }
                                    mc.score()
                                }),
                        ) else {
                            continue;
                        };
                        let blocking = comp.blocking.or(level.blocking).unwrap_or(m.blocking);
                        g.push(
                            &format!("mutation[{name}]"),
                            blocking,
                            score >= min,
                            Some(score),
                            Some(min),
                            ">=",
                            "%",
                            format!("{} score {score:.2}%", comp.criticality.as_str()),
                            Vec::new(),
                            Vec::new(),
                        );
                    }
                }
            },
        }
    }

    // ------------------------------------------------------------ lint
    let l = &cfg.lint;
    if l.enabled {
        // failing tests of the configured lint suites (command suites such as `ruff check .`)
        let suite_failures: Vec<&TestOutcome> = inputs
            .tests
            .iter()
            .flat_map(|t| t.results.iter())
            .filter(|r| l.suites.iter().any(|s| r.id.starts_with(&format!("{s}::"))))
            .filter(|r| r.outcome.is_failure())
            .collect();
        let suites_ran = inputs
            .tests
            .iter()
            .flat_map(|t| t.results.iter())
            .any(|r| l.suites.iter().any(|s| r.id.starts_with(&format!("{s}::"))));
        if !inputs.lint_read && !suites_ran {
            g.skip(
                "lint",
                l.blocking,
                "no SARIF from a linter or compiler, and no lint suite in the run",
            );
        } else {
            let lint: Vec<&Finding> = inputs
                .findings
                .iter()
                .flatten()
                .filter(|f| !f.security)
                .collect();
            let errors: Vec<&&Finding> = lint
                .iter()
                .filter(|f| f.level.as_deref() == Some("error"))
                .collect();
            let warnings = lint
                .iter()
                .filter(|f| f.level.as_deref() == Some("warning"))
                .count() as u64;
            let n_errors = (errors.len() + suite_failures.len()) as u64;
            let mut ok = n_errors <= l.max_errors;
            if let Some(mw) = l.max_warnings {
                ok &= warnings <= mw;
            }
            let mut violations: Vec<Violation> = lint
                .iter()
                .filter(|f| matches!(f.level.as_deref(), Some("error") | Some("warning")))
                .map(|f| Violation {
                    rule: format!("{}/{}", f.tool, f.id),
                    message: f.message.clone(),
                    level: f.level.clone().unwrap_or_else(|| "warning".into()),
                    file: f.file.clone(),
                    line: f.line,
                    end_line: None,
                })
                .collect();
            let mut details: Vec<String> = errors
                .iter()
                .map(|f| {
                    format!(
                        "{}:{} {}/{}: {}",
                        f.file.as_deref().unwrap_or("?"),
                        f.line.unwrap_or(0),
                        f.tool,
                        f.id,
                        f.message
                    )
                })
                .collect();
            for r in &suite_failures {
                let first = r.excerpt.as_deref().map(headline).unwrap_or_default();
                details.push(format!("{} {}: {}", r.outcome, r.id, first.trim()));
                violations.push(Violation {
                    rule: "lint".into(),
                    message: format!("{} {}", r.id, r.outcome),
                    level: "error".into(),
                    file: r.file.clone(),
                    line: r.line,
                    end_line: None,
                });
            }
            let mut summary = format!("{n_errors} errors, {warnings} warnings");
            if !suite_failures.is_empty() {
                summary.push_str(&format!(" ({} from lint suites)", suite_failures.len()));
            }
            g.push(
                "lint",
                l.blocking,
                ok,
                Some(n_errors as f64),
                Some(l.max_errors as f64),
                "<=",
                "",
                summary,
                details,
                violations,
            );
        }
    }

    let passed = !gates.iter().any(|g| g.verdict == Verdict::Fail);
    GateReport {
        schema: 1,
        passed,
        run_id: None,
        commit: None,
        branch: None,
        gates,
        coverage: coverage_summary,
        inputs: inputs.inputs,
        notes,
    }
}

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
