//! Import the result files of CI shards into the history (`rigor merge`), so the next plan
//! has every test's duration. Each file becomes one run (trigger `merge`). Every file is read
//! and checked before anything is written.

use rigor_model::exit::{self, HasExitCode};
use rigor_model::{Config, Outcome, TestKey, TestResult};
use rigor_store::{NewRun, RunStatus, Store};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MergeError {
    #[error("cannot read {path}: {source}\n  hint: pass the result files the shards wrote")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: malformed {format}: {message}\n  hint: {hint}")]
    Malformed {
        path: String,
        line: usize,
        column: usize,
        format: &'static str,
        message: String,
        hint: &'static str,
    },
    #[error(transparent)]
    Junit(#[from] rigor_gate::GateError),
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
}

impl HasExitCode for MergeError {
    fn exit_code(&self) -> i32 {
        match self {
            MergeError::Read { .. } | MergeError::Store(_) => exit::USAGE,
            MergeError::Malformed { .. } => exit::BAD_INPUT,
            MergeError::Junit(e) => e.exit_code(),
        }
    }
}

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
#[derive(Debug, Clone)]
pub struct Imported {
    pub results: Vec<TestResult>,
    pub status: RunStatus,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub wall_s: f64,
}

/// One imported file.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub path: PathBuf,
    pub results: usize,
    pub run_id: i64,
}

const RUN_JSON_HINT: &str = "expected the output of `rigor run --format json` (schema rigor.run/1)";

fn malformed(path: &Path, line: usize, column: usize, message: String) -> MergeError {
    MergeError::Malformed {
        path: path.display().to_string(),
        line,
        column,
        format: "rigor run JSON",
        message,
        hint: RUN_JSON_HINT,
    }
}

fn read_rigor_json(path: &Path, text: &str) -> Result<Imported, MergeError> {
    let f: RunFile = serde_json::from_str(text)
        .map_err(|e| malformed(path, e.line(), e.column(), e.to_string()))?;
    if !f.schema.starts_with("rigor.run/") {
        return Err(malformed(
            path,
            1,
            1,
            format!("schema `{}` is not a rigor run", f.schema),
        ));
    }
    let mut results = Vec::new();
    for (i, t) in f.tests.into_iter().enumerate() {
        let outcome = Outcome::parse(&t.outcome).ok_or_else(|| {
            malformed(
                path,
                1,
                1,
                format!("tests[{i}]: unknown outcome `{}`", t.outcome),
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

fn read_junit(path: &Path, text: &str) -> Result<Imported, MergeError> {
    let cases = rigor_gate::readers::junit::read_junit(&path.display().to_string(), text)?;
    let results: Vec<TestResult> = cases
        .iter()
        .map(|c| {
            let mut r = TestResult::new(
                TestKey::new(c.suite.clone(), junit_id(c)),
                c.outcome,
                c.time_s,
            );
            r.attempts = c.attempts;
            r.file = c.file.clone();
            r.line = c.line;
            r.excerpt = c.message.clone();
            r
        })
        .collect();
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

/// Read one result file (rigor JSON or JUnit XML, sniffed from its first character) without
/// recording it.
pub fn read_file(path: &Path) -> Result<Imported, MergeError> {
    let bytes = std::fs::read(path).map_err(|source| MergeError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse(path, bytes)
}

/// Read a result file's content (rigor run JSON or JUnit XML); `path` names it in errors
/// (`path:line:column`). Writes nothing.
pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<Imported, MergeError> {
    // Not UTF-8 is malformed input (exit 3), located, not an unreadable path.
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        MergeError::Malformed {
            path: path.display().to_string(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            column: String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1,
            format: "result file",
            message: "the file is not valid UTF-8".into(),
            hint: "rigor merge reads `rigor run --format json` output and JUnit XML, as UTF-8",
        }
    })?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        read_rigor_json(path, &text)
    } else if trimmed.starts_with('<') {
        read_junit(path, &text)
    } else {
        Err(MergeError::Malformed {
            path: path.display().to_string(),
            line: 1,
            column: 1,
            format: "result file",
            message: "neither JSON nor XML".into(),
            hint: "rigor merge reads `rigor run --format json` output and JUnit XML",
        })
    }
}

/// Read every file, then record each as a run. Nothing is written when any file is malformed.
pub fn merge(
    config: &Config,
    store: &mut Store,
    files: &[PathBuf],
) -> Result<Vec<Merged>, MergeError> {
    let imported = files
        .iter()
        .map(|p| read_file(p).map(|i| (p, i)))
        .collect::<Result<Vec<_>, _>>()?;
    let now = rigor_runner::run::now_s();
    let checkout = rigor_vcs::Checkout::detect(&config.root);
    let mut out = Vec::new();
    for (path, mut one) in imported {
        one.commit = one.commit.or_else(|| checkout.commit.clone());
        one.branch = one.branch.or_else(|| checkout.branch.clone());
        let args = format!("rigor merge {}", path.display());
        let run = record(store, &one, "merge", &args, now)?;
        out.push(Merged {
            path: path.clone(),
            results: one.results.len(),
            run_id: run,
        });
    }
    Ok(out)
}

/// Record one imported file as a finished run (trigger `trigger`), ending at `now`.
pub fn record(
    store: &mut Store,
    one: &Imported,
    trigger: &str,
    args: &str,
    now: f64,
) -> Result<i64, MergeError> {
    let run = store.begin_run(&NewRun {
        started_at: now - one.wall_s,
        commit: one.commit.clone(),
        branch: one.branch.clone(),
        base: None,
        trigger: trigger.into(),
        shard: None,
        env: None,
        args: Some(args.into()),
    })?;
    store.record_results(run, &one.results)?;
    store.finish_run(run, one.status, now)?;
    Ok(run)
}
