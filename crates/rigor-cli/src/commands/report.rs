//! `rigor report`: arguments → request → the HTML page → where it was written.

use crate::args::gate::ReportArgs;
use anyhow::Result;
use rigor_gate::config::Settings;
use rigor_gate::html::{ReportRequest, write_report};
use rigor_model::{Config, exit};

pub fn run(args: &ReportArgs, config: &Config) -> Result<i32> {
    let (settings, warnings) = Settings::load(config)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let html = args.html.as_ref().map(|p| {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.clone())
    });
    let path = write_report(
        config,
        &settings,
        &ReportRequest {
            html,
            runs: args.runs,
        },
    )?;
    println!("wrote {}", path.display());
    Ok(exit::OK)
}
