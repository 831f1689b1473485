//! `rigor chaos serve`: the fault-injection proxy with a Toxiproxy-compatible API.

use crate::args::release::{ChaosAction, ChaosArgs};
use anyhow::Result;
use rigor_model::Config;
use rigor_model::config::ChaosConfig;
use rigor_release::chaos::ChaosServer;
use rigor_release::chaos::scenario::Scenario;

pub fn run(config: &Config, args: &ChaosArgs) -> Result<i32> {
    match &args.action {
        ChaosAction::Serve { addr, scenario } => serve(config, addr, *scenario),
    }
}

fn serve(config: &Config, addr: &str, scenario: bool) -> Result<i32> {
    if scenario {
        let (mut chaos, warnings): (ChaosConfig, _) = config.section("chaos")?;
        for w in warnings {
            eprintln!("warning: {w}");
        }
        chaos.api = Some(addr.to_string());
        let s = Scenario::start(&chaos)?;
        eprintln!("rigor chaos: API on http://{}", s.server().api_addr());
        for (k, v) in s.env() {
            println!("{k}={v}");
        }
        s.server().wait_for_signal();
        return Ok(0);
    }
    let server = ChaosServer::start(addr)?;
    eprintln!(
        "rigor chaos: Toxiproxy-compatible API on http://{} (Ctrl-C stops)",
        server.api_addr()
    );
    server.wait_for_signal();
    Ok(0)
}
