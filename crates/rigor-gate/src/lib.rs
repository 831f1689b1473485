//! rigor's quality gates: artifact readers, changed-line coverage, gate evaluation over test,
//! coverage, performance, security, mutation and lint results, and the reports people read.
//!
//! `rigor gate` and `rigor report` live in [`cli`]. `rigor ci` calls, after its tests, either the
//! whole step at once:
//!
//! ```no_run
//! # fn demo(config: &rigor_model::Config, run_id: i64) -> Result<i32, rigor_gate::GateError> {
//! // evaluate, record, write [report] outputs, print the table (+ GitHub annotations)
//! let (report, code) = rigor_gate::gate_after_tests(config, Some(run_id), None, &mut std::io::stdout())?;
//! # Ok(code) }
//! ```
//!
//! or the parts:
//!
//! ```no_run
//! # fn demo(config: &rigor_model::Config, run_id: i64) -> Result<i32, rigor_gate::GateError> {
//! let report = rigor_gate::evaluate_configured(config, Some(run_id), None)?;
//! rigor_gate::record_report(config, &report)?;                            // gate history
//! let annotations = rigor_gate::write_configured_outputs(config, &report)?; // [report] files, step summary
//! print!("{}{annotations}", rigor_gate::output::terminal(&report));
//! let code = if report.passed { rigor_model::exit::OK } else { rigor_model::exit::FAILED };
//! # Ok(code) }
//! ```

pub mod cli;
pub mod config;
pub mod diff;
pub mod error;
pub mod eval;
pub mod history;
pub mod html;
pub mod model;
pub mod output;
pub mod readers;

pub use error::GateError;
pub use model::{GateReport, GateResult, Verdict};

use config::{Components, Settings};
use error::Result;
use eval::{Inputs, TestOutcome, TestsInput};
use model::InputFile;
use readers::Kind;
use readers::coverage::Coverage;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// Artifacts and choices given on the command line (they override discovery).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub coverage: Vec<PathBuf>,
    pub junit: Vec<PathBuf>,
    pub sarif: Vec<PathBuf>,
    pub audit: Vec<PathBuf>,
    pub mutation: Vec<PathBuf>,
    pub perf: Vec<PathBuf>,
    pub advisories: Option<PathBuf>,
    /// Base revision of the change (`--base`).
    pub base: Option<String>,
    /// Run whose test results feed the tests gate (default: the last finished run).
    pub run_id: Option<i64>,
    /// Ignore the history's runs (tests only from JUnit files).
    pub no_run: bool,
    /// Do not compute changed lines.
    pub no_diff: bool,
}

/// Evaluate the configured gates over discovered artifacts, the given (or last finished) run of
/// the history and the change against `base` (default: CI variables, merge-base, HEAD~1).
/// Warnings about unknown configuration keys are printed to stderr. Nothing is recorded: call
/// [`record_report`] for the gate history and [`write_configured_outputs`] for the files.
pub fn evaluate_configured(
    config: &rigor_model::Config,
    run_id: Option<i64>,
    base: Option<&str>,
) -> Result<GateReport> {
    let (settings, warnings) = Settings::load(config)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let ov = Overrides {
        run_id,
        base: base.map(str::to_string),
        ..Default::default()
    };
    evaluate_with(config, &settings, &ov, &|k| std::env::var(k).ok())
}

