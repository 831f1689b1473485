//! The cells every rendering shows for a gate: value, threshold, verdict; and the violations
//! with a place.

use crate::model::{GateReport, GateResult, Verdict, Violation};

/// The gate's value with its unit, or `-`.
pub fn value_text(g: &GateResult) -> String {
    match g.value {
        None => "-".into(),
        Some(v) if g.unit == "%" => format!("{v:.2}%"),
        Some(v) if g.unit == "s" => format!("{v:.1}s"),
        Some(v) => format!("{v}"),
    }
}

/// The threshold with its comparison (`≥ 90%`), or `-`.
pub fn threshold_text(g: &GateResult) -> String {
    match g.threshold {
        None => "-".into(),
        Some(t) => {
            let op = if g.op == ">=" { "≥" } else { "≤" };
            match g.unit.as_str() {
                "%" => format!("{op} {t}%"),
                "s" => format!("{op} {t}s"),
                _ => format!("{op} {t}"),
            }
        }
    }
}

/// `PASS`, `FAIL`, `WARN` or `skip`.
pub fn verdict_word(g: &GateResult) -> &'static str {
    match g.verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Warn => "WARN",
        Verdict::Skip => "skip",
    }
}

/// How many gates have `verdict`.
pub fn count(r: &GateReport, verdict: Verdict) -> usize {
    r.gates.iter().filter(|g| g.verdict == verdict).count()
}

/// Every violation with a file, with its gate.
pub fn located(r: &GateReport) -> Vec<(&GateResult, &Violation)> {
    r.gates
        .iter()
        .flat_map(|g| g.violations.iter().map(move |v| (g, v)))
        .filter(|(_, v)| v.file.is_some())
        .collect()
}
