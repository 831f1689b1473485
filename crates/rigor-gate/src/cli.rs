//! `rigor gate` and `rigor report`.

use crate::config::Settings;
pub use crate::error::GateError;
use crate::{Overrides, evaluate_with, output};
use rigor_model::{Config, exit};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for terminals.
    Table,
    Markdown,
    Json,
    Junit,
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab code-quality JSON.
    Gitlab,
}

/// Evaluate quality gates over test, coverage, perf, security, mutation and lint artifacts.
///
/// Exit codes: 0 all blocking gates pass; 1 a blocking gate failed; 2 usage or configuration
/// error; 3 a malformed artifact (nothing recorded); 4 nothing to evaluate.
#[derive(Debug, Clone, clap::Args)]
pub struct GateArgs {
    /// Coverage report (coverage.py JSON, Cobertura XML, LCOV); repeatable, merged.
    #[arg(long, value_name = "FILE")]
    pub coverage: Vec<PathBuf>,
    /// JUnit XML with test results (instead of the history's last run); repeatable.
    #[arg(long, value_name = "FILE")]
    pub junit: Vec<PathBuf>,
    /// SARIF 2.1.0 from linters or security scanners; repeatable.
    #[arg(long, value_name = "FILE")]
    pub sarif: Vec<PathBuf>,
    /// cargo-audit, pip-audit or osv-scanner JSON; repeatable.
    #[arg(long, value_name = "FILE")]
    pub audit: Vec<PathBuf>,
    /// Offline OSV advisory data (directory or JSON file) to rate pip-audit findings.
    #[arg(long, value_name = "PATH")]
    pub advisories: Option<PathBuf>,
    /// Mutation report (Stryker JSON, cargo-mutants outcomes.json, mutmut CI stats).
    #[arg(long, value_name = "FILE")]
    pub mutation: Vec<PathBuf>,
    /// Output of `rigor perf compare --format json`.
    #[arg(long, value_name = "FILE")]
    pub perf: Vec<PathBuf>,
    /// Base revision for changed lines (default: CI variables, merge-base with the default branch, HEAD~1).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Run of the history whose tests are gated (default: the last finished run).
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// Do not use the history's runs for the tests gate.
    #[arg(long)]
    pub no_run: bool,
    /// Do not record this evaluation in the gate history.
    #[arg(long)]
    pub no_record: bool,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Also write Markdown to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown_out: Option<PathBuf>,
    /// Also write JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json_out: Option<PathBuf>,
    /// Also write JUnit XML (a test case per gate) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit_out: Option<PathBuf>,
    /// Also write SARIF 2.1.0 (located violations) to FILE.
    #[arg(long, value_name = "FILE")]
    pub sarif_out: Option<PathBuf>,
    /// Also write GitLab code-quality JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub gitlab_out: Option<PathBuf>,
}

/// Self-contained HTML report of the last run, gates and trends.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Where to write the page (default: [report] html, else rigor-report.html).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Recent runs and evaluations shown in trends (default: [report] trend_runs).
    #[arg(long, value_name = "N")]
    pub runs: Option<usize>,
}

fn load(config: &Config) -> Result<Settings, GateError> {
    let (settings, warnings) = Settings::load(config)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(settings)
}

pub fn run(args: &GateArgs, config: &Config) -> Result<i32, GateError> {
    let settings = load(config)?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| config.root.clone());
    let abs = |v: &[PathBuf]| {
        v.iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    cwd.join(p)
                }
            })
            .collect::<Vec<_>>()
    };
    let ov = Overrides {
        coverage: abs(&args.coverage),
        junit: abs(&args.junit),
        sarif: abs(&args.sarif),
        audit: abs(&args.audit),
        mutation: abs(&args.mutation),
        perf: abs(&args.perf),
        advisories: args.advisories.as_ref().map(|p| cwd.join(p)),
        base: args.base.clone(),
        run_id: args.run,
        no_run: args.no_run,
        no_diff: false,
    };
    let report = evaluate_with(config, &settings, &ov, &|k| std::env::var(k).ok())?;
    if report.evaluated() == 0 {
        let skipped: Vec<String> = report
            .gates
            .iter()
            .map(|g| format!("{}: {}", g.gate, g.summary))
            .collect();
        return Err(GateError::Nothing {
            message: format!("no gate could be evaluated:\n  {}", skipped.join("\n  ")),
            hint: "run the tests first (rigor run), or pass artifacts with --coverage, --junit, --sarif, --audit, --mutation, --perf".into(),
        });
    }
    if !args.no_record {
        crate::record_report(config, &report)?;
    }
    let annotations = crate::write_configured_outputs(config, &report)?;
    let extra: [(&Option<PathBuf>, output::Render); 5] = [
        (&args.markdown_out, output::markdown),
        (&args.json_out, output::json),
        (&args.junit_out, output::junit),
        (&args.sarif_out, output::sarif),
        (&args.gitlab_out, output::gitlab),
    ];
    for (path, render) in extra {
        if let Some(p) = path {
            crate::write_file(&cwd.join(p), &render(&report))?;
        }
    }
    let text = match args.format {
        Format::Table => output::terminal(&report),
        Format::Markdown => output::markdown(&report),
        Format::Json => output::json(&report),
        Format::Junit => output::junit(&report),
        Format::Sarif => output::sarif(&report),
        Format::Github => output::github(&report),
        Format::Gitlab => output::gitlab(&report),
    };
    print!("{text}");
    if args.format != Format::Github {
        print!("{annotations}");
    }
    Ok(if report.passed {
        exit::OK
    } else {
        exit::FAILED
    })
}

pub fn report(args: &ReportArgs, config: &Config) -> Result<i32, GateError> {
    let settings = load(config)?;
    let db = config.sqlite_path()?;
    if !db.exists() {
        return Err(GateError::Nothing {
            message: format!("no history at {}", db.display()),
            hint: "run tests (rigor run) or gates (rigor gate) first".into(),
        });
    }
    let mut store = rigor_store::Store::open(&db)?;
    let data =
        crate::html::ReportData::load(&mut store, args.runs.unwrap_or(settings.report.trend_runs))?;
    if data.is_empty() {
        return Err(GateError::Nothing {
            message: format!(
                "the history at {} has no finished run and no gate evaluation",
                db.display()
            ),
            hint: "run tests (rigor run) or gates (rigor gate) first".into(),
        });
    }
    let path = match (&args.html, &settings.report.html) {
        (Some(p), _) => std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.clone()),
        (None, Some(p)) => config.root.join(p),
        (None, None) => config.root.join("rigor-report.html"),
    };
    crate::write_file(&path, &crate::html::render(&data))?;
    println!("wrote {}", path.display());
    Ok(exit::OK)
}
