//! `rigor store`: backup, restore, check and prune the history (engine work in rigor-store).

use crate::args::Format;
use crate::args::store::{StoreAction, StoreArgs};
use anyhow::{Result, bail};
use rigor_model::{Config, exit};
use rigor_store::Retention;
use rigor_store::copy::KnownArea;

pub fn run(config: &Config, args: &StoreArgs) -> Result<i32> {
    match &args.action {
        StoreAction::Backup { file } => {
            let store = super::open_store(config)?;
            store.backup_to(file)?;
            eprintln!("backed up {} to {}", store.path().display(), file.display());
            Ok(exit::OK)
        }
        StoreAction::Restore { file } => {
            let mut store = super::open_store(config)?;
            store.restore_from(file)?;
            eprintln!(
                "restored {} from {}",
                store.path().display(),
                file.display()
            );
            Ok(exit::OK)
        }
        StoreAction::Check { format } => check(config, *format),
        StoreAction::Copy { to, force, format } => copy(config, to, *force, *format),
        StoreAction::Prune {
            keep_days,
            keep_runs,
            dry_run,
            format,
        } => {
            let keep = Retention {
                keep_days: keep_days.or(config.store.keep_days),
                keep_runs: keep_runs.or(config.store.keep_runs),
            };
            if keep.keep_days.is_none() && keep.keep_runs.is_none() {
                bail!(
                    "rigor store prune: no retention given\n  hint: pass --keep-days N and/or --keep-runs N, or set [store] keep_days / keep_runs in rigor.toml"
                );
            }
            if keep.keep_days.is_some_and(|d| d.is_nan() || d < 0.0) {
                bail!("--keep-days must be a number of days ≥ 0");
            }
            let mut store = super::open_store(config)?;
            let now = rigor_runner::run::now_s();
            let r = store.prune(keep, now, *dry_run)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
                Format::Text => println!(
                    "{} {} runs ({} results); {} runs kept",
                    if r.dry_run { "would remove" } else { "removed" },
                    r.runs_removed,
                    r.results_removed,
                    r.runs_kept
                ),
            }
            Ok(exit::OK)
        }
    }
}

/// `rigor store copy --to URL`: the configured history into another store.
fn copy(config: &Config, to: &str, force: bool, format: Format) -> Result<i32> {
    let source = super::open_store_for_reading(config)?;
    let mut target = if to.starts_with("postgres://") || to.starts_with("postgresql://") {
        rigor_store::Store::open_postgres(to)?
    } else if let Some(rest) = to.strip_prefix("sqlite://") {
        let path = std::path::Path::new(rest);
        rigor_store::Store::open(&config.root.join(path))?
    } else {
        bail!(
            "rigor store copy --to {to}: not a store URL\n  hint: write sqlite://PATH or postgres://USER@HOST:PORT/DATABASE"
        );
    };
    if target.path() == source.path() {
        bail!(
            "rigor store copy: the target is the history itself ({})\n  hint: copy into another database or file",
            source.path().display()
        );
    }
    let r = source.copy_to(&mut target, &known_areas(), force)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
        Format::Text => {
            println!("copied {} rows from {} to {}", r.rows, r.from, r.to);
            for t in &r.tables {
                println!("  {:<20} {}", t.table, t.rows);
            }
            if !r.skipped_areas.is_empty() {
                println!(
                    "not copied (areas this rigor does not know; made by a newer one?): {}",
                    r.skipped_areas.join(", ")
                );
            }
        }
    }
    Ok(exit::OK)
}

/// Every area of rigor's history, for `store copy`.
fn known_areas() -> Vec<KnownArea> {
    let mut known = rigor_store::copy::store_areas();
    known.push(rigor_queue::area());
    let area = |name, migrations| KnownArea { name, migrations };
    known.extend([
        area("perf", rigor_perf::store::MIGRATIONS),
        area("gate", rigor_gate::history::MIGRATIONS),
        area("triage", rigor_triage::labels::MIGRATIONS),
        area("mutate", rigor_mutate::store::MIGRATIONS),
        area("rollout", rigor_release::rollout::record::MIGRATIONS),
        area("select", rigor_select::history::MIGRATIONS),
    ]);
    known
}

fn check(config: &Config, format: Format) -> Result<i32> {
    let store = super::open_store_for_reading(config)?;
    let r = store.check()?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
        Format::Text => {
            println!("{} history at {}", r.engine, r.location);
            println!(
                "integrity: {}",
                if r.ok {
                    "ok".into()
                } else {
                    r.integrity.join("; ")
                }
            );
            for a in &r.areas {
                println!("  schema {:<12} v{}", a.area, a.version);
            }
            println!(
                "{} runs ({} unfinished), {} results",
                r.runs, r.unfinished_runs, r.results
            );
        }
    }
    Ok(if r.ok { exit::OK } else { exit::FAILED })
}
