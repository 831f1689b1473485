//! Arguments of `rigor chaos` and `rigor rollout` (docs/release.md).

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct ChaosArgs {
    #[command(subcommand)]
    pub action: ChaosAction,
}

#[derive(Debug, Subcommand)]
pub enum ChaosAction {
    /// Serve the Toxiproxy-compatible API (proxies and toxics) until Ctrl-C.
    Serve {
        /// Address of the HTTP API (Toxiproxy's port by default).
        #[arg(long, default_value = "127.0.0.1:8474", value_name = "HOST:PORT")]
        addr: String,
        /// Also start the proxies of `[chaos]` in rigor.toml, with their toxics.
        #[arg(long)]
        scenario: bool,
    },
}
