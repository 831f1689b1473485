//! Arguments of the commands that plan and run tests: `rigor run`, `rigor plan`, `rigor ci`.

use super::Format;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Options shared by the commands that run tests (`run`, `ci`).
#[derive(Debug, Args)]
pub struct RunCommon {
    /// Parallel workers (default: [run].jobs, 0 = one per CPU).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Re-run failed tests up to N times; a pass on retry is reported as flaky.
    #[arg(long)]
    pub retries: Option<u32>,
    /// Run shard K of N (also from RIGOR_SHARD, or GitLab's CI_NODE_INDEX/CI_NODE_TOTAL).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Only these suites (repeatable).
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Write one JUnit XML file for the run (on GitLab, `rigor ci` writes rigor-junit.xml).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Output: human text, or the JSON summary on stdout (schema in docs/json.md).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Base revision of the change (default: CI variables, merge-base with the default branch,
    /// else HEAD~1).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: RunCommon,
    /// Stop at the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Per-test timeout, e.g. 30s or 5m (default: [run].timeout).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Keep captured output of passing tests too.
    #[arg(long)]
    pub keep_output: bool,
    /// Run the tiers up to and including this one (see [tiers] in rigor.toml).
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
    /// Precision mode: record per-test line coverage (coverage.py, in the project's environment)
    /// so that change-aware selection can intersect changed lines with it.
    #[arg(long)]
    pub coverage_map: bool,
    /// Only tests matching this selector, e.g. -E 'not marker(slow) & path(tests/unit/**)'.
    #[arg(short = 'E', long = "filter", value_name = "EXPR")]
    pub expr: Option<String>,
    /// Only the tests the change can break (against --base; work-tree changes included).
    /// Giving --base implies it.
    #[arg(long)]
    pub changed: bool,
    /// Run shard K (--shard K/N) of this plan file (`rigor plan --shards N --format json`):
    /// every job runs the same split, whatever the history recorded since.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Queue mode (shared PostgreSQL store): jobs started with the same NAME share one plan
    /// and lease batches of it until every test ran (docs/store.md#queue-mode).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["plan", "changed", "tier", "fail_fast", "coverage_map", "shard"])]
    pub queue: Option<String>,
    /// Queue mode: a job silent this long loses its tests to the others (default 60s).
    #[arg(long, value_name = "DURATION", requires = "queue")]
    pub lease_timeout: Option<String>,
    /// Extra arguments for the runner (after `--`), e.g. pytest paths or `-k expr`.
    #[arg(last = true)]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    /// A GitHub Actions matrix: {"include": [{"shard": "1/4", …}]}
    GithubMatrix,
    /// A GitLab child pipeline with one job per shard.
    Gitlab,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Split the plan into N shards (LPT on estimated durations).
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,
    /// Plan the tiers up to and including this one (default: all tiers).
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
    /// Only tests matching this selector.
    #[arg(short = 'E', long = "filter", value_name = "EXPR")]
    pub expr: Option<String>,
    /// Base revision of the change (default: CI variables, merge-base with the default branch,
    /// else HEAD~1).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Plan every test, not only those the change can break.
    #[arg(long)]
    pub all: bool,
    /// Show why each test is selected, and the skipped ones grouped per file with why.
    #[arg(long)]
    pub explain: bool,
    /// With --explain: list every skipped test on its own line instead of per file.
    #[arg(long, requires = "explain")]
    pub all_skipped: bool,
    /// Explain the decision for one test id (selected or skipped).
    #[arg(long, value_name = "ID")]
    pub why: Option<String>,
    /// Only these suites (repeatable).
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Workers assumed for tier budgets (default: [run].jobs).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Extra arguments for the runner (after `--`).
    #[arg(last = true)]
    pub extra: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CiArgs {
    #[command(flatten)]
    pub common: RunCommon,
    /// Skip the quality gates.
    #[arg(long)]
    pub no_gates: bool,
    /// Run every test, not only those the change can break.
    #[arg(long)]
    pub all: bool,
}

impl RunCommon {
    /// The pipeline's flags from the options `run` and `ci` share.
    pub fn flags(&self) -> rigor_pipeline::Flags {
        rigor_pipeline::Flags {
            jobs: self.jobs,
            retries: self.retries,
            shard: self.shard.clone(),
            suites: self.suites.clone(),
            junit: self.junit.clone(),
            json: self.format == Format::Json,
            base: self.base.clone(),
            args_text: std::env::args().collect::<Vec<_>>().join(" "),
            ..rigor_pipeline::Flags::default()
        }
    }
}
