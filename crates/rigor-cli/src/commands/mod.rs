//! One module per command; commands do not import each other. What several share (the
//! history, the progress reporter, the command line for the record) is here.

pub mod audit;
pub mod bisect;
pub mod chaos;
pub mod ci;
pub mod flaky;
pub mod gate;
pub mod history;
pub mod init;
pub mod list;
pub mod merge;
pub mod mutate;
pub mod perf;
pub mod plan;
pub mod queue;
pub mod report;
pub mod rollout;
pub mod run;
pub mod sbom;
pub mod serve;
pub mod store;
pub mod triage;

use crate::args::Format;
use rigor_model::Config;
use rigor_runner::report::{LineReporter, Reporter, TerminalReporter};
use rigor_store::Store;
use std::io::IsTerminal;

/// Open the configured history.
pub fn open_store(config: &Config) -> anyhow::Result<Store> {
    if let Some(url) = config.postgres_url() {
        return Ok(Store::open_postgres(url)?);
    }
    Ok(Store::open(&config.sqlite_path()?)?)
}

/// Open the configured history for a command that only reads it: read-only when it cannot be
/// written (see [`Store::open_for_reading`]).
pub fn open_store_for_reading(config: &Config) -> anyhow::Result<Store> {
    if let Some(url) = config.postgres_url() {
        return Ok(Store::open_postgres(url)?);
    }
    Ok(Store::open_for_reading(&config.sqlite_path()?)?)
}

/// Live progress: a progress bar on a terminal, else a line per test (CI logs, JSON output).
pub fn reporter(format: Format) -> Box<dyn Reporter> {
    if std::io::stderr().is_terminal() && format == Format::Text {
        Box::new(TerminalReporter::new())
    } else {
        Box::new(LineReporter::new(true))
    }
}

/// Resolve the options, open the history and run the pipeline (`rigor run`, `rigor ci`).
pub fn run_pipeline(
    config: Config,
    mode: rigor_pipeline::Mode,
    flags: rigor_pipeline::Flags,
    format: Format,
) -> anyhow::Result<i32> {
    let opts = rigor_pipeline::Options::resolve(&config, mode, flags)?;
    let mut store = open_store(&config)?;
    let mut reporter = reporter(format);
    Ok(rigor_pipeline::run(
        config,
        &opts,
        &mut store,
        reporter.as_mut(),
    )?)
}
