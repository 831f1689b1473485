//! `rigor serve`: the dashboard, JSON API and metrics over the history.

use crate::args::serve::ServeArgs;
use anyhow::Result;
use rigor_model::{Config, exit};
use rigor_serve::ServeOptions;
use rigor_serve::security::Limits;

pub fn run(config: Config, args: &ServeArgs) -> Result<i32> {
    let opts = ServeOptions {
        addr: args.addr.clone(),
        token: args.token.clone().filter(|t| !t.is_empty()),
        limits: Limits {
            max_body: args.max_body_mib.max(1) * 1024 * 1024,
            request_timeout: std::time::Duration::from_secs(args.request_timeout.max(1)),
        },
    };
    rigor_serve::run(config, &opts)?;
    Ok(exit::OK)
}
