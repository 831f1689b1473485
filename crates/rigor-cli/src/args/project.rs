//! Arguments of `rigor init` and `rigor list`.

use super::Format;
use clap::Args;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Print the configuration instead of writing rigor.toml.
    #[arg(long)]
    pub print: bool,
    /// Overwrite an existing rigor.toml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these suites (repeatable).
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Show the membership of this tier and its estimated time.
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Extra arguments for the runner (after `--`), e.g. pytest paths or `-k expr`.
    #[arg(last = true)]
    pub extra: Vec<String>,
}
