//! One audit as the commands and the pipeline ask for it: settings from `[audit]` (ignores
//! checked, located in rigor.toml), databases and inputs resolved, the report built.

use crate::advisories::Database;
use crate::audit::policy::check_ignores;
use crate::audit::report::{AuditReport, build};
use crate::config::AuditConfig;
use crate::error::{Result, SupplyError};
use crate::inventory::{self, Input};
use crate::severity::Severity;
use rigor_model::Config;
use std::path::{Path, PathBuf};

/// What the command line adds to (or overrides in) `[audit]`.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// `--db` (absolute); replaces `[audit] databases` when given.
    pub databases: Vec<PathBuf>,
    /// `--file` (absolute); replaces `[audit] files` and discovery when given.
    pub files: Vec<PathBuf>,
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
    /// `--update`: pull the databases that are git checkouts first.
    pub update: bool,
}

/// `[audit]` read and checked: unknown keys become warnings, a bad or expired ignore is an
/// error at its line in rigor.toml.
pub fn settings(config: &Config, today: &str) -> Result<(AuditConfig, Vec<String>)> {
    let (cfg, warnings): (AuditConfig, _) = config.section("audit")?;
    check_ignores(&cfg.ignore, today).map_err(|p| {
        config.error_at(
            &format!("audit.ignore.{}.{}", p.index, p.key),
            p.message,
            p.hint,
        )
    })?;
    Ok((cfg, warnings))
}

/// Whether the project configures an audit (`[audit]` with at least one database).
pub fn configured(config: &Config) -> bool {
    config
        .raw("audit.databases")
        .and_then(|v| v.as_array())
        .is_some_and(|a| !a.is_empty())
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    rigor_model::time::utc(now)[..10].to_string()
}

/// The database directories: `--db`, else `[audit] databases` (relative to the root).
pub fn database_paths(
    config: &Config,
    cfg: &AuditConfig,
    opts: &AuditOptions,
) -> Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = if opts.databases.is_empty() {
        cfg.databases.iter().map(|d| config.root.join(d)).collect()
    } else {
        opts.databases.clone()
    };
    if paths.is_empty() {
        return Err(SupplyError::usage(
            "no advisory database to audit against",
            "give --db DIR (an unpacked RustSec or OSV database), or set [audit] databases = [\"…\"] in rigor.toml",
        ));
    }
    Ok(paths)
}

/// Read the inputs: `--file`, else `[audit] files`, else those found in the project root.
pub fn inputs(config: &Config, cfg: &AuditConfig, opts: &AuditOptions) -> Result<Vec<Input>> {
    let root = &config.root;
    let files: Vec<PathBuf> = if !opts.files.is_empty() {
        opts.files.clone()
    } else if !cfg.files.is_empty() {
        cfg.files.iter().map(|f| root.join(f)).collect()
    } else {
        inventory::discover(root)
    };
    if files.is_empty() {
        return Err(SupplyError::Nothing {
            message: format!(
                "no lockfile (Cargo.lock, poetry.lock, uv.lock, pylock.toml, Pipfile.lock) or requirements*.txt in {}",
                root.display()
            ),
            hint: "run in the project directory, or name the file with --file".into(),
        });
    }
    files
        .iter()
        .map(|f| inventory::read(f, &label(root, f)))
        .collect()
}

/// A path relative to the root when inside it.
pub fn label(root: &Path, file: &Path) -> String {
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let canon = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    canon
        .strip_prefix(&canon_root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| file.display().to_string())
}

/// The whole audit.
pub fn run(config: &Config, cfg: &AuditConfig, opts: &AuditOptions) -> Result<AuditReport> {
    let mut cfg = cfg.clone();
    if let Some(s) = opts.fail_on {
        cfg.fail_on = s;
    }
    let paths = database_paths(config, &cfg, opts)?;
    if opts.update {
        for line in crate::advisories::update::update(&paths)? {
            eprintln!("{line}");
        }
    }
    let db = Database::load(&paths)?;
    let inputs = inputs(config, &cfg, opts)?;
    Ok(build(&inputs, &db, &cfg))
}
