//! `rigor bisect`: the first bad commit of failing tests, found by `git bisect` in a temporary
//! work tree, running only those tests at each step.

use crate::args::Format;
use crate::args::triage::BisectArgs;
use anyhow::Result;
use rigor_model::{Config, exit};
use rigor_triage::{TriageError, bisect};

pub fn run(config: &Config, args: &BisectArgs) -> Result<i32> {
    let store = super::open_store_for_reading(config)?;
    let known = store.observations(1)?;
    let mut keys = Vec::new();
    for t in &args.tests {
        let k = known
            .keys()
            .find(|k| k.id == *t || k.to_string() == *t)
            .ok_or_else(|| TriageError::UnknownTest(t.clone()))?;
        keys.push((k.suite.clone(), k.id.clone()));
    }
    let (hist_good, hist_bad) = bisect::range_from_history(&store, &keys)?;
    let good = args.good.clone().or(hist_good).ok_or_else(|| {
        TriageError::Bisect(
            "the history never saw these tests pass on a known commit\n  hint: give --good REV"
                .into(),
        )
    })?;
    let bad = args
        .bad
        .clone()
        .or(hist_bad)
        .unwrap_or_else(|| "HEAD".into());
    let ids: Vec<String> = keys.iter().map(|(_, id)| id.clone()).collect();
    let config_text = config
        .file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok());
    let exe = std::env::current_exe()?;
    let mut probe = |dir: &std::path::Path, commit: &str| {
        let p = bisect::rigor_probe(&exe, &ids, config_text.as_deref(), dir);
        if args.format == Format::Text
            && let Ok(p) = &p
        {
            eprintln!("  {} {:?}", &commit[..commit.len().min(10)], p);
        }
        p
    };
    let report = bisect::bisect(&config.root, &ids, &good, &bad, &mut probe)?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", rigor_triage::output::text::bisect(&report));
    }
    Ok(if report.culprit.is_some() {
        exit::OK
    } else {
        exit::FAILED
    })
}
