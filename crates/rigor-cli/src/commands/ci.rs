//! `rigor ci`: the whole pipeline — the change's tests in tiers (stopping at the first tier
//! that fails), the history, the gates, the reports — and, after a red run, the triage summary.

use crate::args::{CiArgs, Format};
use anyhow::Result;
use rigor_model::{Config, exit};
use rigor_pipeline::{Flags, Mode};

pub fn run(config: Config, args: &CiArgs) -> Result<i32> {
    let flags = Flags {
        all: args.all,
        no_gates: args.no_gates,
        ..args.common.flags()
    };
    let code = super::run_pipeline(config.clone(), Mode::Ci, flags, args.common.format)?;
    if code == exit::FAILED {
        print_triage(&config, args.common.format);
    }
    Ok(code)
}

/// The triage of the run just recorded (stdout for people; stderr beside JSON output). A triage
/// that cannot be made is a warning: the run's own verdict stands.
fn print_triage(config: &Config, format: Format) {
    let summary = super::open_store(config)
        .map_err(|e| e.to_string())
        .and_then(|mut store| {
            rigor_triage::triage(&mut store, config, &rigor_triage::Options::default())
                .map(|r| rigor_triage::output::text::summary(&r))
                .map_err(|e| e.to_string())
        });
    match (summary, format) {
        (Ok(s), Format::Text) => print!("{s}"),
        (Ok(s), Format::Json) => eprint!("{s}"),
        (Err(e), _) => eprintln!("warning: no triage summary: {e}"),
    }
}
