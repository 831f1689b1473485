//! Arguments of `rigor triage` and `rigor bisect`.

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TriageFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct TriageArgs {
    #[command(subcommand)]
    pub action: Option<TriageAction>,
    /// The run to explain (default: the last finished run).
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// Output: terminal text, JSON (schema rigor.triage/1 in docs/triage.md), or Markdown for a PR comment.
    #[arg(long, value_enum, default_value_t = TriageFormat::Text)]
    pub format: TriageFormat,
    /// Perform the safe fixes (quarantine with expiry, formatter and linter auto-fixes); never commits.
    #[arg(long)]
    pub apply: bool,
}

#[derive(Debug, Subcommand)]
pub enum TriageAction {
    /// Record a person's decision: failures with this signature (or a similar one) inherit the cause.
    Label {
        /// The signature id (12 hex digits) as `rigor triage` shows it.
        signature: String,
        /// regression, flaky, infrastructure, environment or test-bug.
        #[arg(long = "as", value_name = "CAUSE")]
        cause: String,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct BisectArgs {
    /// The failing test (id as `rigor list` shows it; repeatable).
    #[arg(long = "test", value_name = "ID", required = true)]
    pub tests: Vec<String>,
    /// A revision where the tests pass (default: the newest commit where the history saw them pass).
    #[arg(long, value_name = "REV")]
    pub good: Option<String>,
    /// A revision where they fail (default: the newest commit where the history saw them fail, else HEAD).
    #[arg(long, value_name = "REV")]
    pub bad: Option<String>,
    /// Output: text or JSON.
    #[arg(long, value_enum, default_value_t = crate::args::Format::Text)]
    pub format: crate::args::Format,
}
