//! The gate report: what `rigor gate` decided and why. Serialized as the JSON output (schema in
//! docs/gates.md) and stored in the gate history.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// Failed, blocking: the command exits 1.
    Fail,
    /// Failed, not blocking.
    Warn,
    /// Not evaluated: its input is missing.
    Skip,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Skip => "skip",
        }
    }
    /// Order for reports: failing first.
    pub fn rank(self) -> u8 {
        match self {
            Verdict::Fail => 0,
            Verdict::Warn => 1,
            Verdict::Pass => 2,
            Verdict::Skip => 3,
        }
    }
}

/// A problem with a place, for annotations, SARIF and code-quality reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// Stable rule id, e.g. `coverage.changed_lines`, `RUSTSEC-2023-0001`.
    pub rule: String,
    pub message: String,
    /// `error`, `warning` or `note`.
    pub level: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub end_line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    /// Stable id: `tests`, `coverage`, `coverage.changed_lines[payments]`, …
    pub gate: String,
    pub verdict: Verdict,
    pub blocking: bool,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    /// How value relates to threshold when passing: `>=` or `<=`.
    pub op: String,
    /// `%`, `s` or `` (a count).
    pub unit: String,
    /// One line for tables.
    pub summary: String,
    /// More lines for folded details.
    pub details: Vec<String>,
    pub violations: Vec<Violation>,
}

impl GateResult {
    pub fn failed(&self) -> bool {
        matches!(self.verdict, Verdict::Fail | Verdict::Warn)
    }
}

/// Changed-line coverage of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangedFile {
    pub path: String,
    pub covered: usize,
    pub measured: usize,
    pub percent: Option<f64>,
    pub uncovered_lines: Vec<u32>,
    pub component: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangedCoverage {
    pub base: String,
    pub base_sha: String,
    /// Changed lines in the diff (measured or not).
    pub changed_lines: usize,
    pub covered: usize,
    pub measured: usize,
    pub percent: Option<f64>,
    pub files: Vec<ChangedFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentCoverage {
    pub name: String,
    pub criticality: String,
    pub covered: usize,
    pub measured: usize,
    pub percent: Option<f64>,
    pub changed_covered: usize,
    pub changed_measured: usize,
    pub changed_percent: Option<f64>,
    pub mutation_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageSummary {
    pub covered: usize,
    pub measured: usize,
    pub percent: Option<f64>,
    pub files: usize,
    pub changed: Option<ChangedCoverage>,
    pub components: Vec<ComponentCoverage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateReport {
    /// Schema version of this document.
    pub schema: u32,
    /// No blocking gate failed.
    pub passed: bool,
    pub run_id: Option<i64>,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub gates: Vec<GateResult>,
    pub coverage: Option<CoverageSummary>,
    pub inputs: Vec<InputFile>,
    /// Notes about what could not be evaluated and why.
    pub notes: Vec<String>,
}

impl GateReport {
    /// Gates sorted failing first (stable within a verdict).
    pub fn sorted_gates(&self) -> Vec<&GateResult> {
        let mut v: Vec<&GateResult> = self.gates.iter().collect();
        v.sort_by_key(|g| g.verdict.rank());
        v
    }
    pub fn evaluated(&self) -> usize {
        self.gates
            .iter()
            .filter(|g| g.verdict != Verdict::Skip)
            .count()
    }
    pub fn gate(&self, id: &str) -> Option<&GateResult> {
        self.gates.iter().find(|g| g.gate == id)
    }
}
