//! The security gate: vulnerabilities from audits and security SARIF, counted by severity.

use super::inputs::Inputs;
use super::verdict::Results;
use crate::config::SecurityGate;
use crate::model::Violation;
use crate::readers::audit::Finding;
use crate::readers::cvss::Severity;

/// Evaluate `security` over the security findings among `inputs.findings`.
pub fn evaluate(s: &SecurityGate, inputs: &Inputs, out: &mut Results) {
    if !s.enabled {
        return;
    }
    let sec: Vec<&Finding> = inputs
        .findings
        .iter()
        .flatten()
        .filter(|f| f.security)
        .collect();
    if sec.is_empty() && inputs.audit_tools.is_empty() {
        out.skip(
            "security",
            s.blocking,
            "no audit (rigor audit, cargo-audit, pip-audit, osv-scanner) or security SARIF",
        );
        return;
    }
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
    let mut summary =
        format!("{crit} critical, {high} high, {med} medium, {low} low, {unk} unknown severity");
    if let Some(t) = s.fail_on {
        let over = sec
            .iter()
            .filter(|f| f.severity >= t && f.severity > Severity::None)
            .count();
        ok &= over == 0;
        summary.push_str(&format!("; {over} at or above {}", t.as_str()));
    }
    let pip_unrated = sec
        .iter()
        .any(|f| f.severity == Severity::Unknown && f.tool == "pip-audit");
    if pip_unrated && !inputs.advisories_loaded {
        summary.push_str(" (pip-audit reports no severity and no offline advisory data is configured: [artifacts] advisories)");
    }
    let mut sorted = sec.clone();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let details = sorted.iter().map(|f| detail(f)).collect();
    let violations = sorted.iter().map(|f| violation(f)).collect();
    out.push(
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

fn score_text(f: &Finding) -> String {
    f.score.map(|s| format!(" {s:.1}")).unwrap_or_default()
}

fn detail(f: &Finding) -> String {
    format!(
        "{}{} {} {}{}: {}",
        f.severity.as_str(),
        score_text(f),
        f.tool,
        f.id,
        f.package
            .as_deref()
            .map(|p| format!(" in {p}"))
            .unwrap_or_default(),
        f.message
    )
}

fn violation(f: &Finding) -> Violation {
    Violation {
        rule: f.id.clone(),
        message: format!(
            "{} severity{}: {}{}",
            f.severity.as_str(),
            score_text(f),
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
    }
}
