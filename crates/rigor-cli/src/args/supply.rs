//! Arguments of `rigor audit` (and `rigor sbom`).

use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// A table for terminals.
    Table,
    /// The `rigor.audit/1` contract (docs/security.md).
    Json,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

impl From<FailOn> for rigor_supply::severity::Severity {
    fn from(f: FailOn) -> Self {
        use rigor_supply::severity::Severity as S;
        match f {
            FailOn::Low => S::Low,
            FailOn::Medium => S::Medium,
            FailOn::High => S::High,
            FailOn::Critical => S::Critical,
        }
    }
}

/// Audit the project's lockfiles and requirement files against advisory databases (offline).
///
/// Exit codes: 0 no finding over the policy; 1 findings over the policy; 2 usage or
/// configuration error (an expired ignore included); 3 a malformed input or advisory; 4 no
/// lockfile or requirements file found.
#[derive(Debug, Clone, clap::Args)]
pub struct AuditArgs {
    /// Advisory database directory (RustSec or OSV JSON/YAML, detected); repeatable. Replaces
    /// `[audit] databases`.
    #[arg(long = "db", value_name = "DIR")]
    pub db: Vec<PathBuf>,
    /// Input file (Cargo.lock, poetry.lock, uv.lock, pylock.toml, Pipfile.lock, requirements*.txt);
    /// repeatable. Default: found in the project.
    #[arg(long = "file", value_name = "FILE")]
    pub file: Vec<PathBuf>,
    /// An installed Python environment to read (`*.dist-info/METADATA`): a virtual environment
    /// or a site-packages directory; repeatable. Default: `.venv/` or `venv/` in the project.
    #[arg(long = "venv", value_name = "DIR")]
    pub venv: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: AuditFormat,
    /// Also write the output to this file.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The lowest severity that fails the audit (default: `[audit] fail_on`, else low).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Before auditing, pull the databases that are git checkouts (`git pull --ff-only`) and
    /// download the OSV exports of `[audit] exports` into `[audit] cache`; shows each database's age.
    #[arg(long, conflicts_with = "offline")]
    pub update: bool,
    /// Never touch the network (the audit itself never does; this refuses --update).
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX JSON.
    CyclonedxJson,
    /// SPDX 2.3 JSON.
    SpdxJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CycloneSpec {
    #[value(name = "1.6")]
    V16,
    #[value(name = "1.5")]
    V15,
}

/// Write a software bill of materials of the project's lockfiles and requirement files.
///
/// Exit codes: 0 written; 2 usage error; 3 a malformed input; 4 no lockfile or requirements
/// file found.
#[derive(Debug, Clone, clap::Args)]
pub struct SbomArgs {
    /// Input file (Cargo.lock, poetry.lock, uv.lock, pylock.toml, Pipfile.lock, requirements*.txt);
    /// repeatable. Default: found in the project.
    #[arg(long = "file", value_name = "FILE")]
    pub file: Vec<PathBuf>,
    /// An installed Python environment to read (`*.dist-info/METADATA`): a virtual environment
    /// or a site-packages directory; repeatable. Default: `.venv/` or `venv/` in the project.
    #[arg(long = "venv", value_name = "DIR")]
    pub venv: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "cyclonedx-json")]
    pub format: SbomFormat,
    /// CycloneDX specification version.
    #[arg(long, value_enum, default_value = "1.6")]
    pub spec: CycloneSpec,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// List every package of a Cargo.lock (all platforms, build and dev dependencies) instead
    /// of cargo's resolved graph for the host platform.
    #[arg(long)]
    pub all_platforms: bool,
}
