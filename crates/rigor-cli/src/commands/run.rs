//! `rigor run`: the pipeline without gates — every test, or a tier / filter / shard / change.

use crate::args::RunArgs;
use anyhow::Result;
use rigor_model::Config;
use rigor_pipeline::{Flags, Mode};

pub fn run(config: Config, args: &RunArgs) -> Result<i32> {
    let flags = Flags {
        fail_fast: args.fail_fast,
        timeout: args.timeout.clone(),
        keep_output: args.keep_output,
        tier: args.tier.clone(),
        coverage_map: args.coverage_map,
        expr: args.expr.clone(),
        changed: args.changed,
        plan: args.plan.clone(),
        extra: args.extra.clone(),
        ..args.common.flags()
    };
    super::run_pipeline(config, Mode::Run, flags, args.common.format)
}
