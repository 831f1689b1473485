//! The gate stage of `rigor ci`: compare this commit's benchmarks (the perf gate's input), then
//! the gate crate's after-tests step over the pipeline's own run and change.

use crate::error::{PipelineError, Result};
use rigor_gate::{OutputFlags, RunEvidence};
use rigor_model::Config;
use rigor_model::exit::{self, HasExitCode};
use rigor_vcs::ChangeSet;

/// Evaluate, record and report the configured gates; the exit code they call for (0, 1, or the
/// code of an error that kept them from being evaluated, e.g. 3 for a malformed artifact).
pub fn run_gates(config: &Config, evidence: RunEvidence, change: Option<ChangeSet>) -> Result<i32> {
    compare_benchmarks(config)?;
    match rigor_gate::gate_after_tests(config, evidence, change, &OutputFlags::default()) {
        Ok(step) => {
            for w in &step.warnings {
                eprintln!("warning: {w}");
            }
            eprint!("{}", step.terminal);
            print!("{}", step.annotations);
            Ok(step.code)
        }
        Err(e) => {
            eprintln!("error: gates: {e}");
            Ok(e.exit_code())
        }
    }
}

/// Compare this commit's ingested benchmarks with their baseline into `.rigor/perf-compare.json`
/// (where the perf gate reads it). No benchmarks for this commit: an older comparison must not
/// stand in for it, so it is removed.
fn compare_benchmarks(config: &Config) -> Result<()> {
    let path = config.root.join(".rigor").join("perf-compare.json");
    match rigor_perf::compare_for_gate(config) {
        Ok(report) => {
            let text = serde_json::to_string_pretty(&report).expect("the comparison serialises");
            std::fs::write(&path, text).map_err(|e| PipelineError::io("write", &path, e))?;
            eprintln!(
                "perf: {} benchmarks compared, {} regressions",
                report.benchmarks.len(),
                report.regressions
            );
        }
        Err(e) if e.exit_code() == exit::NOTHING => {
            if path.exists() {
                std::fs::remove_file(&path).map_err(|e| PipelineError::io("remove", &path, e))?;
            }
        }
        Err(e) => eprintln!("warning: perf comparison skipped: {e}"),
    }
    Ok(())
}
