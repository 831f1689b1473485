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
    let sections = rollout_section(config)?;
    let path = write_report(
        config,
        &settings,
        &ReportRequest {
            html,
            runs: args.runs,
            sections,
        },
    )?;
    println!("wrote {}", path.display());
    Ok(exit::OK)
}

/// The rollouts recorded in the history, as a section of the page.
fn rollout_section(config: &Config) -> Result<Vec<String>> {
    let store = match config.postgres_url() {
        Some(_) => super::open_store_for_reading(config)?,
        None => {
            let db = config.sqlite_path()?;
            if !db.exists() {
                return Ok(Vec::new());
            }
            rigor_store::Store::open_for_reading(&db)?
        }
    };
    let rows = rigor_release::rollout::record::recent(&store, 20)?;
    Ok(vec![rigor_release::rollout::report::html_section(&rows)])
}
