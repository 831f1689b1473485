//! `rigor ci`: the whole pipeline — the change's tests in tiers (stopping at the first tier
//! that fails), the history, the gates, the reports.

use crate::args::CiArgs;
use anyhow::Result;
use rigor_model::Config;
use rigor_pipeline::{Flags, Mode};

pub fn run(config: Config, args: &CiArgs) -> Result<i32> {
    let flags = Flags {
        all: args.all,
        no_gates: args.no_gates,
        ..args.common.flags()
    };
    super::run_pipeline(config, Mode::Ci, flags, args.common.format)
}
