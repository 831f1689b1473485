//! `rigor triage`: explain the failures of a run; `rigor triage label`: teach it.

use crate::args::triage::{TriageAction, TriageArgs, TriageFormat};
use anyhow::Result;
use rigor_model::{Config, exit};
use rigor_triage::{Cause, TriageError, labels, output};

pub fn run(config: &Config, args: &TriageArgs) -> Result<i32> {
    let mut store = super::open_store(config)?;
    let now = rigor_runner::run::now_s();
    if let Some(TriageAction::Label {
        signature,
        cause,
        note,
    }) = &args.action
    {
        let cause = Cause::parse(cause)
            .filter(|c| *c != Cause::Unknown)
            .ok_or_else(|| TriageError::UnknownCause(cause.clone()))?;
        labels::migrate(&mut store)?;
        let sig = rigor_triage::triage::find_signature(&store, config, signature)?;
        labels::add(&store, &sig, cause, note.as_deref(), now)?;
        println!("labelled {} as {cause}: {}", sig.id, sig.headline());
        return Ok(exit::OK);
    }
    let opts = rigor_triage::Options {
        run: args.run,
        quarantine_days: rigor_pipeline::flaky::FlakyConfig::load(config)?.quarantine_days,
        ..Default::default()
    };
    let report = rigor_triage::triage(&mut store, config, &opts)?;
    match args.format {
        TriageFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&output::json::document(&report))?
        ),
        TriageFormat::Markdown => print!("{}", output::markdown::render(&report)),
        TriageFormat::Text => print!("{}", output::text::render(&report)),
    }
    if args.apply {
        let applied = rigor_triage::apply::apply(&report, &mut store, &config.root, now)?;
        if applied.is_empty() {
            eprintln!(
                "--apply: no safe fix to perform (safe: quarantine with expiry, formatter and linter auto-fixes)"
            );
        }
        for a in applied {
            let files = if a.changed_files.is_empty() {
                String::new()
            } else {
                format!("; changed: {}", a.changed_files.join(", "))
            };
            eprintln!("applied: {}: {}{files}", a.test, a.done);
        }
    }
    Ok(exit::OK)
}
