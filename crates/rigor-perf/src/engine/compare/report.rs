//! What a comparison reports.

use crate::compare::BenchComparison;
use serde::Serialize;
use std::path::Path;

/// The baseline (or the current side) a comparison used.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineInfo {
    /// `file`, `pinned`, `base-branch`, `branch`, `commit` or `previous`.
    pub source: String,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub file: Option<String>,
}

impl BaselineInfo {
    pub(super) fn file(path: &Path) -> Self {
        BaselineInfo {
            source: "file".into(),
            commit: None,
            branch: None,
            file: Some(path.display().to_string()),
        }
    }
}

/// `rigor perf compare --format json`, and `.rigor/perf-compare.json` for the perf gate.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    pub baseline: BaselineInfo,
    pub current: BaselineInfo,
    pub significance: f64,
    pub benchmarks: Vec<BenchComparison>,
    pub regressions: usize,
    pub warnings: usize,
    pub improvements: usize,
    /// Benchmarks without a baseline.
    pub new: Vec<String>,
    /// Baseline benchmarks absent from the current results.
    pub missing: Vec<String>,
    /// Alerts opened or seen again by this comparison.
    pub alerts: Vec<i64>,
}
