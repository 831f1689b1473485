//! `rigor ci`: the whole pipeline — the change's tests in tiers (stopping at the first tier
//! that fails), the history, the gates, the reports.

use crate::args::{CiArgs, Format};
use anyhow::Result;
use rigor_model::Config;
use rigor_pipeline::{Flags, Mode, Options};

pub fn run(config: Config, args: &CiArgs) -> Result<i32> {
    let c = &args.common;
    let flags = Flags {
        jobs: c.jobs,
        retries: c.retries,
        shard: c.shard.clone(),
        suites: c.suites.clone(),
        junit: c.junit.clone(),
        json: c.format == Format::Json,
        base: c.base.clone(),
        all: args.all,
        no_gates: args.no_gates,
        args_text: super::command_line(),
        ..Flags::default()
    };
    let opts = Options::resolve(&config, Mode::Ci, flags)?;
    let mut store = super::open_store(&config)?;
    let mut reporter = super::reporter(c.format);
    Ok(rigor_pipeline::run(
        config,
        &opts,
        &mut store,
        reporter.as_mut(),
    )?)
}
