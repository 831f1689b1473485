//! Commands and their dispatch.

use anyhow::Result;
use clap::{Parser, Subcommand};
use rigor_model::{Config, exit};

/// rigor — fast, trustworthy CI: run tests in tiers, track performance, gate merges.
#[derive(Debug, Parser)]
#[command(name = "rigor", version, about, long_about = None)]
pub struct Cli {
    /// Project directory (default: the current directory; rigor.toml is searched upwards).
    #[arg(long, short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Performance analyzer: ingest benchmark results, compare, detect change points, report.
    Perf(rigor_perf::cli::PerfArgs),
    /// Evaluate quality gates over test, coverage, security and mutation artifacts.
    Gate(rigor_gate::cli::GateArgs),
    /// Write a self-contained HTML report of the last run, gates and trends.
    Report(rigor_gate::cli::ReportArgs),
}

pub fn dispatch(cli: Cli) -> Result<i32> {
    let start = match &cli.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir()?,
    };
    let config = load_config(&start)?;
    match cli.command {
        Command::Perf(args) => Ok(rigor_perf::cli::run(&args, &config)?),
        Command::Gate(args) => Ok(rigor_gate::cli::run(&args, &config)?),
        Command::Report(args) => Ok(rigor_gate::cli::report(&args, &config)?),
    }
}

fn load_config(start: &std::path::Path) -> Result<Config> {
    let config = Config::discover(start, rigor_model::config::CORE_DEFAULTS)?;
    for w in &config.warnings {
        eprintln!("warning: {w}");
    }
    Ok(config)
}

/// The exit code for an error that reached the top.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    if err.downcast_ref::<rigor_model::ConfigError>().is_some() {
        return exit::USAGE;
    }
    if let Some(e) = err.downcast_ref::<rigor_perf::cli::PerfError>() {
        return e.exit_code();
    }
    if let Some(e) = err.downcast_ref::<rigor_gate::cli::GateError>() {
        return e.exit_code();
    }
    exit::USAGE
}
