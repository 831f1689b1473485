//! `rigor gate`: arguments → request → evaluation → record and files → stdout → exit code.

use crate::args::gate::{Format, GateArgs};
use anyhow::Result;
use rigor_gate::config::Settings;
use rigor_gate::{GateRequest, OutputFiles, OutputFlags, RunEvidence, output, publish};
use rigor_model::Config;
use std::path::{Path, PathBuf};

pub fn run(args: &GateArgs, config: &Config) -> Result<i32> {
    let (settings, warnings) = Settings::load(config)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| config.root.clone());
    let report = rigor_gate::evaluate_with(config, &settings, &request(args, &cwd), &|k| {
        std::env::var(k).ok()
    })?;
    publish::require_evaluated(&report)?;
    let annotations = publish::publish(config, &settings, &report, &output_flags(args, &cwd))?;
    print!("{}", output::render(args.format.into(), &report));
    if args.format != Format::Github {
        print!("{annotations}");
    }
    Ok(publish::exit_code(&report))
}

/// The evaluation asked for; paths given are relative to the current directory.
fn request(args: &GateArgs, cwd: &Path) -> GateRequest {
    let abs = |v: &[PathBuf]| v.iter().map(|p| cwd.join(p)).collect::<Vec<_>>();
    let evidence = match (args.no_run, args.run) {
        (true, _) => RunEvidence::Ignored,
        (false, Some(id)) => RunEvidence::Run(id),
        (false, None) => RunEvidence::Latest,
    };
    GateRequest {
        coverage: abs(&args.coverage),
        junit: abs(&args.junit),
        sarif: abs(&args.sarif),
        audit: abs(&args.audit),
        mutation: abs(&args.mutation),
        perf: abs(&args.perf),
        advisories: args.advisories.as_ref().map(|p| cwd.join(p)),
        base: args.base.clone(),
        change: None,
        evidence,
    }
}

fn output_flags(args: &GateArgs, cwd: &Path) -> OutputFlags {
    let abs = |p: &Option<PathBuf>| p.as_ref().map(|p| cwd.join(p));
    OutputFlags {
        record: !args.no_record,
        files: OutputFiles {
            markdown: abs(&args.markdown_out),
            json: abs(&args.json_out),
            junit: abs(&args.junit_out),
            sarif: abs(&args.sarif_out),
            gitlab: abs(&args.gitlab_out),
        },
    }
}
