//! `rigor mutate`: mutation testing scoped to a change, a file or a function.

use crate::args::Format;
use crate::args::mutate::MutateArgs;
use anyhow::{Context, Result};
use rigor_model::{Config, MutateConfig, exit};
use rigor_mutate::MutateError;
use rigor_mutate::engine::{self, Request};
use rigor_mutate::project::PyProject;
use rigor_mutate::report;
use rigor_mutate::rust::project::{RustProject, is_cargo_project};
use rigor_mutate::scope::Scope;
use std::path::Path;

pub fn run(config: &Config, args: &MutateArgs) -> Result<i32> {
    let (settings, warnings, _) = MutateConfig::from_config(config)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let project = match PyProject::discover(config) {
        Ok(p) => p,
        Err(_) if is_cargo_project(&config.root) => return run_rust(config, args, settings),
        Err(e) => return Err(e.into()),
    };
    let scope = scope(&project.root, &settings, args)?;
    let files = engine::generate(&project, &scope)?;
    if args.list {
        return list(&files, args);
    }
    if files.is_empty() {
        return Err(nothing(
            &scope,
            "Python",
            "mutants are made inside function bodies of the suite's non-test files",
        ));
    }
    let (req, min_score) = request(config, args, settings);
    let mut store = super::open_store(config)?;
    let out = engine::run(config, &mut store, &project, &files, &req)?;
    finish(&files, &out, &scope, args, min_score)
}

/// Nothing to mutate in scope: exit 4 with what was looked at.
fn nothing(scope: &Scope, language: &str, where_made: &str) -> anyhow::Error {
    MutateError::Nothing {
        reason: if scope.diff.is_some() {
            format!("the change touches no mutable {language} code")
        } else {
            format!("no mutable {language} code in scope")
        },
        hint: format!("{where_made}; `rigor mutate --list` shows them"),
    }
    .into()
}

/// The run's request (workers from `--jobs`, `[mutate] jobs`, else the machine) and the score
/// threshold.
fn request(config: &Config, args: &MutateArgs, settings: MutateConfig) -> (Request, Option<f64>) {
    let jobs = args
        .jobs
        .or((settings.jobs > 0).then_some(settings.jobs as usize))
        .unwrap_or_else(|| config.jobs());
    let min_score = args.min_score.or(settings.min_score);
    let req = Request {
        settings,
        jobs,
        fresh: args.fresh,
        progress: args.format == Format::Text,
    };
    (req, min_score)
}

fn list(files: &[engine::FileMutants], args: &MutateArgs) -> Result<i32> {
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report::json::list(files))?
        ),
        Format::Text => print!("{}", report::text::list(files)),
    }
    Ok(exit::OK)
}

/// A Cargo package: syn mutants, one schemata build, libtest binaries.
fn run_rust(config: &Config, args: &MutateArgs, settings: MutateConfig) -> Result<i32> {
    let project = RustProject::discover(&config.root)?;
    let scope = scope(&project.root, &settings, args)?;
    let files = rigor_mutate::rust::generate_all(&project, &scope)?;
    if args.list {
        return list(&files, args);
    }
    if files.is_empty() {
        return Err(nothing(
            &scope,
            "Rust",
            "mutants are made inside function bodies of the package's src/ files",
        ));
    }
    let (req, min_score) = request(config, args, settings);
    let mut store = super::open_store(config)?;
    let out = rigor_mutate::rust::run(config, &mut store, &project, &files, &req)?;
    finish(&files, &out, &scope, args, min_score)
}

/// Write the report, print the outcome, and say whether the score passes.
fn finish(
    files: &[engine::FileMutants],
    out: &engine::Outcome,
    scope: &Scope,
    args: &MutateArgs,
    min_score: Option<f64>,
) -> Result<i32> {
    if let Some(path) = &args.output {
        let text = serde_json::to_string_pretty(&report::stryker::report(files, out))?;
        std::fs::write(path, text)
            .with_context(|| format!("cannot write the mutation report {}", path.display()))?;
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report::json::run(files, out, scope.base.as_deref()))?
        ),
        Format::Text => print!("{}", report::text::run(files, out)),
    }
    let below = match (min_score, out.summary.score) {
        (Some(min), Some(s)) => s < min,
        _ => false,
    };
    Ok(if below { exit::FAILED } else { exit::OK })
}

/// `--file` paths relative to the suite root (given relative to it or to the working
/// directory).
fn scope(root: &Path, settings: &MutateConfig, args: &MutateArgs) -> Result<Scope> {
    let cwd = std::env::current_dir()?;
    let files = args
        .file
        .iter()
        .map(|f| {
            let abs = if f.is_absolute() {
                f.clone()
            } else {
                cwd.join(f)
            };
            match std::fs::canonicalize(&abs) {
                Ok(p) if p.starts_with(root) => p
                    .strip_prefix(root)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default(),
                _ => f.to_string_lossy().replace('\\', "/"),
            }
        })
        .collect();
    let (diff, base) = if args.diff {
        let (d, b) = Scope::diff_lines(root, args.base.as_deref())?;
        (Some(d), Some(b))
    } else {
        (None, None)
    };
    Ok(Scope {
        diff,
        base,
        files,
        functions: args.function.clone(),
        paths: settings.paths.clone(),
        exclude: Scope::exclude_globs(&settings.exclude)?,
    })
}
