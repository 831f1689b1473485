//! Arguments of `rigor gate` and `rigor report`.

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

impl From<Format> for rigor_gate::output::Format {
    fn from(f: Format) -> Self {
        use rigor_gate::output::Format as F;
        match f {
            Format::Table => F::Table,
            Format::Markdown => F::Markdown,
            Format::Json => F::Json,
            Format::Junit => F::Junit,
            Format::Sarif => F::Sarif,
            Format::Github => F::Github,
            Format::Gitlab => F::Gitlab,
        }
    }
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
