//! The schemata build: write every mutated file with its switches into the sandbox, build the
//! test binaries once, and drop the mutants the compiler rejects (unviable) until the build
//! is clean.

use super::cargo::{self, Build, TestExe};
use super::project::RustProject;
use super::schemata::{self, Rewritten};
use crate::engine::FileMutants;
use crate::error::{MutateError, Result};
use crate::exec::sandbox::Sandbox;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Rebuilds allowed after dropping unviable mutants.
const MAX_ROUNDS: usize = 8;

/// A clean schemata build.
pub struct Built {
    pub exes: Vec<TestExe>,
    /// Mutants the compiler rejected.
    pub unviable: BTreeSet<u32>,
    /// How many builds it took.
    pub rounds: usize,
}

/// Write the sandbox's mutated files (without the mutants in `drop`).
fn write_all(
    sb: &Sandbox,
    project: &RustProject,
    files: &[FileMutants],
    drop: &BTreeSet<u32>,
) -> Result<HashMap<String, Rewritten>> {
    let mut map = HashMap::new();
    for f in files {
        let ms: Vec<_> = f
            .mutants
            .iter()
            .filter(|m| !drop.contains(&m.id))
            .cloned()
            .collect();
        map.insert(f.file.clone(), schemata::rewrite(&f.source, &ms));
    }
    let root_src = match map.get(&project.crate_root) {
        Some(r) => r.text.clone(),
        None => read(&project.root.join(&project.crate_root))?,
    };
    for (file, r) in &map {
        if file != &project.crate_root {
            sb.write(file, &r.text)?;
        }
    }
    sb.write(
        &project.crate_root,
        &format!("{root_src}{}", schemata::SWITCH_FN),
    )?;
    Ok(map)
}

fn read(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).map_err(|source| MutateError::Read {
        path: p.display().to_string(),
        source,
    })
}

/// Build until clean, dropping the mutants compiler errors point at.
pub fn build(
    sb: &Sandbox,
    project: &RustProject,
    files: &[FileMutants],
    target_dir: &Path,
    progress: bool,
) -> Result<Built> {
    let mut unviable = BTreeSet::new();
    for round in 1..=MAX_ROUNDS {
        let map = write_all(sb, project, files, &unviable)?;
        if progress {
            eprintln!("rigor mutate: building the test binaries with all mutants (build {round})");
        }
        let b = cargo::build(&sb.root, target_dir)?;
        if b.success {
            return Ok(Built {
                exes: b.exes,
                unviable,
                rounds: round,
            });
        }
        let blamed = blame(&b, &map)?;
        let before = unviable.len();
        unviable.extend(blamed);
        if unviable.len() == before {
            return Err(broken(&b));
        }
    }
    Err(MutateError::Build {
        message: format!("the mutants still do not compile after {MAX_ROUNDS} builds"),
        hint: "narrow the scope with --file or --function".into(),
    })
}

/// The mutants to drop for the build's errors; an error outside every mutated file is the
/// crate's own (it does not compile without mutants either).
fn blame(b: &Build, map: &HashMap<String, Rewritten>) -> Result<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    if b.errors.is_empty() {
        return Err(broken(b));
    }
    for e in &b.errors {
        let file = e.file.trim_start_matches("./");
        let Some(r) = map.get(file) else {
            return Err(broken_at(e));
        };
        match r.blame(e.byte_start, e.byte_end) {
            Some(ids) => out.extend(ids.iter().copied()),
            None => return Err(broken_at(e)),
        }
    }
    Ok(out)
}

fn broken_at(e: &cargo::CompileError) -> MutateError {
    MutateError::Build {
        message: if e.file.is_empty() {
            format!("the crate does not compile: {}", e.message)
        } else {
            format!(
                "{}:{}: the crate does not compile: {}",
                e.file, e.line, e.message
            )
        },
        hint: "`cargo test --no-run` must succeed before mutation testing".into(),
    }
}

fn broken(b: &Build) -> MutateError {
    if let Some(e) = b.errors.first() {
        return broken_at(e);
    }
    let tail: Vec<&str> = b.stderr.lines().rev().take(8).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    MutateError::Build {
        message: format!("`cargo test --no-run` failed:\n{}", tail.join("\n")),
        hint: "`cargo test --no-run` must succeed before mutation testing".into(),
    }
}
