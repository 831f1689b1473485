//! The comparison written by `rigor perf compare --format json`.

use super::parse_json;
use crate::error::Result;
use serde::{Deserialize, Serialize};

const HINT: &str = "expected the output of `rigor perf compare --format json`: {\"benchmarks\": [{\"name\", \"direction\", \"change_pct\", \"verdict\"…}], \"regressions\": N}";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct PerfBench {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    pub direction: Direction,
    pub baseline: f64,
    pub current: f64,
    pub change_pct: f64,
    #[serde(default)]
    pub ci_low_pct: Option<f64>,
    #[serde(default)]
    pub ci_high_pct: Option<f64>,
    #[serde(default)]
    pub p_value: Option<f64>,
    pub verdict: String,
    #[serde(default)]
    pub threshold_pct: Option<f64>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
}

impl PerfBench {
    /// How much worse (in percent) the current value is; negative when it improved.
    pub fn regression_pct(&self) -> f64 {
        match self.direction {
            Direction::LowerIsBetter => self.change_pct,
            Direction::HigherIsBetter => -self.change_pct,
        }
    }

    /// The analyzer found the change real (not noise, not unchanged).
    pub fn significant(&self) -> bool {
        matches!(self.verdict.as_str(), "regressed" | "warning" | "improved")
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct PerfCompare {
    #[serde(default)]
    pub baseline: serde_json::Value,
    pub benchmarks: Vec<PerfBench>,
    #[serde(default)]
    pub regressions: u64,
}

pub fn read_perf_compare(file: &str, text: &str) -> Result<PerfCompare> {
    parse_json(file, text, "rigor perf compare JSON", HINT)
}
