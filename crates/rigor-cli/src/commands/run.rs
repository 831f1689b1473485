//! `rigor run`: the pipeline without gates — every test, or a tier / filter / shard / change.

use crate::args::{Format, RunArgs};
use anyhow::Result;
use rigor_model::Config;
use rigor_pipeline::{Flags, Mode, Options};

pub fn run(config: Config, args: &RunArgs) -> Result<i32> {
    let c = &args.common;
    let flags = Flags {
        jobs: c.jobs,
        retries: c.retries,
        shard: c.shard.clone(),
        suites: c.suites.clone(),
        junit: c.junit.clone(),
        json: c.format == Format::Json,
        base: c.base.clone(),
        fail_fast: args.fail_fast,
        timeout: args.timeout.clone(),
        keep_output: args.keep_output,
        tier: args.tier.clone(),
        coverage_map: args.coverage_map,
        expr: args.expr.clone(),
        changed: args.changed,
        extra: args.extra.clone(),
        args_text: super::command_line(),
        ..Flags::default()
    };
    let opts = Options::resolve(&config, Mode::Run, flags)?;
    let mut store = super::open_store(&config)?;
    let mut reporter = super::reporter(c.format);
    Ok(rigor_pipeline::run(
        config,
        &opts,
        &mut store,
        reporter.as_mut(),
    )?)
}
