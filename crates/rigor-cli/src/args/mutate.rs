//! Arguments of `rigor mutate`.

use super::Format;
use std::path::PathBuf;

/// Mutation testing: each mutant runs against only the tests that reach it.
///
/// Exit codes: 0 done (score at or above `--min-score` / `[mutate] min_score` when set);
/// 1 the score is below it; 2 usage, configuration or a red baseline; 4 no mutant in scope.
#[derive(Debug, Clone, clap::Args)]
pub struct MutateArgs {
    /// Only the lines changed against the base (the work tree against `--base`, else the
    /// CI base or the merge-base with the default branch, as everywhere in rigor).
    #[arg(long)]
    pub diff: bool,
    /// The base revision for `--diff`.
    #[arg(long, value_name = "REV", requires = "diff")]
    pub base: Option<String>,
    /// Only this file (relative to the suite root or the working directory); repeatable.
    #[arg(long, value_name = "FILE")]
    pub file: Vec<PathBuf>,
    /// Only this function: `name`, `Class` or `Class.name`; repeatable.
    #[arg(long, value_name = "NAME")]
    pub function: Vec<String>,
    /// Show the mutants without running them.
    #[arg(long)]
    pub list: bool,
    /// Workers (default: `[mutate] jobs`, else `run.jobs`).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Run every mutant again, ignoring verdicts kept from earlier runs.
    #[arg(long)]
    pub fresh: bool,
    /// Exit 1 when the score (percent) is below this.
    #[arg(long, value_name = "PERCENT")]
    pub min_score: Option<f64>,
    /// Write the report in Stryker's mutation-testing-report JSON (what `rigor gate
    /// --mutation` reads).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}