/// The gate step of `rigor ci`: evaluate the configured gates for `run_id`, record the evaluation,
/// write the `[report]` outputs, print the terminal table (and GitHub annotations) to `out`, and
/// return the report with the exit code: [`rigor_model::exit::FAILED`] when a blocking gate
/// failed, else [`rigor_model::exit::OK`]. When no gate has an input (a project without
/// artifacts), nothing is recorded and the code is OK: the tests already decided the run.
pub fn gate_after_tests(
    config: &rigor_model::Config,
    run_id: Option<i64>,
    base: Option<&str>,
    out: &mut dyn std::io::Write,
) -> Result<(GateReport, i32)> {
    let report = evaluate_configured(config, run_id, base)?;
    if report.evaluated() == 0 {
        return Ok((report, rigor_model::exit::OK));
    }
    record_report(config, &report)?;
    let annotations = write_configured_outputs(config, &report)?;
    let text = format!("{}{annotations}", output::terminal(&report));
    out.write_all(text.as_bytes())
        .map_err(|source| GateError::Write {
            path: "standard output".into(),
            source,
        })?;
    let code = if report.passed {
        rigor_model::exit::OK
    } else {
        rigor_model::exit::FAILED
    };
    Ok((report, code))
}

/// Record a report in the gate history (`.rigor/history.db`).
pub fn record_report(config: &rigor_model::Config, report: &GateReport) -> Result<i64> {
    let mut store = rigor_store::Store::open(&config.sqlite_path()?)?;
    history::record(&mut store, report, history::now())
}

/// Write the outputs configured in `[report]` (paths relative to the project root), append the
/// Markdown to `$GITHUB_STEP_SUMMARY` when it is set (unless `report.github = "never"`), and return
/// the GitHub annotations to print on stdout when on GitHub Actions (or `report.github = "always"`).
pub fn write_configured_outputs(
    config: &rigor_model::Config,
    report: &GateReport,
) -> Result<String> {
    let (settings, _) = Settings::load(config)?;
    let r = &settings.report;
    let root = &config.root;
    let files: [(&Option<String>, output::Render); 5] = [
        (&r.markdown, output::markdown),
        (&r.json, output::json),
        (&r.junit, output::junit),
        (&r.sarif, output::sarif),
        (&r.gitlab, output::gitlab),
    ];
    for (path, render) in files {
        if let Some(p) = path {
            write_file(&root.join(p), &render(report))?;
        }
    }
    if r.github == "never" {
        return Ok(String::new());
    }
    // the step summary whenever the runner provides one
    if let Ok(summary) = std::env::var("GITHUB_STEP_SUMMARY")
        && !summary.is_empty()
    {
        append_file(Path::new(&summary), &output::markdown(report))?;
    }
    let on_github =
        r.github == "always" || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    Ok(if on_github {
        output::github(report)
    } else {
        String::new()
    })
}

pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|source| GateError::Write {
            path: d.display().to_string(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| GateError::Write {
        path: path.display().to_string(),
        source,
    })
}

pub(crate) fn append_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| GateError::Write {
            path: path.display().to_string(),
            source,
        })?;
    f.write_all(format!("{text}\n").as_bytes())
        .map_err(|source| GateError::Write {
            path: path.display().to_string(),
            source,
        })
}

/// Lexically clean a path (drop `.`, resolve `..`).
fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A report's path as a repository-relative path with `/` separators.
pub fn normalize_path(p: &str, project_root: &Path, repo_root: Option<&Path>) -> String {
    let p = p.replace('\\', "/");
    let p = p.strip_prefix("file://").unwrap_or(&p);
    let abs = if Path::new(p).is_absolute() {
        clean(Path::new(p))
    } else {
        clean(&project_root.join(p))
    };
    let bases: Vec<PathBuf> = [
        repo_root.map(Path::to_path_buf),
        Some(project_root.to_path_buf()),
    ]
    .into_iter()
    .flatten()
    .flat_map(|b| {
        let canon = b.canonicalize().ok();
        [Some(clean(&b)), canon].into_iter().flatten()
    })
    .collect();
    // the repository root first: its relative paths are what git diff prints
    for b in &bases {
        if let Ok(rel) = abs.strip_prefix(b) {
            return rel.to_string_lossy().replace('\\', "/");
        }
    }
    p.trim_start_matches("./").to_string()
}

fn discover(root: &Path, candidates: &[String], all: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for c in candidates {
        let p = root.join(c);
        if p.is_file() {
            out.push(p);
            if !all {
                break;
            }
        }
    }
    out
}

