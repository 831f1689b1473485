//! The list of gate results an evaluation builds: a verdict from a check, or a skip.

use crate::model::{GateResult, Verdict, Violation};

/// Collects the results of the gates in evaluation order.
#[derive(Debug, Default)]
pub struct Results {
    pub gates: Vec<GateResult>,
}

impl Results {
    /// Record a checked gate: passed when `ok`, else failed (blocking) or warned (advisory).
    #[allow(clippy::too_many_arguments)]
    pub fn push(
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
        self.gates.push(GateResult {
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

    /// Record a gate that could not be evaluated, with the reason.
    pub fn skip(&mut self, gate: &str, blocking: bool, why: &str) {
        self.gates.push(GateResult {
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
