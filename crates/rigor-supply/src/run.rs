//! One audit as the commands and the pipeline ask for it: settings from `[audit]` (ignores
//! checked, located in rigor.toml), databases and inputs resolved, the report built.

use crate::advisories::{Database, DbInfo, export};
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
    /// `--update`: pull the databases that are git checkouts and download the exports first.
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

/// Whether the project configures an audit (`[audit]` with at least one database or export).
pub fn configured(config: &Config) -> bool {
    ["audit.databases", "audit.exports"].iter().any(|k| {
        config
            .raw(k)
            .and_then(|v| v.as_array())
            .is_some_and(|a| !a.is_empty())
    })
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    rigor_model::time::utc(now)[..10].to_string()
}

/// The database directories given: `--db`, else `[audit] databases` (relative to the root).
fn given_databases(config: &Config, cfg: &AuditConfig, opts: &AuditOptions) -> Vec<PathBuf> {
    if opts.databases.is_empty() {
        cfg.databases.iter().map(|d| config.root.join(d)).collect()
    } else {
        opts.databases.clone()
    }
}

/// The export directories in the cache (`[audit] exports`; none when `--db` names the databases).
fn export_dirs(config: &Config, cfg: &AuditConfig, opts: &AuditOptions) -> Vec<(String, PathBuf)> {
    if !opts.databases.is_empty() {
        return Vec::new();
    }
    let cache = config.root.join(&cfg.cache);
    cfg.exports
        .iter()
        .map(|e| (e.clone(), export::dir(&cache, e)))
        .collect()
}

/// The database directories: `--db`, else `[audit] databases` (relative to the root) and the
/// downloaded `[audit] exports`.
pub fn database_paths(
    config: &Config,
    cfg: &AuditConfig,
    opts: &AuditOptions,
) -> Result<Vec<PathBuf>> {
    let mut paths = given_databases(config, cfg, opts);
    for (eco, dir) in export_dirs(config, cfg, opts) {
        if !dir.is_dir() {
            return Err(SupplyError::usage(
                format!(
                    "the {eco} export is not downloaded yet (no {})",
                    dir.display()
                ),
                "run `rigor audit --update` once with network access, or remove it from [audit] exports",
            ));
        }
        paths.push(dir);
    }
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
    if opts.update {
        for line in refresh(config, &cfg, opts)? {
            eprintln!("{line}");
        }
    }
    let paths = database_paths(config, &cfg, opts)?;
    let db = Database::load(&paths)?;
    if opts.update {
        for line in ages(&db.infos, &today()) {
            eprintln!("{line}");
        }
    }
    let inputs = inputs(config, &cfg, opts)?;
    let caches = index_caches(config, &cfg)?;
    Ok(build(&inputs, &db, &cfg, &caches))
}

/// The registry index caches to read yanks from: `[audit] registry_index` (which must exist),
/// else those under Cargo's home.
pub fn index_caches(config: &Config, cfg: &AuditConfig) -> Result<Vec<PathBuf>> {
    if let Some(dir) = &cfg.registry_index {
        let dir = config.root.join(dir);
        if !dir.is_dir() {
            return Err(SupplyError::usage(
                format!(
                    "[audit] registry_index {} is not a directory",
                    dir.display()
                ),
                "name a registry index directory (e.g. ~/.cargo/registry/index/<registry>) or its .cache, or remove the key to use Cargo's own",
            ));
        }
        return Ok(crate::advisories::yanked::caches(Some(&dir), None));
    }
    let home = crate::sbom::licenses::cargo_home();
    Ok(crate::advisories::yanked::caches(None, home.as_deref()))
}

/// `--update`: pull the given databases that are git checkouts, download the exports.
pub fn refresh(config: &Config, cfg: &AuditConfig, opts: &AuditOptions) -> Result<Vec<String>> {
    let mut lines = crate::advisories::update::update(&given_databases(config, cfg, opts))?;
    let cache = config.root.join(&cfg.cache);
    let now = rigor_model::time::utc(now_secs());
    for (eco, _) in export_dirs(config, cfg, opts) {
        std::fs::create_dir_all(&cache).map_err(|e| SupplyError::Write {
            path: cache.display().to_string(),
            source: e,
        })?;
        let url = export::url(&cfg.export_url, &eco);
        lines.push(export::update(&cache, &eco, &url, &now)?);
    }
    Ok(lines)
}

fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// One line per database with its age on `today` (`YYYY-MM-DD`).
pub fn ages(infos: &[DbInfo], today: &str) -> Vec<String> {
    infos
        .iter()
        .map(|i| {
            let age = match (&i.updated, days(today)) {
                (Some(u), Some(t)) => match days(u) {
                    Some(d) => format!("updated {u}, {} days old", t - d),
                    None => format!("updated {u}"),
                },
                _ => "age unknown".to_string(),
            };
            format!(
                "database {} ({}, {} advisories): {age}",
                i.path,
                i.kind.as_str(),
                i.advisories
            )
        })
        .collect()
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
pub fn days(date: &str) -> Option<i64> {
    let mut it = date.get(..10)?.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ages_in_days() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2000-03-01"), Some(11_017));
        assert_eq!(days("2026-13-01"), None);
        let info = DbInfo {
            path: "db".into(),
            kind: crate::advisories::DbKind::Osv,
            advisories: 3,
            updated: Some("2026-11-20".into()),
        };
        assert_eq!(
            ages(&[info], "2026-11-28"),
            vec!["database db (osv, 3 advisories): updated 2026-11-20, 8 days old"]
        );
    }

    proptest! {
        /// The day count agrees with rigor's own calendar (`time::utc`) for every day.
        #[test]
        fn days_agree_with_utc(n in 0i64..200_000) {
            let date = rigor_model::time::utc(n as f64 * 86_400.0);
            prop_assert_eq!(days(&date), Some(n));
        }
    }
}
