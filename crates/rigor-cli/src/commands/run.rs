//! `rigor run`: run the suites, show progress, record the history, write reports.

use crate::cli::{Format, RunArgs};
use anyhow::{Context, Result};
use rigor_model::{Config, exit};
use rigor_runner::report::{self, LineReporter, Reporter, TerminalReporter};
use rigor_runner::{RunOptions, RunReport};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Exit code of an interrupted run (128 + SIGINT, as shells do).
pub const INTERRUPTED: i32 = 130;

pub fn run(mut config: Config, args: &RunArgs) -> Result<i32> {
    if let Some(t) = &args.timeout {
        rigor_model::duration::parse_duration(t)
            .map_err(|m| anyhow::anyhow!("--timeout: {m}"))
            .map(|_| config.run.timeout = t.clone())?;
    }
    let mut store = super::open_store(&config)?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while stopping ends rigor at once.
        signal_hook::flag::register_conditional_shutdown(sig, INTERRUPTED, stop.clone())?;
        signal_hook::flag::register(sig, stop.clone())?;
    }
    let opts = RunOptions {
        jobs: args.jobs.unwrap_or(0),
        retries: args.retries.unwrap_or(config.run.retries),
        fail_fast: args.fail_fast || config.run.fail_fast,
        suites: args.suites.clone(),
        extra_args: args.extra.clone(),
        keep_output: args.keep_output,
        args_text: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let mut reporter: Box<dyn Reporter> = if std::io::stderr().is_terminal() && args.format == Format::Text {
        Box::new(TerminalReporter::new())
    } else {
        Box::new(LineReporter::new(true))
    };
    let report = rigor_runner::run_tests(&config, &opts, &mut store, reporter.as_mut(), stop)?;
    write_outputs(&report, args)?;
    Ok(exit_code(&report))
}

pub fn write_outputs(report: &RunReport, args: &RunArgs) -> Result<()> {
    if let Some(path) = &args.junit {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(path, report::junit::render(report)).with_context(|| format!("cannot write {}", path.display()))?;
    }
    match args.format {
        Format::Text => print!("{}", report::summary::render(report)),
        Format::Json => {
            eprint!("{}", report::summary::render(report));
            println!("{}", serde_json::to_string_pretty(&report::json::render(report))?);
        }
    }
    Ok(())
}

pub fn exit_code(report: &RunReport) -> i32 {
    use rigor_store::RunStatus;
    match report.status {
        RunStatus::Interrupted => INTERRUPTED,
        RunStatus::Failed => exit::FAILED,
        RunStatus::Error => exit::NOTHING,
        RunStatus::Passed | RunStatus::Running => exit::OK,
    }
}
