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

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RolloutArgs {
    #[command(subcommand)]
    pub action: Option<RolloutAction>,
    #[command(flatten)]
    pub start: RolloutStart,
}

/// Flags of a rollout; each overrides its key of `[rollout]` in rigor.toml.
#[derive(Debug, Args)]
pub struct RolloutStart {
    /// The current version's address (HOST:PORT).
    #[arg(long, value_name = "HOST:PORT")]
    pub blue: Option<String>,
    /// Command that starts blue (run with `sh -c`; it must listen on --blue).
    #[arg(long, value_name = "CMD")]
    pub blue_cmd: Option<String>,
    /// The new version's address (HOST:PORT).
    #[arg(long, value_name = "HOST:PORT")]
    pub green: Option<String>,
    /// Command that starts green (run with `sh -c`; it must listen on --green).
    #[arg(long, value_name = "CMD")]
    pub green_cmd: Option<String>,
    /// Where the reverse proxy listens.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// Where the control API (status, promote, abort) listens.
    #[arg(long, value_name = "HOST:PORT")]
    pub control: Option<String>,
    /// Percent of traffic on green at each step, e.g. 10,50,100 (last 100).
    #[arg(long, value_delimiter = ',', value_name = "PCT,...")]
    pub steps: Option<Vec<u32>>,
    /// Time of each step (the last step's is the bake), e.g. 60s.
    #[arg(long, value_name = "DURATION")]
    pub step_time: Option<String>,
    /// Blue alone, measured before the first step.
    #[arg(long, value_name = "DURATION")]
    pub baseline_time: Option<String>,
    /// Time between two analyses.
    #[arg(long, value_name = "DURATION")]
    pub interval: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub health_path: Option<String>,
    #[arg(long, value_name = "DURATION")]
    pub health_timeout: Option<String>,
    #[arg(long, value_name = "N")]
    pub min_requests: Option<u64>,
    /// Largest tolerated rise of the error rate, percentage points.
    #[arg(long, value_name = "POINTS")]
    pub max_error_increase: Option<f64>,
    /// Largest tolerated rise of the median latency, percent.
    #[arg(long, value_name = "PCT")]
    pub max_latency_increase: Option<f64>,
    #[arg(long, value_name = "P")]
    pub alpha: Option<f64>,
    #[arg(long, value_name = "DURATION")]
    pub drain_timeout: Option<String>,
    /// Consecutive failing analyses that roll back (default 2).
    #[arg(long, value_name = "N")]
    pub failure_limit: Option<u32>,
    /// The commit being deployed (default: HEAD); its gates must have passed.
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// Deploy even though the commit's gates failed (recorded with the rollout).
    #[arg(long)]
    pub force: bool,
    /// End right after the decision instead of serving the winning side until Ctrl-C.
    #[arg(long)]
    pub exit: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: super::Format,
}

#[derive(Debug, Subcommand)]
pub enum RolloutAction {
    /// Phase, step, traffic share and last analysis of the running rollout.
    Status {
        #[arg(long, default_value = "127.0.0.1:8479", value_name = "HOST:PORT")]
        control: String,
        #[arg(long, value_enum, default_value = "text")]
        format: super::Format,
    },
    /// Promote the running rollout now (all traffic to green).
    Promote {
        #[arg(long, default_value = "127.0.0.1:8479", value_name = "HOST:PORT")]
        control: String,
    },
    /// Abort the running rollout (all traffic back to blue).
    Abort {
        #[arg(long, default_value = "127.0.0.1:8479", value_name = "HOST:PORT")]
        control: String,
    },
    /// Recorded rollouts, newest first.
    History {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, value_enum, default_value = "text")]
        format: super::Format,
    },
    /// The judge over two samples: once from files, or served for Argo Rollouts (--serve).
    Judge(JudgeArgs),
}

#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// Serve `POST /judge` (Argo Rollouts web metric provider) until Ctrl-C.
    #[arg(long)]
    pub serve: bool,
    #[arg(long, default_value = "127.0.0.1:8480", value_name = "HOST:PORT")]
    pub addr: String,
    /// Baseline sample file: {"latencies_ms": [..], "errors": N, "requests": N}.
    #[arg(long, value_name = "FILE", required_unless_present = "serve")]
    pub baseline: Option<std::path::PathBuf>,
    /// Canary sample file, same shape.
    #[arg(long, value_name = "FILE", required_unless_present = "serve")]
    pub canary: Option<std::path::PathBuf>,
}
