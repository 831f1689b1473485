//! A small driver over the rigor-select API, used by `bench/selection` (and a model for wiring
//! `rigor plan`): record a run, import a coverage map, plan a change.
//!
//! ```text
//! plan record  --store DB --results FILE.jsonl --suite S [--commit SHA] [--branch B]
//! plan import-coverage --store DB --dir DIR --suite S --commit SHA --root SUITE_ROOT
//! plan plan    --store DB --root ROOT --suite NAME:KIND:ROOT... --tests FILE.jsonl
//!              [--base REV] [--branch B] [--no-coverage] [--no-symbols] [--explain ID]
//! ```
//! Result lines are JSON objects `{"suite", "id", "outcome", "duration_s"}`; test lines are
//! `{"suite", "id", "file"}`. `plan` prints the plan JSON; timings go to stderr.

use rigor_model::{Outcome, SuiteKind, TestCase, TestKey, TestResult};
use rigor_select::{ChangeSet, History, Plan, SelectConfig, SelectInput, SuiteSpec, select};
use rigor_store::{NewRun, RunStatus, Store};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn args_all(args: &[String], name: &str) -> Vec<String> {
    args.iter()
        .enumerate()
        .filter(|(_, a)| *a == name)
        .filter_map(|(i, _)| args.get(i + 1).cloned())
        .collect()
}

fn need(args: &[String], name: &str) -> String {
    arg(args, name).unwrap_or_else(|| {
        eprintln!("missing {name}");
        std::process::exit(2)
    })
}

fn json_lines(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(2)
    });
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect()
}

fn s(v: &serde_json::Value, k: &str) -> String {
    v.get(k)
        .and_then(|x| x.as_str())
        .unwrap_or_default()
        .to_string()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().cloned().unwrap_or_default();
    let store_path = PathBuf::from(need(&args, "--store"));
    let mut store = Store::open(&store_path)?;
    match cmd.as_str() {
        "record" => {
            let suite = need(&args, "--suite");
            let results: Vec<TestResult> = json_lines(Path::new(&need(&args, "--results")))
                .iter()
                .map(|v| {
                    let mut r = TestResult::new(
                        TestKey::new(suite.clone(), s(v, "id")),
                        Outcome::parse(&s(v, "outcome")).unwrap_or(Outcome::Error),
                        v.get("duration_s").and_then(|d| d.as_f64()).unwrap_or(0.0),
                    );
                    r.file = Some(
                        s(v, "id")
                            .split("::")
                            .next()
                            .unwrap_or_default()
                            .to_string(),
                    );
                    r
                })
                .collect();
            let run = store.begin_run(&NewRun {
                started_at: 0.0,
                commit: arg(&args, "--commit"),
                branch: arg(&args, "--branch"),
                base: None,
                trigger: "local".into(),
                shard: None,
                env: None,
                args: None,
            })?;
            store.record_results(run, &results)?;
            store.finish_run(run, RunStatus::Passed, 1.0)?;
            println!("{{\"run\": {run}, \"results\": {}}}", results.len());
        }
        "import-coverage" => {
            let imp = rigor_select::import_coverage_map(
                &mut store,
                Path::new(&need(&args, "--dir")),
                &need(&args, "--suite"),
                &need(&args, "--commit"),
                Path::new(&need(&args, "--root")),
            )?;
            println!("{}", serde_json::to_string(&imp)?);
        }
        "plan" => {
            let t0 = Instant::now();
            let root = PathBuf::from(need(&args, "--root"));
            let suites: Vec<SuiteSpec> = args_all(&args, "--suite")
                .iter()
                .map(|s| {
                    let parts: Vec<&str> = s.splitn(3, ':').collect();
                    let kind = match parts.get(1).copied().unwrap_or("pytest") {
                        "nextest" => SuiteKind::Nextest,
                        "cargo-test" => SuiteKind::CargoTest,
                        "command" => SuiteKind::Command,
                        _ => SuiteKind::Pytest,
                    };
                    SuiteSpec::new(parts[0], kind, parts.get(2).copied().unwrap_or("."))
                })
                .collect();
            let tests: Vec<TestCase> = json_lines(Path::new(&need(&args, "--tests")))
                .iter()
                .map(|v| {
                    let mut t = TestCase::new(&s(v, "suite"), &s(v, "id"));
                    let f = s(v, "file");
                    t.file = (!f.is_empty()).then_some(f);
                    t
                })
                .collect();
            let change = ChangeSet::detect(&root, arg(&args, "--base").as_deref())?;
            let t_change = t0.elapsed();
            let branch = arg(&args, "--branch");
            let mut history = History::load(&mut store, branch.as_deref(), 50)?;
            let mut config = SelectConfig::default();
            if args.iter().any(|a| a == "--no-symbols") {
                config.symbols = false;
            }
            if args.iter().any(|a| a == "--no-coverage") {
                config.coverage_map = false;
            } else {
                for s in suites.iter().filter(|s| s.kind == SuiteKind::Pytest) {
                    let spec = s.clone();
                    history.load_coverage(&mut store, &s.name, &change, &move |p| spec.local(p))?;
                }
            }
            let _ = history.load_churn(&root, 200);
            let t_hist = t0.elapsed();
            let sel = select(
                &SelectInput {
                    root: &root,
                    config: &config,
                    suites: &suites,
                    history: &history,
                },
                &change,
                &tests,
            )?;
            let mut estimates: HashMap<TestKey, f64> = HashMap::new();
            for s in &suites {
                estimates.extend(store.duration_estimates(&s.name)?);
            }
            let plan = Plan::new(&sel, &estimates, 0.1);
            let t_all = t0.elapsed();
            if let Some(id) = arg(&args, "--explain") {
                let key = tests
                    .iter()
                    .find(|t| t.key.id == id)
                    .map(|t| t.key.clone())
                    .unwrap_or(TestKey::new("?", id));
                eprintln!("{}", sel.explain(&key));
            }
            eprintln!(
                "timing: change {:.3}s, history {:.3}s, total {:.3}s",
                t_change.as_secs_f64(),
                (t_hist - t_change).as_secs_f64(),
                t_all.as_secs_f64()
            );
            println!("{}", serde_json::to_string(&plan)?);
        }
        other => {
            eprintln!("unknown command `{other}`: record | import-coverage | plan");
            std::process::exit(2);
        }
    }
    Ok(())
}
