//! `rigor merge FILES…`: import the result files of CI shards into the history, so the next
//! plan has every test's duration. Each file becomes one run (trigger `merge`).

use crate::cli::MergeArgs;
use anyhow::{Context, Result, bail};
use rigor_model::{Config, Outcome, TestKey, TestResult, exit};
use rigor_store::{NewRun, RunStatus};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct RunFile {
    schema: String,
    status: String,
    commit: Option<String>,
    branch: Option<String>,
    #[serde(default)]
    wall_s: f64,
    tests: Vec<RunFileTest>,
}

#[derive(Deserialize)]
struct RunFileTest {
    suite: String,
    id: String,
    outcome: String,
    duration_s: f64,
    #[serde(default = "one")]
    attempts: u32,
    file: Option<String>,
    line: Option<u32>,
    excerpt: Option<String>,
    tier: Option<String>,
}

fn one() -> u32 {
    1
}

/// A file's results and what is known of its run.
struct Imported {
    results: Vec<TestResult>,
    status: RunStatus,
    commit: Option<String>,
    branch: Option<String>,
    wall_s: f64,
}

fn read_rigor_json(path: &Path, text: &str) -> Result<Imported> {
    let f: RunFile = serde_json::from_str(text).map_err(|e| {
        anyhow::Error::new(rigor_gate::GateError::Malformed {
            file: path.display().to_string(),
            pos: rigor_gate::error::Pos {
                line: e.line(),
                column: e.column(),
            },
            format: "rigor run JSON",
            message: e.to_string(),
            hint: "expected the output of `rigor run --format json` (schema rigor.run/1)".into(),
        })
    })?;
    if !f.schema.starts_with("rigor.run/") {
        bail!(
            "{}: schema `{}` is not a rigor run\n  hint: expected rigor.run/1",
            path.display(),
            f.schema
        );
    }
    let mut results = Vec::new();
    for (i, t) in f.tests.into_iter().enumerate() {
        let outcome = Outcome::parse(&t.outcome).with_context(|| {
            format!(
                "{}: tests[{i}]: unknown outcome `{}`",
                path.display(),
                t.outcome
            )
        })?;
        let mut r = TestResult::new(TestKey::new(t.suite, t.id), outcome, t.duration_s);
        r.attempts = t.attempts;
        r.file = t.file;
        r.line = t.line;
        r.excerpt = t.excerpt;
        r.tier = t.tier;
        results.push(r);
    }
    let status = match f.status.as_str() {
        "passed" => RunStatus::Passed,
        "failed" => RunStatus::Failed,
        "interrupted" => RunStatus::Interrupted,
        _ => RunStatus::Error,
    };
    Ok(Imported {
        results,
        status,
        commit: f.commit,
        branch: f.branch,
        wall_s: f.wall_s,
    })
}

/// JUnit test ids back to runner ids: pytest (classname = dotted module + classes, with file),
/// rigor's own Rust ids (classname = binary id), else `classname::name`.
fn junit_id(case: &rigor_gate::readers::junit::JunitCase) -> String {
    let class = case.classname.clone().unwrap_or_default();
    if let Some(file) = case.file.as_deref().filter(|f| f.ends_with(".py")) {
        let module = file.trim_end_matches(".py").replace('/', ".");
        let rest = class
            .strip_prefix(&module)
            .unwrap_or("")
            .trim_start_matches('.');
        let mut id = file.to_string();
        for part in rest.split('.').filter(|p| !p.is_empty()) {
            id.push_str("::");
            id.push_str(part);
        }
        return format!("{id}::{}", case.name);
    }
    if class.is_empty() || class == case.suite {
        return case.name.clone();
    }
    if class.contains("::") || !class.contains('.') {
        return format!("{class} {}", case.name);
    }
    case.id()
}

fn read_junit(path: &Path, text: &str) -> Result<Imported> {
    let cases = rigor_gate::readers::junit::read_junit(&path.display().to_string(), text)?;
    let mut results = Vec::new();
    for c in &cases {
        let mut r = TestResult::new(
            TestKey::new(c.suite.clone(), junit_id(c)),
            c.outcome,
            c.time_s,
        );
        r.attempts = c.attempts;
        r.file = c.file.clone();
        r.line = c.line;
        r.excerpt = c.message.clone();
        results.push(r);
    }
    let status = if results.iter().any(|r| r.outcome.is_failure()) {
        RunStatus::Failed
    } else {
        RunStatus::Passed
    };
    let wall_s = results.iter().map(|r| r.duration_s).sum();
    Ok(Imported {
        results,
        status,
        commit: None,
        branch: None,
        wall_s,
    })
}

pub fn run(config: &Config, args: &MergeArgs) -> Result<i32> {
    // Read and check every file before writing anything.
    let mut imported = Vec::new();
    for path in &args.files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let trimmed = text.trim_start();
        let one = if trimmed.starts_with('{') {
            read_rigor_json(path, &text)?
        } else if trimmed.starts_with('<') {
            read_junit(path, &text)?
        } else {
            return Err(anyhow::Error::new(rigor_gate::GateError::Malformed {
                file: path.display().to_string(),
                pos: rigor_gate::error::Pos { line: 1, column: 1 },
                format: "result file",
                message: "neither JSON nor XML".into(),
                hint: "rigor merge reads `rigor run --format json` output and JUnit XML".into(),
            }));
        };
        imported.push((path, one));
    }
    let mut store = super::open_store(config)?;
    let now = rigor_runner::run::now_s();
    let commit = rigor_runner::git::commit(&config.root);
    let branch = rigor_runner::git::branch(&config.root);
    for (path, one) in imported {
        let run = store.begin_run(&NewRun {
            started_at: now - one.wall_s,
            commit: one.commit.or_else(|| commit.clone()),
            branch: one.branch.or_else(|| branch.clone()),
            base: None,
            trigger: "merge".into(),
            shard: None,
            env: None,
            args: Some(format!("rigor merge {}", path.display())),
        })?;
        store.record_results(run, &one.results)?;
        store.finish_run(run, one.status, now)?;
        println!(
            "{}: {} results imported as run #{run}",
            path.display(),
            one.results.len()
        );
    }
    Ok(exit::OK)
}
