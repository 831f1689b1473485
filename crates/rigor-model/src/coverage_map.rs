//! Where and how pytest workers record per-test coverage maps (`[select] coverage_map`).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[select] map_recorder`: what records the lines each test ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MapRecorder {
    /// rigor's block probes, compiled into the project's modules as they are imported: no
    /// dependency, close to no run-time cost; a block's lines count as run when it is entered.
    #[default]
    Probes,
    /// coverage.py's line tracer (must be importable by the suite's interpreter): exact lines,
    /// 2–3× the run time on tight pure-Python code.
    Coverage,
}

impl MapRecorder {
    /// The plugin's name for it (`RIGOR_MAP_RECORDER`).
    pub fn as_str(self) -> &'static str {
        match self {
            MapRecorder::Probes => "probes",
            MapRecorder::Coverage => "coverage",
        }
    }
}

/// A run that records coverage maps: into `dir` (one subdirectory per suite), with `recorder`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapRecording {
    pub dir: PathBuf,
    pub recorder: MapRecorder,
}
