//! The gate stage of `rigor ci`: compare this commit's benchmarks (the perf gate's input), audit
//! the dependencies when `[audit]` is configured (the security gate's input), then the gate
//! crate's after-tests step over the pipeline's own run and change.

use crate::error::{PipelineError, Result};
use rigor_gate::{OutputFlags, RunEvidence};
use rigor_model::Config;
use rigor_model::exit::{self, HasExitCode};
use rigor_vcs::ChangeSet;

/// Evaluate, record and report the configured gates; the exit code they call for (0, 1, or the
/// code of an error that kept them from being evaluated, e.g. 3 for a malformed artifact).
pub fn run_gates(config: &Config, evidence: RunEvidence, change: Option<ChangeSet>) -> Result<i32> {
    compare_benchmarks(config)?;
    if let Err(code) = audit_dependencies(config)? {
        return Ok(code);
    }
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

/// With `[audit] databases` configured, audit the project into `.rigor/audit.json` (where the
/// security gate reads it); an audit that cannot run (an expired ignore, a malformed lockfile)
/// ends the gate stage with its exit code. Without `[audit]`, an older audit must not stand in
/// for this commit's: it is removed.
fn audit_dependencies(config: &Config) -> Result<std::result::Result<(), i32>> {
    use rigor_supply::run;
    let path = config.root.join(".rigor").join("audit.json");
    if !run::configured(config) {
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| PipelineError::io("remove", &path, e))?;
        }
        return Ok(Ok(()));
    }
    let report = run::settings(config, &run::today()).and_then(|(cfg, warnings)| {
        for w in warnings {
            eprintln!("warning: {w}");
        }
        run::run(config, &cfg, &run::AuditOptions::default())
    });
    match report {
        Ok(r) => {
            let dir = config.root.join(".rigor");
            std::fs::create_dir_all(&dir).map_err(|e| PipelineError::io("create", &dir, e))?;
            std::fs::write(&path, rigor_supply::output::json::render(&r))
                .map_err(|e| PipelineError::io("write", &path, e))?;
            let s = &r.summary;
            eprintln!(
                "audit: {} packages, {} vulnerabilities ({} critical, {} high), {} informational, {} ignored",
                s.packages, s.vulnerabilities, s.critical, s.high, s.informational, s.ignored
            );
            Ok(Ok(()))
        }
        Err(e) => {
            eprintln!("error: audit: {e}");
            Ok(Err(e.exit_code()))
        }
    }
}
