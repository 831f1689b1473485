//! `rigor init`: detect the project and write a commented rigor.toml.

use crate::args::InitArgs;
use anyhow::{Result, bail};
use rigor_model::config::{CONFIG_FILE, CORE_DEFAULTS};
use rigor_model::{SuiteConfig, exit};
use std::fmt::Write;
use std::path::Path;

/// The text of a rigor.toml for the detected suites.
pub fn render(suites: &[SuiteConfig]) -> String {
    let mut text = CORE_DEFAULTS.to_string();
    if !suites.is_empty() {
        text.push_str("\n# Detected by `rigor init`:\n");
    }
    for s in suites {
        let _ = write!(
            text,
            "\n[[suite]]\nname = \"{}\"\nkind = \"{}\"\nroot = \"{}\"\n",
            s.name,
            s.kind.as_str(),
            s.root
        );
    }
    text
}

pub fn run(dir: &Path, args: &InitArgs) -> Result<i32> {
    let detected = rigor_runner::project::detect(dir);
    let text = render(&detected.suites);
    if args.print {
        print!("{text}");
        return Ok(exit::OK);
    }
    let path = dir.join(CONFIG_FILE);
    if path.exists() && !args.force {
        bail!(
            "{} exists already\n  hint: use --force to overwrite it, or --print to see what would be written",
            path.display()
        );
    }
    std::fs::write(&path, &text)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    if detected.reasons.is_empty() {
        eprintln!(
            "no suite detected: add a [[suite]] (pytest, nextest, cargo-test or command) to it"
        );
    }
    for r in &detected.reasons {
        eprintln!("  suite {r}");
    }
    if let Some(said) = ignore_history(dir)? {
        eprintln!("{said}");
    }
    Ok(exit::OK)
}

/// The `.gitignore` entry for rigor's history and outputs.
const IGNORE_ENTRY: &str = ".rigor/";

/// In a git work tree where `.rigor/` is not ignored yet, add it to the project's `.gitignore`
/// (so the history never shows up as a change); returns what was done, `None` outside git or
/// when it is ignored already.
fn ignore_history(dir: &Path) -> Result<Option<String>> {
    if rigor_vcs::is_ignored(dir, ".rigor/history.db") != Some(false) {
        return Ok(None);
    }
    let path = dir.join(".gitignore");
    let mut text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => bail!(
            "cannot read {}: {e}\n  hint: add `{IGNORE_ENTRY}` to it yourself so rigor's history is not seen as a change",
            path.display()
        ),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(IGNORE_ENTRY);
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| {
        anyhow::anyhow!(
            "cannot write {}: {e}\n  hint: add `{IGNORE_ENTRY}` to it yourself so rigor's history is not seen as a change",
            path.display()
        )
    })?;
    Ok(Some(format!(
        "added `{IGNORE_ENTRY}` to {} (rigor's history and outputs stay out of git)",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::{Config, SuiteKind};

    #[test]
    fn the_written_file_loads_back_with_its_suites() {
        let suites = vec![SuiteConfig {
            name: "python".into(),
            kind: SuiteKind::Pytest,
            root: ".".into(),
            args: vec![],
            setup: vec![],
            timeout: None,
            commands: Default::default(),
            env: Default::default(),
        }];
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(CONFIG_FILE);
        std::fs::write(&p, render(&suites)).unwrap();
        let c = Config::load(CORE_DEFAULTS, Some(&p), dir.path(), &[]).unwrap();
        assert_eq!(c.suites, suites);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }
}
