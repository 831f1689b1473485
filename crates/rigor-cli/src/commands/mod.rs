//! One module per command that lives in this crate.

pub mod ci;
pub mod flaky;
pub mod gate;
pub mod history;
pub mod init;
pub mod list;
pub mod merge;
pub mod perf;
pub mod plan;
pub mod planning;
pub mod report;
pub mod run;

use rigor_model::Config;
use rigor_store::Store;

/// Open the configured history.
pub fn open_store(config: &Config) -> anyhow::Result<Store> {
    Ok(Store::open(&config.sqlite_path()?)?)
}
