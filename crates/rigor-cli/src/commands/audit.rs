//! `rigor audit`: settings → inputs and databases → report → rendering → exit code.

use crate::args::supply::{AuditArgs, AuditFormat};
use anyhow::Result;
use rigor_model::Config;
use rigor_model::exit;
use rigor_supply::output;
use rigor_supply::run::{AuditOptions, run as audit, settings, today};

pub fn run(args: &AuditArgs, config: &Config) -> Result<i32> {
    let (cfg, warnings) = settings(config, &today())?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| config.root.clone());
    let opts = AuditOptions {
        databases: args.db.iter().map(|p| cwd.join(p)).collect(),
        files: args
            .file
            .iter()
            .chain(&args.venv)
            .map(|p| cwd.join(p))
            .collect(),
        fail_on: args.fail_on.map(Into::into),
        update: args.update && !args.offline,
    };
    let report = audit(config, &cfg, &opts)?;
    let text = match args.format {
        AuditFormat::Table => output::table::render(&report),
        AuditFormat::Json => output::json::render(&report),
        AuditFormat::Sarif => output::sarif::render(&report),
    };
    if let Some(path) = &args.output {
        let path = cwd.join(path);
        std::fs::write(&path, &text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    print!("{text}");
    Ok(if report.passed {
        exit::OK
    } else {
        exit::FAILED
    })
}
