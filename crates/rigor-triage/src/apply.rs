//! `rigor triage --apply`: perform the safe fixes only — quarantines with expiry (rigor-store's
//! quarantine) and formatters' or linters' auto-fixes — and say what changed. Never commits.

use crate::fixes::SafeFix;
use crate::triage::Report;
use crate::{Result, TriageError};
use rigor_model::TestKey;
use rigor_store::Store;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub test: String,
    /// What was done, in words.
    pub done: String,
    /// Files the fix modified (work-tree changes that were not there before).
    pub changed_files: Vec<String>,
}

pub fn apply(report: &Report, store: &mut Store, root: &Path, now: f64) -> Result<Vec<Applied>> {
    let mut out = Vec::new();
    let mut commands_run: BTreeSet<(String, String)> = BTreeSet::new();
    for f in &report.failures {
        let Some(safe) = &f.fix.safe else { continue };
        match safe {
            SafeFix::Quarantine { days, reason } => {
                let key = TestKey::new(f.suite.clone(), f.test.clone());
                let until = now + days * 86_400.0;
                store.quarantine(&key, reason, now, until, false)?;
                out.push(Applied {
                    test: format!("{}::{}", f.suite, f.test),
                    done: format!(
                        "quarantined until {} ({reason})",
                        rigor_model::time::utc(until)
                    ),
                    changed_files: Vec::new(),
                });
            }
            SafeFix::Command { command, dir } => {
                // One auto-fix per command and directory, however many failures asked for it.
                if !commands_run.insert((command.clone(), dir.clone())) {
                    continue;
                }
                let dir = root.join(dir);
                let before = dirty(root);
                run(command, &dir)?;
                let after = dirty(root);
                out.push(Applied {
                    test: format!("{}::{}", f.suite, f.test),
                    done: format!("ran `{command}` in {}", dir.display()),
                    changed_files: paths(&after.difference(&before).cloned().collect::<Vec<_>>()),
                });
            }
        }
    }
    Ok(out)
}

fn run(command: &str, dir: &Path) -> Result<()> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| TriageError::Apply {
            command: command.into(),
            message: e.to_string(),
        })?;
    // Linters' auto-fix exits non-zero when something remains that it cannot fix: what it
    // fixed is still fixed; only "not found" and signals are failures.
    match out.status.code() {
        Some(127) | None => Err(TriageError::Apply {
            command: command.into(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        }),
        _ => Ok(()),
    }
}

/// Modified or untracked files with their content hash, so a file already dirty that the fix
/// changes again counts as changed.
fn dirty(root: &Path) -> BTreeSet<String> {
    let Ok(text) = rigor_vcs::git::text(
        root,
        &["status", "--porcelain", "-z", "--untracked-files=all"],
    ) else {
        return BTreeSet::new();
    };
    text.split('\0')
        .filter(|e| e.len() > 3)
        .map(|e| {
            let path = &e[3..];
            let hash = std::fs::read(root.join(path))
                .map(|b| crate::signature::hash_bytes(&b))
                .unwrap_or(0);
            format!("{path}\0{hash:x}")
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The paths of [`dirty`] entries.
pub fn paths(changed: &[String]) -> Vec<String> {
    changed
        .iter()
        .map(|c| c.split('\0').next().unwrap_or(c).to_string())
        .collect()
}
