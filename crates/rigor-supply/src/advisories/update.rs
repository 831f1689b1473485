//! `rigor audit --update`: refresh database directories that are git checkouts (`git pull
//! --ff-only` through rigor-vcs, the one place that runs git) and say how far each moved.

use crate::error::{Result, SupplyError};
use rigor_vcs::git;
use std::path::{Path, PathBuf};

/// Whether a database directory is the top of a git checkout.
pub fn is_checkout(dir: &Path) -> bool {
    dir.join(".git").exists()
}

/// The date (`YYYY-MM-DD`) of a checkout's last commit.
pub fn last_commit_date(dir: &Path) -> Option<String> {
    git::line(dir, &["log", "-1", "--format=%cs"])
}

/// Pull every checkout in `dirs`; one line per database for people. A directory that is not a
/// checkout cannot be refreshed: an error naming it (nothing is changed elsewhere either).
pub fn update(dirs: &[PathBuf]) -> Result<Vec<String>> {
    if let Some(d) = dirs.iter().find(|d| !is_checkout(d)) {
        return Err(SupplyError::Update {
            path: d.display().to_string(),
            message: "not a git checkout, so it cannot be pulled".into(),
            hint: "clone the database with git (e.g. the RustSec or PyPA advisory database) or refresh the directory yourself; run without --update to use it as it is".into(),
        });
    }
    let mut lines = Vec::new();
    for d in dirs {
        let before = git::line(d, &["rev-parse", "--short", "HEAD"]);
        git::text(d, &["pull", "--ff-only", "--quiet"]).map_err(|e| SupplyError::Update {
            path: d.display().to_string(),
            message: e.to_string(),
            hint: "check the checkout's remote and that its branch can fast-forward; run without --update to audit offline".into(),
        })?;
        let after = git::line(d, &["rev-parse", "--short", "HEAD"]);
        let date = last_commit_date(d).unwrap_or_else(|| "unknown".into());
        lines.push(match (before, after) {
            (Some(b), Some(a)) if a != b => {
                format!("updated {}: {b} → {a} (last commit {date})", d.display())
            }
            _ => format!("{} is up to date (last commit {date})", d.display()),
        });
    }
    Ok(lines)
}
