//! `rigor ci`'s mutation step: when `[mutate]` is configured and every tier passed, the
//! change's mutants run (`rigor mutate --diff`, part of the advanced tier) and their Stryker
//! report is written where the mutation gate reads it (`[mutate] output`).

use crate::error::{PipelineError, Result};
use rigor_model::{Config, MutateConfig};
use rigor_mutate::engine::{self, FileMutants, Request};
use rigor_mutate::project::PyProject;
use rigor_mutate::rust::project::{RustProject, is_cargo_project};
use rigor_mutate::scope::Scope;
use rigor_store::Store;
use rigor_vcs::{ChangeKind, ChangeSet};

/// Run the change's mutants; `Ok(())` also when nothing mutable changed (said on stderr).
pub fn advanced_step(
    config: &Config,
    store: &mut Store,
    change: Option<&ChangeSet>,
    jobs: usize,
) -> Result<()> {
    let (settings, warnings, present) = MutateConfig::from_config(config)?;
    if !present {
        return Ok(());
    }
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let Some(change) = change else {
        return Ok(());
    };
    let project = match PyProject::discover(config) {
        Ok(p) => Project::Python(p),
        Err(_) if is_cargo_project(&config.root) => {
            Project::Rust(RustProject::discover(&config.root)?)
        }
        Err(e) => return Err(e.into()),
    };
    let prefix = project
        .root()
        .strip_prefix(std::fs::canonicalize(&config.root).unwrap_or(config.root.clone()))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let diff = change
        .files
        .iter()
        .filter(|f| f.kind != ChangeKind::Deleted && !f.added.is_empty())
        .filter_map(|f| {
            let local = match prefix.as_str() {
                "" => Some(f.path.as_str()),
                p => f.path.strip_prefix(&format!("{p}/")),
            }?;
            Some((local.to_string(), f.added.clone()))
        })
        .collect();
    let scope = Scope {
        diff: Some(diff),
        base: Some(change.base_source.clone()),
        paths: settings.paths.clone(),
        exclude: Scope::exclude_globs(&settings.exclude)?,
        ..Scope::default()
    };
    let files: Vec<FileMutants> = match &project {
        Project::Python(p) => engine::generate(p, &scope)?,
        Project::Rust(p) => rigor_mutate::rust::generate_all(p, &scope)?,
    };
    if files.is_empty() {
        eprintln!(
            "rigor ci: mutation: the change touches no mutable {} code",
            project.language()
        );
        return Ok(());
    }
    let output = config.root.join(&settings.output);
    let req = Request {
        jobs: if settings.jobs > 0 {
            settings.jobs as usize
        } else {
            jobs
        },
        settings,
        fresh: false,
        progress: false,
    };
    let out = match &project {
        Project::Python(p) => engine::run(config, store, p, &files, &req)?,
        Project::Rust(p) => rigor_mutate::rust::run(config, store, p, &files, &req)?,
    };
    let report = rigor_mutate::report::stryker::report(&files, &out);
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir).map_err(|e| PipelineError::io("create", dir, e))?;
    }
    let text = serde_json::to_string_pretty(&report).expect("a JSON value serialises");
    std::fs::write(&output, text).map_err(|e| PipelineError::io("write", &output, e))?;
    let s = out.summary;
    eprintln!(
        "rigor ci: mutation: {} mutants of the change, score {} ({} survived) → {}",
        s.mutants,
        s.score.map_or("n/a".into(), |v| format!("{v:.1}%")),
        s.survived + s.no_coverage,
        output.display()
    );
    Ok(())
}

/// The project whose change is mutated: a pytest suite's package, else a Cargo package.
enum Project {
    Python(PyProject),
    Rust(RustProject),
}

impl Project {
    fn root(&self) -> &std::path::Path {
        match self {
            Project::Python(p) => &p.root,
            Project::Rust(p) => &p.root,
        }
    }

    fn language(&self) -> &'static str {
        match self {
            Project::Python(_) => "Python",
            Project::Rust(_) => "Rust",
        }
    }
}
