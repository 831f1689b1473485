//! `rigor merge FILES…`: import the result files of CI shards into the history.

use crate::args::MergeArgs;
use anyhow::Result;
use rigor_model::{Config, exit};

pub fn run(config: &Config, args: &MergeArgs) -> Result<i32> {
    let mut store = super::open_store(config)?;
    for m in rigor_pipeline::merge::merge(config, &mut store, &args.files)? {
        println!(
            "{}: {} results imported as run #{}",
            m.path.display(),
            m.results,
            m.run_id
        );
    }
    Ok(exit::OK)
}
