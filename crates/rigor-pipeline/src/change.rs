//! The change, detected once per pipeline run and handed to selection and to the gates, so
//! both see the same base (rules in `docs/change.md`).

use crate::error::Result;
use rigor_model::Config;
use rigor_vcs::ChangeSet;

/// What detection found.
#[derive(Debug, Clone, PartialEq)]
pub enum Detected {
    Change(ChangeSet),
    /// No change to select by (not a git repository, …) and no `--base` asked for one: every
    /// test runs, and this says why.
    Unavailable(String),
}

impl Detected {
    pub fn change(&self) -> Option<&ChangeSet> {
        match self {
            Detected::Change(c) => Some(c),
            Detected::Unavailable(_) => None,
        }
    }
}

/// Detect the change of the project at `config.root` against `base` (`None`: CI variables,
/// merge-base with the default branch, …). Without an explicit base, a checkout where git cannot
/// tell is [`Detected::Unavailable`]; with one, it is an error.
pub fn detect(config: &Config, base: Option<&str>) -> Result<Detected> {
    let t0 = std::time::Instant::now();
    let detected = match ChangeSet::detect(&config.root, base) {
        Ok(c) => Detected::Change(c),
        Err(e) if base.is_none() => Detected::Unavailable(format!(
            "no change to select by ({})",
            e.to_string().lines().next().unwrap_or("")
        )),
        Err(e) => return Err(e.into()),
    };
    rigor_model::time::stage("change detected", t0);
    Ok(detected)
}