struct Read {
    path: PathBuf,
    label: String,
    text: String,
    kind: Kind,
}

fn read_as(path: &Path, root: &Path, allowed: &[Kind], what: &str) -> Result<Read> {
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    let text = readers::read_text(&full)?;
    let label = path.display().to_string();
    let kind = match readers::sniff(&full, &text) {
        Some(k) if allowed.contains(&k) => k,
        // empty or unrecognisable: read with the first allowed reader to get a located error
        None if allowed.len() == 1 => allowed[0],
        None => {
            // guess by extension for a located parse error
            let ext = full
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            allowed
                .iter()
                .copied()
                .find(|k| match ext.as_str() {
                    "xml" => matches!(k, Kind::Cobertura | Kind::Junit),
                    "info" | "lcov" => *k == Kind::Lcov,
                    _ => !matches!(k, Kind::Cobertura | Kind::Junit | Kind::Lcov),
                })
                .unwrap_or(allowed[0])
        }
        Some(other) => {
            return Err(GateError::malformed(
                &label,
                error::Pos { line: 1, column: 1 },
                "artifact",
                format!("given as {what}, but it looks like {}", other.as_str()),
                format!("pass it with the flag for {}", other.as_str()),
            ));
        }
    };
    Ok(Read {
        path: full,
        label,
        text,
        kind,
    })
}

const COVERAGE_KINDS: &[Kind] = &[Kind::CoveragePyJson, Kind::Cobertura, Kind::Lcov];
const AUDIT_KINDS: &[Kind] = &[Kind::CargoAudit, Kind::PipAudit, Kind::OsvScanner];
const MUTATION_KINDS: &[Kind] = &[Kind::Stryker, Kind::CargoMutants, Kind::Mutmut];

