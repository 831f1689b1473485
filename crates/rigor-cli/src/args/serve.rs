//! `rigor serve` arguments.

use clap::Args;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (HOST:PORT; port 0 picks a free port). Binding beyond loopback
    /// without --token prints a warning.
    #[arg(long, default_value = "127.0.0.1:8765", value_name = "HOST:PORT")]
    pub addr: String,
    /// Bearer token that writes (POST /api/v1/runs, alert state) must present; without one the
    /// server is read-only.
    #[arg(
        long,
        env = "RIGOR_SERVE_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// Largest request body accepted, in MiB.
    #[arg(long, default_value_t = 16, value_name = "MIB")]
    pub max_body_mib: usize,
    /// Longest a request may take, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub request_timeout: u64,
}
