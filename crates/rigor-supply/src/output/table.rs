//! The terminal rendering: databases, vulnerabilities (most severe first), informational
//! advisories, ignored ones, unpinned requirements, and a verdict line.

use super::columns;
use crate::audit::Finding;
use crate::audit::report::AuditReport;
use std::fmt::Write as _;

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

fn row(f: &Finding) -> Vec<String> {
    vec![
        if f.is_vulnerability() {
            f.severity.as_str().to_string()
        } else {
            f.kind.clone()
        },
        f.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
        format!("{} {}", f.package, f.version),
        f.id.clone(),
        shorten(&f.fixed_in.join(" | "), 32),
        format!("{}:{}", f.source_file, f.line),
        shorten(&f.title, 60),
    ]
}

fn table(out: &mut String, findings: &[&Finding]) {
    let mut rows = vec![
        [
            "severity", "score", "package", "id", "fixed in", "where", "title",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>(),
    ];
    rows.extend(findings.iter().map(|f| row(f)));
    out.push_str(&columns(&rows));
}

pub fn render(r: &AuditReport) -> String {
    let mut out = String::new();
    for d in &r.databases {
        let _ = writeln!(
            out,
            "database {} ({}, {} advisories{})",
            d.path,
            d.kind.as_str(),
            d.advisories,
            d.updated
                .as_deref()
                .map(|u| format!(", updated {u}"))
                .unwrap_or_default()
        );
    }
    for i in &r.inputs {
        let _ = writeln!(
            out,
            "scanned {} ({}): {} packages{}",
            i.file,
            i.kind.as_str(),
            i.packages,
            if i.unpinned > 0 {
                format!(", {} unpinned", i.unpinned)
            } else {
                String::new()
            }
        );
    }
    if !r.findings.is_empty() {
        out.push_str("\nvulnerabilities:\n");
        table(&mut out, &r.findings.iter().collect::<Vec<_>>());
    }
    if !r.informational.is_empty() {
        out.push_str("\ninformational (not vulnerabilities):\n");
        table(&mut out, &r.informational.iter().collect::<Vec<_>>());
    }
    if !r.ignored.is_empty() {
        out.push_str("\nignored:\n");
        for i in &r.ignored {
            let _ = writeln!(
                out,
                "  {} in {} {} until {}: {}",
                i.finding.id, i.finding.package, i.finding.version, i.expires, i.reason
            );
        }
    }
    if !r.unpinned.is_empty() {
        out.push_str("\nunpinned (not audited: no single version):\n");
        for u in &r.unpinned {
            let _ = writeln!(out, "  {}:{}  {}", u.source_file, u.line, u.requirement);
        }
    }
    if !r.yanked.is_empty() {
        out.push_str("\nyanked (withdrawn from the registry by their authors):\n");
        for y in &r.yanked {
            let _ = writeln!(
                out,
                "  {} {}  {}:{}",
                y.package, y.version, y.source_file, y.line
            );
        }
    }
    if r.yank_check.status != "not-applicable" {
        let _ = writeln!(out, "\n{}", r.yank_check.message);
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "\n{}: {} vulnerabilities ({} critical, {} high, {} medium, {} low, {} unknown) in {} packages; {} informational, {} ignored, {} unpinned, {} yanked; {} over the policy (fail on {})",
        if r.passed { "PASSED" } else { "FAILED" },
        s.vulnerabilities,
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.unknown,
        s.packages,
        s.informational,
        s.ignored,
        s.unpinned,
        s.yanked,
        s.failing,
        r.fail_on.as_str()
    );
    out
}
