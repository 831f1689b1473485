//! `rigor run`: the pipeline without gates — every test, or a tier / filter / shard / change;
//! with `--queue NAME`, this job's part of a shared queue.

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
    if let Some(name) = &args.queue {
        let lease_timeout_s = match &args.lease_timeout {
            Some(t) => rigor_model::duration::parse_duration(t)
                .map_err(|m| anyhow::anyhow!("--lease-timeout {t}: {m}"))?
                .as_secs_f64(),
            None => rigor_queue::job::DEFAULT_LEASE_TIMEOUT_S,
        };
        let req = rigor_queue::QueueRequest {
            name: name.clone(),
            lease_timeout_s,
            flags,
        };
        let mut reporter = super::reporter(args.common.format);
        return Ok(rigor_queue::run_queue(config, &req, reporter.as_mut())?);
    }
    super::run_pipeline(config, Mode::Run, flags, args.common.format)
}