/// Evaluate with explicit settings and overrides; `env` reads CI variables.
pub fn evaluate_with(
    config: &rigor_model::Config,
    settings: &Settings,
    ov: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<GateReport> {
    let root = config.root.as_path();
    let a = &settings.artifacts;
    let pick = |given: &[PathBuf], cands: &[String], all: bool| -> Vec<PathBuf> {
        if given.is_empty() {
            discover(root, cands, all)
        } else {
            given.to_vec()
        }
    };
    let repo_root = diff::repo_root(root).ok();
    let norm = |p: &str| normalize_path(p, root, repo_root.as_deref());
    let mut inputs = Inputs::default();
    let seen = |r: &Read, inputs: &mut Inputs| {
        inputs.inputs.push(InputFile {
            path: r.label.clone(),
            kind: r.kind.as_str().into(),
        });
    };

    // Parse every artifact before anything else: a malformed one stops here, nothing recorded.
    let mut coverage: Option<Coverage> = None;
    for p in pick(&ov.coverage, &a.coverage, false) {
        let r = read_as(&p, root, COVERAGE_KINDS, "coverage")?;
        let cov = match r.kind {
            Kind::CoveragePyJson => {
                // paths are relative to where coverage ran: the report's directory or the root
                let dir = r.path.parent().unwrap_or(root).to_path_buf();
                let source = |p: &str| {
                    std::fs::read_to_string(dir.join(p))
                        .or_else(|_| std::fs::read_to_string(root.join(p)))
                        .ok()
                };
                readers::coverage::read_coveragepy_json_with_source(&r.label, &r.text, &source)?
            }
            Kind::Cobertura => {
                // relative <source> entries are relative to the report's directory
                let cov = readers::coverage::read_cobertura(&r.label, &r.text)?;
                rebase(cov, r.path.parent().unwrap_or(root), root)
            }
            _ => readers::coverage::read_lcov(&r.label, &r.text)?,
        };
        let mut normalized = Coverage::default();
        for (path, fc) in cov.files {
            normalized
                .files
                .entry(norm(&path))
                .or_default()
                .lines
                .extend(fc.lines);
        }
        seen(&r, &mut inputs);
        match &mut coverage {
            Some(c) => c.merge(normalized),
            None => coverage = Some(normalized),
        }
    }
    inputs.coverage = coverage;

    let mut junit_cases = Vec::new();
    let junit_files = pick(&ov.junit, &a.junit, false);
    for p in &junit_files {
        let r = read_as(p, root, &[Kind::Junit], "JUnit")?;
        junit_cases.extend(readers::junit::read_junit(&r.label, &r.text)?);
        seen(&r, &mut inputs);
    }

    let advisories = match ov
        .advisories
        .clone()
        .or(a.advisories.as_ref().map(|p| root.join(p)))
    {
        Some(p) => Some(readers::audit::Advisories::load(&p)?),
        None => None,
    };
    inputs.advisories_loaded = advisories.as_ref().is_some_and(|a| !a.is_empty());
    let mut findings = Vec::new();
    let mut any_findings_input = false;
    for p in pick(&ov.sarif, &a.sarif, true) {
        let r = read_as(&p, root, &[Kind::Sarif], "SARIF")?;
        let mut f = readers::sarif::read_sarif(&r.label, &r.text)?;
        for x in &mut f {
            x.file = x.file.as_deref().map(norm);
        }
        findings.extend(f);
        inputs.lint_read = true;
        any_findings_input = true;
        seen(&r, &mut inputs);
    }
    for p in pick(&ov.audit, &a.audit, true) {
        let r = read_as(&p, root, AUDIT_KINDS, "an audit")?;
        let f = match r.kind {
            Kind::CargoAudit => readers::audit::read_cargo_audit(&r.label, &r.text)?,
            Kind::PipAudit => {
                readers::audit::read_pip_audit(&r.label, &r.text, advisories.as_ref())?
            }
            _ => readers::audit::read_osv_scanner(&r.label, &r.text)?,
        };
        inputs.audit_tools.push(r.kind.as_str().into());
        findings.extend(f.into_iter().map(|mut x| {
            x.file = x.file.as_deref().map(norm);
            x
        }));
        any_findings_input = true;
        seen(&r, &mut inputs);
    }
    if any_findings_input {
        inputs.findings = Some(findings);
    }

    for p in pick(&ov.mutation, &a.mutation, false) {
        let r = read_as(&p, root, MUTATION_KINDS, "a mutation report")?;
        let mut m = match r.kind {
            Kind::Stryker => readers::mutation::read_stryker(&r.label, &r.text)?,
            Kind::CargoMutants => readers::mutation::read_cargo_mutants(&r.label, &r.text)?,
            _ => readers::mutation::read_mutmut(&r.label, &r.text)?,
        };
        m.files = std::mem::take(&mut m.files)
            .into_iter()
            .map(|(k, v)| (norm(&k), v))
            .collect();
        for s in &mut m.survivors {
            s.file = norm(&s.file);
        }
        inputs.mutation = Some(m);
        seen(&r, &mut inputs);
    }
    for p in pick(&ov.perf, &a.perf, false) {
        let r = read_as(&p, root, &[Kind::PerfCompare], "a perf comparison")?;
        inputs.perf = Some(readers::perf::read_perf_compare(&r.label, &r.text)?);
        seen(&r, &mut inputs);
    }

    // The change.
    let mut commit = None;
    let mut branch = None;
    if let Some(repo) = &repo_root {
        commit = git_line(repo, &["rev-parse", "HEAD"]);
        branch = git_line(repo, &["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD");
    }
    if !ov.no_diff {
        match &repo_root {
            Some(_) => match diff::resolve_base(root, ov.base.as_deref(), env) {
                Ok((label, sha)) => inputs.changed = Some(diff::changed_lines(root, &label, &sha)?),
                Err(e) if ov.base.is_some() => return Err(e),
                Err(e) => inputs.notes.push(format!(
                    "changed lines unknown: {}",
                    e.to_string().lines().next().unwrap_or("")
                )),
            },
            None if ov.base.is_some() => {
                return Err(GateError::Git {
                    message: format!(
                        "--base given but {} is not in a git repository",
                        root.display()
                    ),
                    hint: "run rigor gate inside the repository".into(),
                });
            }
            None => inputs
                .notes
                .push("not a git repository: changed-line coverage is not evaluated".into()),
        }
    }

    // History: the run's results, the base's coverage.
    let db = config.sqlite_path()?;
    let mut store = if db.exists() {
        Some(rigor_store::Store::open(&db)?)
    } else {
        None
    };
    let mut run_id = None;
    if !junit_cases.is_empty() || !junit_files.is_empty() {
        inputs.tests = Some(TestsInput {
            source: junit_files
                .iter()
                .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            results: junit_cases
                .iter()
                .map(|c| TestOutcome {
                    id: format!("{}::{}", c.suite, c.id()),
                    outcome: c.outcome,
                    duration_s: c.time_s,
                    start_s: None,
                    tier: None,
                    file: c.file.as_deref().map(norm),
                    line: c.line,
                    excerpt: c.message.clone(),
                })
                .collect(),
            wall_s: None,
        });
    } else if !ov.no_run
        && let Some(store) = &store
    {
        let run = match ov.run_id {
            Some(id) => Some(store.run(id)?.ok_or_else(|| {
                GateError::usage(
                    format!("run {id} is not in the history {}", db.display()),
                    "see `rigor history` for run ids",
                )
            })?),
            None => store.last_finished_run()?,
        };
        if let Some(run) = run {
            run_id = Some(run.id);
            let results = store.run_results(run.id)?;
            inputs.tests = Some(TestsInput {
                source: format!("run {}", run.id),
                wall_s: run.finished_at.map(|f| f - run.started_at),
                results: results
                    .into_iter()
                    .map(|r| TestOutcome {
                        id: format!("{}::{}", r.suite, r.id),
                        outcome: r.outcome,
                        duration_s: r.duration_s,
                        start_s: r.start_s,
                        tier: r.tier,
                        file: r.file.as_deref().map(norm),
                        line: r.line,
                        excerpt: r.excerpt,
                    })
                    .collect(),
            });
        }
    }
    if let (Some(store), Some(ch)) = (store.as_mut(), &inputs.changed) {
        let base_branch = base_branch_name(&ch.base_label);
        inputs.base_coverage =
            history::base_value(store, "coverage", &ch.base_sha, base_branch.as_deref())?;
    }

    // quarantined tests: the configured list plus the quarantines in force in the history
    // (`rigor flaky`); they still run, their failures do not fail the tests gate
    let mut quarantine: HashSet<String> = settings.gates.tests.quarantine.iter().cloned().collect();
    if let Some(store) = &store {
        for q in store.active_quarantines(history::now())? {
            quarantine.insert(format!("{}::{}", q.suite, q.id));
        }
    }
    let comps = Components::build(&settings.components)?;
    let mut gates = settings.gates.clone();
    if gates.tests.critical_budget.is_none() {
        // the tier's own budget from [tiers], else the strategy's 30 s
        let tier_budget = config
            .raw(&format!("tiers.{}.budget", gates.tests.critical_tier))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        gates.tests.critical_budget = Some(tier_budget.unwrap_or_else(|| "30s".into()));
    }
    let mut report = eval::evaluate(&gates, &comps, inputs, &quarantine);
    report.run_id = run_id;
    report.commit = commit;
    report.branch = branch;
    Ok(report)
}

/// Cobertura's relative `<source>` is relative to where coverage ran, usually the report's
/// directory; make such paths relative to the project root.
fn rebase(cov: Coverage, report_dir: &Path, root: &Path) -> Coverage {
    let mut out = Coverage::default();
    for (p, fc) in cov.files {
        let path = Path::new(&p);
        let np =
            if path.is_absolute() || root.join(path).exists() || !report_dir.join(path).exists() {
                p
            } else {
                report_dir.join(path).to_string_lossy().into_owned()
            };
        out.files.insert(np, fc);
    }
    out
}

fn base_branch_name(label: &str) -> Option<String> {
    if let Some(r) = label.strip_prefix("GITHUB_BASE_REF=") {
        return Some(r.to_string());
    }
    label
        .strip_prefix("merge-base with ")
        .map(|b| b.trim_start_matches("origin/").to_string())
}

fn git_line(dir: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_paths_become_repository_relative() {
        let repo = Path::new("/repo");
        let proj = Path::new("/repo/py");
        assert_eq!(
            normalize_path("/repo/py/pkg/a.py", proj, Some(repo)),
            "py/pkg/a.py"
        );
        assert_eq!(normalize_path("pkg/a.py", proj, Some(repo)), "py/pkg/a.py");
        assert_eq!(
            normalize_path("./pkg/../pkg/a.py", proj, Some(repo)),
            "py/pkg/a.py"
        );
        assert_eq!(
            normalize_path("pkg\\win.py", proj, Some(repo)),
            "py/pkg/win.py"
        );
        assert_eq!(
            normalize_path("file:///repo/x.rs", proj, Some(repo)),
            "x.rs"
        );
        assert_eq!(
            normalize_path("/elsewhere/a.py", proj, Some(repo)),
            "/elsewhere/a.py"
        );
        assert_eq!(normalize_path("a.py", proj, None), "a.py");
    }

    #[test]
    fn formats_are_sniffed_from_content() {
        let k = |name: &str, text: &str| readers::sniff(Path::new(name), text);
        assert_eq!(k("x", "TN:\nSF:a\n"), Some(Kind::Lcov));
        assert_eq!(
            k("c.xml", "<?xml version=\"1.0\"?><coverage>"),
            Some(Kind::Cobertura)
        );
        assert_eq!(k("j.xml", "<testsuites><testsuite>"), Some(Kind::Junit));
        assert_eq!(
            k("c.json", "{\"meta\": {}, \"files\": {}, \"totals\": {}}"),
            Some(Kind::CoveragePyJson)
        );
        assert_eq!(
            k(
                "s",
                "{\"version\": \"2.1.0\", \"$schema\": \"sarif\", \"runs\": []}"
            ),
            Some(Kind::Sarif)
        );
        assert_eq!(
            k("p", "[{\"name\": \"a\", \"vulns\": []}]"),
            Some(Kind::PipAudit)
        );
        assert_eq!(
            k("m", "{\"killed\": 1, \"survived\": 2}"),
            Some(Kind::Mutmut)
        );
        assert_eq!(k("z", "hello"), None);
    }

    #[test]
    fn durations_and_ranges() {
        assert_eq!(config::parse_seconds("30s"), Some(30.0));
        assert_eq!(config::parse_seconds("1m30s"), Some(90.0));
        assert_eq!(config::parse_seconds("250ms"), Some(0.25));
        assert_eq!(config::parse_seconds("12"), Some(12.0));
        assert_eq!(config::parse_seconds("5 parsecs"), None);
        assert_eq!(eval::ranges_text(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
    }
}

#[cfg(test)]
mod headline_tests {
    use crate::eval::headline;

    #[test]
    fn the_telling_line_of_an_excerpt() {
        let py = "[call] def test_x():\n>       assert f() == 2\nE       AssertionError: boom\nE       assert 1 == 2\n\ntests/t.py:3: AssertionError";
        assert_eq!(headline(py), "AssertionError: boom");
        let rs = "thread 'tests::flaky' (15788) panicked at src/lib.rs:29:9:\nfirst attempt fails\nstack backtrace:\n   0: x";
        assert_eq!(headline(rs), "first attempt fails");
        assert_eq!(
            headline("compiling\nerror: could not compile `x`\n"),
            "error: could not compile `x`"
        );
        assert_eq!(headline("one\ntwo\n"), "two");
        assert_eq!(headline(""), "");
    }
}
