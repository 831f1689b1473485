//! `rigor perf …`: ingest, compare, detect, baseline, history, report, alerts.

use crate::changepoint::{self, ChangePoint, DetectSettings};
use crate::compare::{BenchComparison, Verdict, compare_benchmark};
use crate::ingest::{self, CsvOptions, Format, Parsed};
use crate::model::{Direction, Measurement, format_time};
use crate::report::{self, Chart, short};
use crate::settings::{Settings, parse_percent};
use crate::stats::{median, t_quantile};
use crate::store::{self, Alert, IngestRecord, NewAlert, Point, Related, SeriesRow};
use crate::{git, webhook};
use rigor_model::{Config, exit};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::error::PerfError;

/// Performance analyzer: ingest benchmark results, compare, detect change points, report.
#[derive(Debug, clap::Args)]
pub struct PerfArgs {
    #[command(subcommand)]
    pub command: PerfCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PerfCommand {
    /// Store benchmark or metric results (criterion, pytest-benchmark, hyperfine, gbench, CSV, JSON).
    Ingest(IngestArgs),
    /// Compare the current commit's results with a baseline, per benchmark.
    Compare(CompareArgs),
    /// Find change points in the history (or in an Otava-layout CSV with --input).
    Detect(DetectArgs),
    /// Pin or show per-branch baselines.
    Baseline(BaselineArgs),
    /// Show a benchmark's series.
    History(HistoryArgs),
    /// Write a self-contained HTML report with a chart per series.
    Report(ReportArgs),
    /// List, acknowledge or resolve performance alerts.
    Alerts(AlertsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum OutFormat {
    #[default]
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Result files, or a target/criterion directory.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    pub format: Format,
    /// Commit the results belong to (default: CI variables, else `git rev-parse HEAD`).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// Branch (default: CI variables, else the checked-out branch).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// Machine or environment the results were measured on (default: [perf].testbed or "default").
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
    /// CSV: name of the time column (default: time, timestamp, date …).
    #[arg(long, value_name = "COLUMN")]
    pub time_column: Option<String>,
    /// CSV: field delimiter (default: guessed from the header).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// Parse and validate only; store nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args, Default, Clone)]
pub struct CompareArgs {
    /// Baseline: a branch (its pinned baseline, else its latest results) or a commit.
    #[arg(long, value_name = "REF", conflicts_with = "baseline_file")]
    pub baseline: Option<String>,
    /// Baseline results from a file instead of the history.
    #[arg(long, value_name = "PATH")]
    pub baseline_file: Option<PathBuf>,
    /// Current results from a file instead of the history.
    #[arg(long, value_name = "PATH")]
    pub current_file: Option<PathBuf>,
    /// Current commit (default: CI variables, else HEAD).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// Current branch (default: CI variables, else the checked-out branch).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
    /// Only benchmarks matching this glob.
    #[arg(long, value_name = "GLOB")]
    pub benchmark: Option<String>,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not record alerts for regressions.
    #[arg(long)]
    pub no_alerts: bool,
    /// Post new alerts to this webhook (default: [perf].webhook).
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DetectArgs {
    /// Read an Otava-layout CSV directly (no history needed).
    #[arg(long, value_name = "FILE.csv")]
    pub input: Option<PathBuf>,
    /// Only series whose benchmark (or CSV metric) matches this glob.
    #[arg(long, value_name = "GLOB")]
    pub benchmark: Vec<String>,
    /// Branch of the history (default: the current branch when it has results, else all).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Significance per segment after the multiple-testing correction (default 0.001).
    #[arg(long, value_name = "P")]
    pub max_pvalue: Option<f64>,
    /// Smallest relative change reported, e.g. 1% (default [perf.detect].min_magnitude, 1%).
    #[arg(long, value_name = "PCT")]
    pub min_magnitude: Option<String>,
    /// Fewest points on each side of a change point (default 4).
    #[arg(long, value_name = "N")]
    pub min_segment: Option<usize>,
    /// CSV: name of the time column.
    #[arg(long, value_name = "COLUMN")]
    pub time_column: Option<String>,
    /// Do not record alerts (history mode).
    #[arg(long)]
    pub no_alerts: bool,
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[command(subcommand)]
    pub command: BaselineCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum BaselineCommand {
    /// Pin a branch's baseline to a commit (default: the branch's latest results).
    Set {
        #[arg(long, value_name = "NAME")]
        branch: Option<String>,
        #[arg(long, value_name = "SHA")]
        commit: Option<String>,
        #[arg(long, value_name = "NAME")]
        testbed: Option<String>,
    },
    /// Show pinned baselines.
    Show {
        #[arg(long, value_name = "NAME")]
        branch: Option<String>,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Benchmark name or glob.
    pub benchmark: String,
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
    /// Show only the last N points.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Where to write the HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
    /// Chart an Otava-layout CSV instead of the history.
    #[arg(long, value_name = "FILE.csv")]
    pub input: Option<PathBuf>,
    #[arg(long, value_name = "GLOB")]
    pub benchmark: Vec<String>,
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub command: Option<AlertsCommand>,
    /// Which alerts to list.
    #[arg(long, value_enum, default_value_t = StateFilter::Open)]
    pub state: StateFilter,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateFilter {
    Open,
    Acknowledged,
    Resolved,
    All,
}

#[derive(Debug, clap::Subcommand)]
pub enum AlertsCommand {
    /// List alerts (the default).
    List,
    /// Acknowledge an alert: known, being handled; stays listed under `acknowledged`.
    Ack {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Resolve an alert.
    Resolve {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
}

/// Run a `rigor perf` command; returns the exit code.
pub fn run(args: &PerfArgs, config: &Config) -> Result<i32, PerfError> {
    let (settings, warnings) = Settings::load(config)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    match &args.command {
        PerfCommand::Ingest(a) => cmd_ingest(a, config, &settings),
        PerfCommand::Compare(a) => cmd_compare(a, config, &settings),
        PerfCommand::Detect(a) => cmd_detect(a, config, &settings),
        PerfCommand::Baseline(a) => cmd_baseline(a, config, &settings),
        PerfCommand::History(a) => cmd_history(a, config, &settings),
        PerfCommand::Report(a) => cmd_report(a, config, &settings),
        PerfCommand::Alerts(a) => cmd_alerts(a, config),
    }
}

fn emit(text: &str, output: Option<&Path>) -> Result<(), PerfError> {
    match output {
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| PerfError::Write {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            std::fs::write(p, text).map_err(|source| PerfError::Write {
                path: p.display().to_string(),
                source,
            })
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn testbed(flag: Option<&str>, settings: &Settings) -> String {
    flag.map(str::to_string)
        .or_else(|| settings.testbed.clone())
        .unwrap_or_else(|| "default".into())
}

fn glob_set(patterns: &[String]) -> Result<Option<globset::GlobSet>, PerfError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(globset::Glob::new(p).map_err(|e| {
            PerfError::usage(
                format!("bad benchmark pattern `{p}`: {e}"),
                "use a name or a glob such as \"parse/*\"",
            )
        })?);
    }
    Ok(Some(b.build().map_err(|e| {
        PerfError::usage(e.to_string(), "check the --benchmark patterns")
    })?))
}

fn apply_overrides(ms: &mut [Measurement], settings: &Settings) {
    for m in ms {
        if let Some(d) = settings.direction_override(&m.benchmark) {
            m.direction = d;
        }
        if let Some(u) = settings.unit_override(&m.benchmark) {
            m.unit = u;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ingest

fn csv_options(
    time_column: Option<&String>,
    delimiter: Option<char>,
) -> Result<CsvOptions, PerfError> {
    let delimiter = match delimiter {
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => {
            return Err(PerfError::usage(
                format!("delimiter `{c}` is not an ASCII character"),
                "use , ; or a tab",
            ));
        }
        None => None,
    };
    Ok(CsvOptions {
        delimiter,
        time_column: time_column.cloned(),
    })
}

fn cmd_ingest(a: &IngestArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let opts = csv_options(a.time_column.as_ref(), a.delimiter)?;
    // parse everything first: a malformed file stores nothing
    let mut parsed: Vec<(PathBuf, Parsed)> = Vec::new();
    for p in &a.paths {
        let path = if p.is_absolute() {
            p.clone()
        } else {
            std::env::current_dir()
                .map(|d| d.join(p))
                .unwrap_or_else(|_| p.clone())
        };
        let mut one = ingest::read_path(&path, a.format, &opts)?;
        apply_overrides(&mut one.measurements, settings);
        parsed.push((p.clone(), one));
    }
    let bed = testbed(a.testbed.as_deref(), settings);
    let ci_commit = git::current_commit(&config.root);
    let ci_branch = git::current_branch(&config.root);
    let mut plans = Vec::new();
    for (path, one) in &parsed {
        let commit = a
            .commit
            .clone()
            .or_else(|| one.commit.clone())
            .or_else(|| ci_commit.clone());
        let needs_commit = one.measurements.iter().any(|m| m.commit.is_none());
        let commit = match commit {
            Some(c) => c,
            None if !needs_commit => String::new(),
            None => {
                return Err(PerfError::usage(
                    format!("cannot tell which commit {} belongs to", path.display()),
                    "pass --commit SHA (or run inside a git checkout / CI job)",
                ));
            }
        };
        let branch = a
            .branch
            .clone()
            .or_else(|| one.branch.clone())
            .or_else(|| ci_branch.clone());
        plans.push((path, one, commit, branch));
    }
    for (_, one, _, _) in &plans {
        for w in &one.warnings {
            eprintln!("warning: {w}");
        }
    }
    if a.dry_run {
        for (path, one, commit, branch) in &plans {
            println!(
                "{}: {} results ({}) for commit {} on {} — not stored (--dry-run)",
                path.display(),
                one.measurements.len(),
                one.format.map(Format::as_str).unwrap_or("?"),
                if commit.is_empty() {
                    "(per row)"
                } else {
                    short(commit)
                },
                branch.as_deref().unwrap_or("(no branch)")
            );
        }
        return Ok(exit::OK);
    }
    let mut st = store::open(config)?;
    let now = store::now();
    for (path, one, commit, branch) in &plans {
        let rec = IngestRecord {
            source: &path.display().to_string(),
            format: one.format.map(Format::as_str).unwrap_or("?"),
            commit,
            branch: branch.as_deref(),
            testbed: &bed,
            time: one.time.unwrap_or(now),
        };
        let n = store::store_measurements(&mut st, &rec, &one.measurements)?;
        let with_samples = one
            .measurements
            .iter()
            .filter(|m| m.samples.len() >= 2)
            .count();
        println!(
            "ingested {n} results from {} ({}; {with_samples} with raw samples) for commit {} on {} [testbed {bed}]",
            path.display(),
            rec.format,
            if commit.is_empty() {
                "(per row)"
            } else {
                short(commit)
            },
            branch.as_deref().unwrap_or("(no branch)")
        );
    }
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------------------
// compare

/// The baseline a comparison used.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineInfo {
    /// `file`, `pinned`, `base-branch`, `branch`, `commit` or `previous`.
    pub source: String,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub file: Option<String>,
}

/// `rigor perf compare --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    pub baseline: BaselineInfo,
    pub current: BaselineInfo,
    pub significance: f64,
    pub benchmarks: Vec<BenchComparison>,
    pub regressions: usize,
    pub warnings: usize,
    pub improvements: usize,
    /// Benchmarks without a baseline.
    pub new: Vec<String>,
    /// Baseline benchmarks absent from the current results.
    pub missing: Vec<String>,
    /// Alerts opened or seen again by this comparison.
    pub alerts: Vec<i64>,
}

#[derive(Debug, Clone, Default)]
struct Entry {
    unit: String,
    direction: Direction,
    samples: Vec<f64>,
    value: f64,
    series_id: Option<i64>,
    /// Recent values up to the baseline (single-value comparisons).
    history: Vec<f64>,
}

fn key_of(benchmark: &str, measure: &str) -> String {
    if measure == "time" || measure == "value" || measure.is_empty() {
        benchmark.to_string()
    } else {
        format!("{benchmark}:{measure}")
    }
}

fn entries_from_file(
    path: &Path,
    settings: &Settings,
) -> Result<BTreeMap<String, Entry>, PerfError> {
    let mut parsed = ingest::read_path(path, Format::Auto, &CsvOptions::default())?;
    apply_overrides(&mut parsed.measurements, settings);
    let mut out: BTreeMap<String, Entry> = BTreeMap::new();
    for m in parsed.measurements {
        let e = out
            .entry(key_of(&m.benchmark, &m.measure))
            .or_insert_with(|| Entry {
                unit: m.unit.clone(),
                direction: m.direction,
                ..Default::default()
            });
        if m.samples.is_empty() {
            e.samples.push(m.value);
        } else {
            e.samples.extend(&m.samples);
        }
        e.history.push(m.value);
    }
    for e in out.values_mut() {
        e.value = median(&e.samples);
    }
    Ok(out)
}

fn entries_at_commit(
    conn: &rusqlite::Connection,
    commit: &str,
    bed: &str,
) -> Result<BTreeMap<String, Entry>, PerfError> {
    let pts = store::points_at_commit(conn, commit, Some(bed))?;
    let mut by_series: BTreeMap<i64, Vec<Point>> = BTreeMap::new();
    for p in pts {
        by_series.entry(p.series_id).or_default().push(p);
    }
    let mut out = BTreeMap::new();
    for (sid, pts) in by_series {
        let s = store::series_by_id(conn, sid)?;
        let mut samples = Vec::new();
        for p in &pts {
            if p.samples.is_empty() {
                samples.push(p.value);
            } else {
                samples.extend(&p.samples);
            }
        }
        let value = if pts.len() == 1 {
            pts[0].value
        } else {
            median(&pts.iter().map(|p| p.value).collect::<Vec<_>>())
        };
        out.insert(
            key_of(&s.benchmark, &s.measure),
            Entry {
                unit: s.unit,
                direction: s.direction,
                samples,
                value,
                series_id: Some(sid),
                history: Vec::new(),
            },
        );
    }
    Ok(out)
}

/// Fill `history` of baseline entries: the series' values on `branch` up to the baseline commit.
fn fill_history(
    conn: &rusqlite::Connection,
    entries: &mut BTreeMap<String, Entry>,
    branch: Option<&str>,
    commit: &str,
    window: usize,
) -> Result<(), PerfError> {
    for e in entries.values_mut() {
        let Some(sid) = e.series_id else { continue };
        let mut pts = store::points(conn, sid, branch)?;
        if pts.is_empty() {
            pts = store::points(conn, sid, None)?;
        }
        let cut = pts
            .iter()
            .rposition(|p| p.commit == commit)
            .map(|i| i + 1)
            .unwrap_or(pts.len());
        let pts = &pts[..cut];
        // one value per commit (median of re-runs), the most recent `window` commits
        let mut per_commit: Vec<(String, Vec<f64>)> = Vec::new();
        for p in pts {
            match per_commit.last_mut() {
                Some((c, v)) if *c == p.commit => v.push(p.value),
                _ => per_commit.push((p.commit.clone(), vec![p.value])),
            }
        }
        let start = per_commit.len().saturating_sub(window);
        e.history = per_commit[start..].iter().map(|(_, v)| median(v)).collect();
    }
    Ok(())
}

/// Build the comparison report. `record` stores alerts for regressions (history mode only).
pub fn compare_report(
    config: &Config,
    settings: &Settings,
    a: &CompareArgs,
    record: bool,
) -> Result<CompareReport, PerfError> {
    let bed = testbed(a.testbed.as_deref(), settings);
    let filter = glob_set(&a.benchmark.iter().cloned().collect::<Vec<_>>())?;
    let needs_store = a.current_file.is_none() || a.baseline_file.is_none();
    let mut st = if needs_store {
        Some(store::open(config)?)
    } else {
        None
    };
    let branch = a
        .branch
        .clone()
        .or_else(|| git::current_branch(&config.root));

    // current
    let (current, current_info, current_commit) = match &a.current_file {
        Some(p) => (
            entries_from_file(p, settings)?,
            BaselineInfo {
                source: "file".into(),
                commit: None,
                branch: None,
                file: Some(p.display().to_string()),
            },
            None,
        ),
        None => {
            let conn = st.as_ref().expect("store opened").conn();
            let commit = a
                .commit
                .clone()
                .or_else(|| git::current_commit(&config.root))
                .ok_or_else(|| {
                    PerfError::usage(
                        "cannot tell the current commit",
                        "pass --commit SHA or --current-file PATH",
                    )
                })?;
            let full = store::resolve_commit(conn, &commit)?.unwrap_or(commit.clone());
            let e = entries_at_commit(conn, &full, &bed)?;
            (
                e,
                BaselineInfo {
                    source: "commit".into(),
                    commit: Some(full.clone()),
                    branch: branch.clone(),
                    file: None,
                },
                Some(full),
            )
        }
    };
    if current.is_empty() {
        return Err(PerfError::nothing(
            format!(
                "no results for the current commit {} [testbed {bed}]",
                current_commit.as_deref().map(short).unwrap_or("?")
            ),
            "run `rigor perf ingest` for this commit first, or pass --current-file",
        ));
    }

    // baseline
    let (mut baseline, baseline_info) = match &a.baseline_file {
        Some(p) => (
            entries_from_file(p, settings)?,
            BaselineInfo {
                source: "file".into(),
                commit: None,
                branch: None,
                file: Some(p.display().to_string()),
            },
        ),
        None => {
            let conn = st.as_ref().expect("store opened").conn();
            let (source, commit, bbranch) = resolve_baseline(
                conn,
                a.baseline.as_deref(),
                branch.as_deref(),
                current_commit.as_deref(),
                &bed,
                settings,
            )?;
            let Some(commit) = commit else {
                return Err(PerfError::nothing(
                    "no baseline results to compare with".to_string(),
                    "ingest results on the base branch first, pin one with `rigor perf baseline set`, or pass --baseline-file",
                ));
            };
            let mut e = entries_at_commit(conn, &commit, &bed)?;
            fill_history(
                conn,
                &mut e,
                bbranch.as_deref(),
                &commit,
                settings.history_window,
            )?;
            (
                e,
                BaselineInfo {
                    source,
                    commit: Some(commit),
                    branch: bbranch,
                    file: None,
                },
            )
        }
    };

    let mut benchmarks = Vec::new();
    let mut new = Vec::new();
    for (name, cur) in &current {
        if filter.as_ref().is_some_and(|f| !f.is_match(name)) {
            continue;
        }
        let Some(base) = baseline.get_mut(name) else {
            new.push(name.clone());
            continue;
        };
        if base.history.is_empty() {
            base.history.push(base.value);
        }
        let t = settings.thresholds(name);
        benchmarks.push(compare_benchmark(
            name,
            &cur.unit,
            cur.direction,
            &base.samples,
            &base.history,
            &cur.samples,
            cur.value,
            &t,
            settings.significance,
        ));
    }
    let missing: Vec<String> = baseline
        .keys()
        .filter(|k| {
            !current.contains_key(*k) && filter.as_ref().is_none_or(|f| f.is_match(k.as_str()))
        })
        .cloned()
        .collect();
    let count = |v: Verdict| benchmarks.iter().filter(|b| b.verdict == v).count();
    let mut report = CompareReport {
        regressions: count(Verdict::Regressed),
        warnings: count(Verdict::Warning),
        improvements: count(Verdict::Improved),
        baseline: baseline_info,
        current: current_info,
        significance: settings.significance,
        benchmarks,
        new,
        missing,
        alerts: Vec::new(),
    };
    if record && let (Some(st), Some(cur_commit)) = (st.as_mut(), current_commit.as_deref()) {
        let new_alerts =
            record_pairwise_alerts(config, st, &report, &current, cur_commit, branch.as_deref())?;
        report.alerts = new_alerts.iter().map(|(id, _)| *id).collect();
        let opened: Vec<i64> = new_alerts
            .iter()
            .filter(|(_, o)| *o)
            .map(|(id, _)| *id)
            .collect();
        deliver_alerts(config, settings, st, &opened, a.webhook.as_deref())?;
    }
    Ok(report)
}

fn resolve_baseline(
    conn: &rusqlite::Connection,
    requested: Option<&str>,
    branch: Option<&str>,
    current: Option<&str>,
    bed: &str,
    settings: &Settings,
) -> Result<(String, Option<String>, Option<String>), PerfError> {
    if let Some(r) = requested {
        if let Some(c) = store::baseline(conn, r, bed)? {
            return Ok(("pinned".into(), Some(c), Some(r.to_string())));
        }
        if store::branch_exists(conn, r)? {
            return Ok((
                "branch".into(),
                store::latest_commit(conn, r, current)?,
                Some(r.to_string()),
            ));
        }
        if let Some(c) = store::resolve_commit(conn, r)? {
            return Ok(("commit".into(), Some(c), None));
        }
        return Err(PerfError::nothing(
            format!("`{r}` is neither a branch with results nor a commit with results"),
            "see `rigor perf baseline show` and `rigor perf history`",
        ));
    }
    if let Some(b) = branch
        && let Some(c) = store::baseline(conn, b, bed)?
    {
        return Ok(("pinned".into(), Some(c), Some(b.to_string())));
    }
    let base = settings
        .base_branch
        .clone()
        .or_else(git::ci_base_branch)
        .unwrap_or_else(|| "main".into());
    let candidates = [base.clone(), "master".into()];
    if branch.is_none_or(|b| b != base) {
        for cand in candidates.iter().filter(|c| Some(c.as_str()) != branch) {
            if let Some(c) = store::baseline(conn, cand, bed)? {
                return Ok(("pinned".into(), Some(c), Some(cand.clone())));
            }
            if store::branch_exists(conn, cand)? {
                return Ok((
                    "base-branch".into(),
                    store::latest_commit(conn, cand, current)?,
                    Some(cand.clone()),
                ));
            }
        }
    }
    match branch {
        Some(b) => Ok((
            "previous".into(),
            store::latest_commit(conn, b, current)?,
            Some(b.to_string()),
        )),
        None => Ok(("previous".into(), None, None)),
    }
}

fn record_pairwise_alerts(
    config: &Config,
    st: &mut rigor_store::Store,
    report: &CompareReport,
    current: &BTreeMap<String, Entry>,
    cur_commit: &str,
    branch: Option<&str>,
) -> Result<Vec<(i64, bool)>, PerfError> {
    let base_commit = report.baseline.commit.clone();
    let files = git::changed_files(&config.root, base_commit.as_deref(), cur_commit);
    let moved: Vec<Related> = report
        .benchmarks
        .iter()
        .filter(|b| {
            matches!(
                b.verdict,
                Verdict::Regressed | Verdict::Warning | Verdict::Improved
            )
        })
        .map(|b| Related {
            benchmark: b.name.clone(),
            change_pct: b.change_pct,
        })
        .collect();
    let mut out = Vec::new();
    for b in report
        .benchmarks
        .iter()
        .filter(|b| b.verdict == Verdict::Regressed)
    {
        let Some(sid) = current.get(&b.name).and_then(|e| e.series_id) else {
            continue;
        };
        let related: Vec<Related> = moved
            .iter()
            .filter(|r| r.benchmark != b.name)
            .cloned()
            .collect();
        let ci = match (b.ci_low_pct, b.ci_high_pct) {
            (Some(l), Some(h)) => format!(" [{l:+.1}%, {h:+.1}%]"),
            _ => String::new(),
        };
        let alert = NewAlert {
            key: format!("pairwise:{sid}:{}", base_commit.as_deref().unwrap_or("?")),
            kind: "pairwise",
            series_id: sid,
            branch: branch.map(str::to_string),
            commit: cur_commit.to_string(),
            range_from: base_commit.clone(),
            files: files.clone(),
            change_pct: b.change_pct,
            ci_low_pct: b.ci_low_pct,
            ci_high_pct: b.ci_high_pct,
            p_value: b.p_value,
            related,
            message: format!(
                "{} regressed {:+.1}%{ci} ({} → {} {}) at {}",
                b.name,
                b.change_pct,
                fmt_value(b.baseline),
                fmt_value(b.current),
                b.unit,
                short(cur_commit)
            ),
        };
        out.push(store::upsert_alert(st.conn(), &alert)?);
    }
    Ok(out)
}

fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e7).contains(&a) {
        format!("{v:.4e}")
    } else if a >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

fn fmt_p(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-4 => format!("{p:.1e}"),
        Some(p) => format!("{p:.4}"),
        None => "–".into(),
    }
}

fn compare_text(r: &CompareReport) -> String {
    let mut s = String::new();
    let describe = |i: &BaselineInfo| match (&i.file, &i.commit) {
        (Some(f), _) => format!("file {f}"),
        (None, Some(c)) => format!(
            "{} {}{}",
            i.source,
            short(c),
            i.branch
                .as_ref()
                .map(|b| format!(" ({b})"))
                .unwrap_or_default()
        ),
        _ => i.source.clone(),
    };
    let _ = writeln!(
        s,
        "baseline: {}    current: {}",
        describe(&r.baseline),
        describe(&r.current)
    );
    let width = r
        .benchmarks
        .iter()
        .map(|b| b.name.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let _ = writeln!(
        s,
        "{:<width$}  {:>12}  {:>12}  {:>8}  {:>20}  {:>8}  verdict",
        "benchmark", "baseline", "current", "change", "interval", "p"
    );
    for b in &r.benchmarks {
        let ci = match (b.ci_low_pct, b.ci_high_pct) {
            (Some(l), Some(h)) => format!("[{l:+.1}%, {h:+.1}%]"),
            _ => "–".into(),
        };
        let note =
            if b.verdict == Verdict::Unchanged && b.significant && b.change_pct.abs() > b.noise_pct
            {
                " (significant, below warn)"
            } else {
                ""
            };
        let _ = writeln!(
            s,
            "{:<width$}  {:>12}  {:>12}  {:>+7.1}%  {:>20}  {:>8}  {}{note}",
            b.name,
            format!("{} {}", fmt_value(b.baseline), b.unit),
            format!("{} {}", fmt_value(b.current), b.unit),
            b.change_pct,
            ci,
            fmt_p(b.p_value),
            b.verdict.as_str()
        );
    }
    if !r.new.is_empty() {
        let _ = writeln!(s, "new (no baseline): {}", r.new.join(", "));
    }
    if !r.missing.is_empty() {
        let _ = writeln!(
            s,
            "missing from the current results: {}",
            r.missing.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "{} regressed, {} warnings, {} improved, {} compared (α = {}, interval at {}%)",
        r.regressions,
        r.warnings,
        r.improvements,
        r.benchmarks.len(),
        r.significance,
        ((1.0 - r.significance) * 1000.0).round() / 10.0
    );
    if !r.alerts.is_empty() {
        let _ = writeln!(
            s,
            "alerts: {}",
            r.alerts
                .iter()
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn compare_markdown(r: &CompareReport) -> String {
    let mut s = String::new();
    let icon = |v: Verdict| match v {
        Verdict::Regressed => "🔴 regressed",
        Verdict::Warning => "🟠 warning",
        Verdict::Improved => "🟢 improved",
        Verdict::WithinNoise => "⚪ within noise",
        Verdict::Unchanged => "⚪ unchanged",
    };
    let _ = writeln!(
        s,
        "### Performance: {} regressed, {} warnings, {} improved\n",
        r.regressions, r.warnings, r.improvements
    );
    let _ = writeln!(
        s,
        "| benchmark | baseline | current | change | interval | p | verdict |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---|---:|---|");
    for b in &r.benchmarks {
        let ci = match (b.ci_low_pct, b.ci_high_pct) {
            (Some(l), Some(h)) => format!("[{l:+.1}%, {h:+.1}%]"),
            _ => "–".into(),
        };
        let _ = writeln!(
            s,
            "| `{}` | {} {} | {} {} | {:+.1}% | {} | {} | {} |",
            md_escape(&b.name),
            fmt_value(b.baseline),
            b.unit,
            fmt_value(b.current),
            b.unit,
            b.change_pct,
            ci,
            fmt_p(b.p_value),
            icon(b.verdict)
        );
    }
    if !r.new.is_empty() {
        let _ = writeln!(
            s,
            "\nNew benchmarks (no baseline): {}",
            r.new
                .iter()
                .map(|n| format!("`{}`", md_escape(n)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(
        s,
        "\nRegression threshold per benchmark in `threshold_pct`; α = {}.",
        r.significance
    );
    s
}

fn cmd_compare(a: &CompareArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let report = compare_report(config, settings, a, !a.no_alerts)?;
    let text = match a.format {
        OutFormat::Json => serde_json::to_string_pretty(&report).expect("serializable") + "\n",
        OutFormat::Markdown => compare_markdown(&report),
        OutFormat::Text => compare_text(&report),
    };
    emit(&text, a.output.as_deref())?;
    if a.output.is_some() && a.format != OutFormat::Text {
        eprint!("{}", compare_text(&report));
    }
    Ok(if report.regressions > 0 {
        exit::FAILED
    } else {
        exit::OK
    })
}

// ---------------------------------------------------------------------------------------------
// detect

#[derive(Debug, Clone, Serialize)]
pub struct DetectedPoint {
    pub index: usize,
    /// 1-based data row of the CSV (with --input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    pub commit: Option<String>,
    pub time: Option<String>,
    pub mean_before: f64,
    pub std_before: f64,
    pub mean_after: f64,
    pub std_after: f64,
    pub change_pct: f64,
    pub p_value: f64,
    /// `regression` or `improvement` given the series' direction.
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DetectedSeries {
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub testbed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub points: usize,
    pub change_points: Vec<DetectedPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DetectReport {
    pub source: String,
    pub settings: DetectSettingsOut,
    pub series: Vec<DetectedSeries>,
    pub alerts: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DetectSettingsOut {
    pub max_pvalue: f64,
    pub min_magnitude_pct: f64,
    pub min_segment: usize,
}

fn detect_settings(a: &DetectArgs, settings: &Settings) -> Result<DetectSettings, PerfError> {
    let mut d = settings.detect;
    if let Some(p) = a.max_pvalue {
        if !(p > 0.0 && p < 1.0) {
            return Err(PerfError::usage(
                format!("--max-pvalue {p} is not a p-value"),
                "use e.g. --max-pvalue 0.001",
            ));
        }
        d.max_pvalue = p;
    }
    if let Some(m) = &a.min_magnitude {
        let v = if m.trim().ends_with('%') {
            toml::Value::String(m.clone())
        } else {
            toml::Value::String(format!("{m}%"))
        };
        d.min_magnitude = parse_percent(&v).map_err(|e| {
            PerfError::usage(
                format!("--min-magnitude: {e}"),
                "use e.g. --min-magnitude 1%",
            )
        })?;
    }
    if let Some(n) = a.min_segment {
        d.min_segment = n.max(2);
    }
    Ok(d)
}

fn kind_of(cp: &ChangePoint, dir: Direction) -> String {
    if cp.change_pct * dir.worse_sign() > 0.0 {
        "regression".into()
    } else {
        "improvement".into()
    }
}

fn detect_csv(
    path: &Path,
    a: &DetectArgs,
    d: &DetectSettings,
    settings: &Settings,
) -> Result<DetectReport, PerfError> {
    let label = path.display().to_string();
    if !path.exists() {
        return Err(PerfError::Read {
            path: label,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            hint:
                "give an Otava-layout CSV (time column, attribute columns, one column per metric)"
                    .into(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| PerfError::Read {
        path: label.clone(),
        source,
        hint: "check the path".into(),
    })?;
    if text.trim().is_empty() {
        return Err(PerfError::input(
            &label,
            "line 1, column 1",
            "the file is empty",
            "an Otava CSV needs a header row and data rows",
        ));
    }
    let table = ingest::parse_csv(
        &label,
        &text,
        &CsvOptions {
            delimiter: None,
            time_column: a.time_column.clone(),
        },
    )?;
    let filter = glob_set(&a.benchmark)?;
    let mut series = Vec::new();
    for (mi, name) in table.metric_names().iter().enumerate() {
        if filter.as_ref().is_some_and(|f| !f.is_match(name)) {
            continue;
        }
        let (rows, vals) = table.series(mi);
        let dir = settings.direction_override(name).unwrap_or_default();
        let cps = changepoint::detect(&vals, d);
        series.push(DetectedSeries {
            metric: name.to_string(),
            unit: settings.unit_override(name).unwrap_or_default(),
            direction: dir,
            testbed: None,
            branch: None,
            points: vals.len(),
            change_points: cps
                .iter()
                .map(|c| {
                    let row = rows[c.index];
                    DetectedPoint {
                        index: c.index,
                        row: Some(row + 1),
                        commit: table.commit(row).map(str::to_string),
                        time: table.time_text(row).map(str::to_string),
                        mean_before: c.mean_before,
                        std_before: c.std_before,
                        mean_after: c.mean_after,
                        std_after: c.std_after,
                        change_pct: c.change_pct,
                        p_value: c.p_value,
                        kind: kind_of(c, dir),
                    }
                })
                .collect(),
        });
    }
    Ok(DetectReport {
        source: label,
        settings: settings_out(d),
        series,
        alerts: Vec::new(),
    })
}

fn settings_out(d: &DetectSettings) -> DetectSettingsOut {
    DetectSettingsOut {
        max_pvalue: d.max_pvalue,
        min_magnitude_pct: d.min_magnitude * 100.0,
        min_segment: d.min_segment,
    }
}

/// Points of a series on `branch` when it has any there, else all its points; one value per point.
fn series_points(
    conn: &rusqlite::Connection,
    sid: i64,
    branch: Option<&str>,
) -> Result<(Vec<Point>, Option<String>), PerfError> {
    if let Some(b) = branch {
        let pts = store::points(conn, sid, Some(b))?;
        if !pts.is_empty() {
            return Ok((pts, Some(b.to_string())));
        }
    }
    Ok((store::points(conn, sid, None)?, None))
}

/// A series with its points, the branch used and its change points.
type Found = (SeriesRow, Vec<Point>, Option<String>, Vec<ChangePoint>);

fn detect_history(
    config: &Config,
    a: &DetectArgs,
    d: &DetectSettings,
    settings: &Settings,
) -> Result<DetectReport, PerfError> {
    let mut st = store::open(config)?;
    let filter = glob_set(&a.benchmark)?;
    let branch = a
        .branch
        .clone()
        .or_else(|| git::current_branch(&config.root));
    let bed = a.testbed.clone().or_else(|| settings.testbed.clone());
    let all = store::all_series(st.conn(), bed.as_deref())?;
    let mut series = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    for s in all {
        let name = key_of(&s.benchmark, &s.measure);
        if filter.as_ref().is_some_and(|f| !f.is_match(&name)) {
            continue;
        }
        let (pts, used_branch) = series_points(st.conn(), s.id, branch.as_deref())?;
        let vals: Vec<f64> = pts.iter().map(|p| p.value).collect();
        let cps = changepoint::detect(&vals, d);
        let stored: Vec<(String, usize, i64, &ChangePoint)> = cps
            .iter()
            .map(|c| (pts[c.index].commit.clone(), c.index, pts[c.index].time, c))
            .collect();
        store::replace_change_points(
            st.conn(),
            s.id,
            used_branch.as_deref().unwrap_or(""),
            &stored,
        )?;
        series.push(DetectedSeries {
            metric: name,
            unit: s.unit.clone(),
            direction: s.direction,
            testbed: Some(s.testbed.clone()),
            branch: used_branch.clone(),
            points: pts.len(),
            change_points: cps
                .iter()
                .map(|c| DetectedPoint {
                    index: c.index,
                    row: None,
                    commit: Some(pts[c.index].commit.clone()),
                    time: Some(format_time(pts[c.index].time)),
                    mean_before: c.mean_before,
                    std_before: c.std_before,
                    mean_after: c.mean_after,
                    std_after: c.std_after,
                    change_pct: c.change_pct,
                    p_value: c.p_value,
                    kind: kind_of(c, s.direction),
                })
                .collect(),
        });
        found.push((s, pts, used_branch, cps));
    }
    let mut alerts = Vec::new();
    let mut opened = Vec::new();
    if !a.no_alerts {
        for (s, pts, used_branch, cps) in &found {
            let name = key_of(&s.benchmark, &s.measure);
            let noise = settings.thresholds(&name).noise * 100.0;
            for (i, c) in cps.iter().enumerate() {
                if c.change_pct * s.direction.worse_sign() <= noise {
                    continue;
                }
                let commit = pts[c.index].commit.clone();
                let from = c
                    .index
                    .checked_sub(1)
                    .map(|j| pts[j].commit.clone())
                    .filter(|f| *f != commit);
                // interval of the relative shift from the neighbouring segments (Welch)
                let lo = if i == 0 { 0 } else { cps[i - 1].index };
                let hi = if i + 1 == cps.len() {
                    pts.len()
                } else {
                    cps[i + 1].index
                };
                let (nb, na) = ((c.index - lo) as f64, (hi - c.index) as f64);
                let se = (c.std_before.powi(2) / nb + c.std_after.powi(2) / na).sqrt();
                let df = (nb + na - 2.0).max(1.0);
                let q = t_quantile(1.0 - settings.significance / 2.0, df);
                let diff = c.mean_after - c.mean_before;
                let scale = c.mean_before.abs();
                let (ci_lo, ci_hi) = if scale > 0.0 {
                    (
                        Some((diff - q * se) / scale * 100.0),
                        Some((diff + q * se) / scale * 100.0),
                    )
                } else {
                    (None, None)
                };
                let related = store::change_points_at(st.conn(), &commit, s.id)?
                    .into_iter()
                    .map(|(benchmark, change_pct)| Related {
                        benchmark,
                        change_pct,
                    })
                    .collect();
                let alert = NewAlert {
                    key: format!(
                        "cp:{}:{}:{commit}",
                        s.id,
                        used_branch.as_deref().unwrap_or("")
                    ),
                    kind: "change_point",
                    series_id: s.id,
                    branch: used_branch.clone(),
                    commit: commit.clone(),
                    range_from: from.clone(),
                    files: git::changed_files(&config.root, from.as_deref(), &commit),
                    change_pct: c.change_pct,
                    ci_low_pct: ci_lo,
                    ci_high_pct: ci_hi,
                    p_value: Some(c.p_value),
                    related,
                    message: format!(
                        "{name}: change point {:+.1}% ({} → {} {}) at {}",
                        c.change_pct,
                        fmt_value(c.mean_before),
                        fmt_value(c.mean_after),
                        s.unit,
                        short(&commit)
                    ),
                };
                let (id, new) = store::upsert_alert(st.conn(), &alert)?;
                alerts.push(id);
                if new {
                    opened.push(id);
                }
            }
        }
        deliver_alerts(config, settings, &mut st, &opened, a.webhook.as_deref())?;
    }
    Ok(DetectReport {
        source: st.path().display().to_string(),
        settings: settings_out(d),
        series,
        alerts,
    })
}

fn detect_text(r: &DetectReport) -> String {
    let mut s = String::new();
    let total: usize = r.series.iter().map(|x| x.change_points.len()).sum();
    for x in &r.series {
        let _ = writeln!(
            s,
            "{} ({} points): {} change points",
            x.metric,
            x.points,
            x.change_points.len()
        );
        for c in &x.change_points {
            let _ = writeln!(
                s,
                "  #{:<6} {:<25} {:<12} {:>+7.1}%  {} → {}  p = {}  {}",
                c.index,
                c.time.as_deref().unwrap_or(""),
                c.commit.as_deref().map(short).unwrap_or(""),
                c.change_pct,
                fmt_value(c.mean_before),
                fmt_value(c.mean_after),
                fmt_p(Some(c.p_value)),
                c.kind
            );
        }
    }
    let _ = writeln!(
        s,
        "{} series, {total} change points (max p {} after multiple-testing correction, magnitude ≥ {}%, segments ≥ {})",
        r.series.len(),
        r.settings.max_pvalue,
        r.settings.min_magnitude_pct,
        r.settings.min_segment
    );
    if !r.alerts.is_empty() {
        let _ = writeln!(
            s,
            "alerts: {}",
            r.alerts
                .iter()
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s
}

fn cmd_detect(a: &DetectArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let d = detect_settings(a, settings)?;
    let report = match &a.input {
        Some(p) => detect_csv(p, a, &d, settings)?,
        None => detect_history(config, a, &d, settings)?,
    };
    if report.series.is_empty() {
        return Err(PerfError::nothing(
            "no series to analyse".to_string(),
            if a.input.is_some() {
                "check --benchmark patterns"
            } else {
                "ingest results first (`rigor perf ingest`), or pass --input FILE.csv"
            },
        ));
    }
    let text = match a.format {
        OutFormat::Json => serde_json::to_string_pretty(&report).expect("serializable") + "\n",
        OutFormat::Markdown | OutFormat::Text => detect_text(&report),
    };
    emit(&text, a.output.as_deref())?;
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------------------
// alerts delivery

fn alert_line(a: &Alert) -> String {
    let ci = match (a.ci_low_pct, a.ci_high_pct) {
        (Some(l), Some(h)) => format!(" [{l:+.1}%, {h:+.1}%]"),
        _ => String::new(),
    };
    let range = match &a.range_from {
        Some(f) => format!("{}..{}", short(f), short(&a.range_to)),
        None => short(&a.range_to).to_string(),
    };
    let mut s = format!(
        "#{} [{}] {} {:+.1}%{ci} p={} commits {range}",
        a.id,
        a.state,
        a.benchmark,
        a.change_pct,
        fmt_p(a.p_value)
    );
    if !a.files.is_empty() {
        let shown: Vec<&str> = a.files.iter().take(5).map(String::as_str).collect();
        let more = if a.files.len() > 5 {
            format!(" (+{} more)", a.files.len() - 5)
        } else {
            String::new()
        };
        let _ = write!(s, "; files: {}{more}", shown.join(", "));
    }
    if !a.related.is_empty() {
        let r: Vec<String> = a
            .related
            .iter()
            .map(|r| format!("{} {:+.1}%", r.benchmark, r.change_pct))
            .collect();
        let _ = write!(s, "; also moved: {}", r.join(", "));
    }
    s
}

fn deliver_alerts(
    config: &Config,
    settings: &Settings,
    st: &mut rigor_store::Store,
    opened: &[i64],
    flag: Option<&str>,
) -> Result<(), PerfError> {
    if opened.is_empty() {
        return Ok(());
    }
    let all = store::alerts(st.conn(), None)?;
    let new: Vec<&Alert> = all.iter().filter(|a| opened.contains(&a.id)).collect();
    for a in &new {
        eprintln!("alert opened: {}", alert_line(a));
    }
    let Some(url) = flag
        .map(str::to_string)
        .or_else(|| settings.webhook.clone())
    else {
        return Ok(());
    };
    let text = format!(
        "rigor perf: {} new performance alert{} in {}\n{}",
        new.len(),
        if new.len() == 1 { "" } else { "s" },
        config
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        new.iter()
            .map(|a| format!("• {}", alert_line(a)))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let body = json!({ "text": text, "alerts": new }).to_string();
    match webhook::deliver_with_deadline(
        &url,
        body,
        Duration::from_secs_f64(settings.webhook_timeout_s),
    ) {
        webhook::Delivery::Delivered { attempts, status } => {
            eprintln!("webhook: delivered (HTTP {status}, {attempts} attempt(s))")
        }
        webhook::Delivery::Failed { attempts, error } => {
            eprintln!("warning: webhook {url} failed after {attempts} attempt(s): {error}")
        }
        webhook::Delivery::Pending => eprintln!(
            "warning: webhook {url} did not answer within {}s; not waiting longer",
            settings.webhook_timeout_s
        ),
    }
    Ok(())
}

fn alerts_markdown(alerts: &[Alert]) -> String {
    let mut s = String::from(
        "### Performance alerts\n\n| # | state | benchmark | kind | change | interval | p | commits | files | also moved |\n|---|---|---|---|---:|---|---:|---|---|---|\n",
    );
    for a in alerts {
        let range = match &a.range_from {
            Some(f) => format!("`{}..{}`", short(f), short(&a.range_to)),
            None => format!("`{}`", short(&a.range_to)),
        };
        let ci = match (a.ci_low_pct, a.ci_high_pct) {
            (Some(l), Some(h)) => format!("[{l:+.1}%, {h:+.1}%]"),
            _ => "–".into(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | `{}` | {} | {:+.1}% | {} | {} | {} | {} | {} |",
            a.id,
            a.state,
            md_escape(&a.benchmark),
            a.kind,
            a.change_pct,
            ci,
            fmt_p(a.p_value),
            range,
            md_escape(&a.files.join(", ")),
            md_escape(
                &a.related
                    .iter()
                    .map(|r| format!("{} {:+.1}%", r.benchmark, r.change_pct))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }
    if alerts.is_empty() {
        s.push_str("\nNo alerts.\n");
    }
    s
}

fn cmd_alerts(a: &AlertsArgs, config: &Config) -> Result<i32, PerfError> {
    let st = store::open(config)?;
    match &a.command {
        Some(AlertsCommand::Ack { id, note }) | Some(AlertsCommand::Resolve { id, note }) => {
            let state = if matches!(a.command, Some(AlertsCommand::Ack { .. })) {
                "acknowledged"
            } else {
                "resolved"
            };
            if !store::set_alert_state(st.conn(), *id, state, note.as_deref())? {
                return Err(PerfError::usage(
                    format!("there is no alert #{id}"),
                    "see `rigor perf alerts --state all`",
                ));
            }
            println!("alert #{id} {state}");
            Ok(exit::OK)
        }
        Some(AlertsCommand::List) | None => {
            let state = match a.state {
                StateFilter::Open => Some("open"),
                StateFilter::Acknowledged => Some("acknowledged"),
                StateFilter::Resolved => Some("resolved"),
                StateFilter::All => None,
            };
            let alerts = store::alerts(st.conn(), state)?;
            let text = match a.format {
                OutFormat::Json => {
                    serde_json::to_string_pretty(&json!({ "alerts": alerts }))
                        .expect("serializable")
                        + "\n"
                }
                OutFormat::Markdown => alerts_markdown(&alerts),
                OutFormat::Text => {
                    let mut s = String::new();
                    for al in &alerts {
                        let _ = writeln!(s, "{}", alert_line(al));
                    }
                    let _ = writeln!(s, "{} alert(s)", alerts.len());
                    s
                }
            };
            print!("{text}");
            Ok(exit::OK)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// baseline, history

fn cmd_baseline(a: &BaselineArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let st = store::open(config)?;
    match &a.command {
        BaselineCommand::Set {
            branch,
            commit,
            testbed: tb,
        } => {
            let bed = testbed(tb.as_deref(), settings);
            let branch = branch
                .clone()
                .or_else(|| git::current_branch(&config.root))
                .ok_or_else(|| PerfError::usage("cannot tell the branch", "pass --branch NAME"))?;
            let commit = match commit {
                Some(c) => store::resolve_commit(st.conn(), c)?.ok_or_else(|| {
                    PerfError::nothing(
                        format!("no results for commit `{c}`"),
                        "ingest that commit's results first",
                    )
                })?,
                None => store::latest_commit(st.conn(), &branch, None)?.ok_or_else(|| {
                    PerfError::nothing(
                        format!("no results on branch `{branch}`"),
                        "ingest results first, or pass --commit",
                    )
                })?,
            };
            store::set_baseline(st.conn(), &branch, &bed, &commit)?;
            println!(
                "baseline of {branch} [testbed {bed}] is now {}",
                short(&commit)
            );
            Ok(exit::OK)
        }
        BaselineCommand::Show { branch, format } => {
            let all: Vec<store::Baseline> = store::baselines(st.conn())?
                .into_iter()
                .filter(|b| branch.as_ref().is_none_or(|x| *x == b.branch))
                .collect();
            match format {
                OutFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "baselines": all }))
                        .expect("serializable")
                ),
                _ => {
                    for b in &all {
                        println!(
                            "{:<20} {:<12} {}  (set {})",
                            b.branch,
                            b.testbed,
                            b.commit,
                            format_time(b.set_at)
                        );
                    }
                    if all.is_empty() {
                        println!(
                            "no pinned baselines (comparisons use the base branch's latest results)"
                        );
                    }
                }
            }
            Ok(exit::OK)
        }
    }
}

fn cmd_history(a: &HistoryArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let st = store::open(config)?;
    let filter = glob_set(std::slice::from_ref(&a.benchmark))?.expect("one pattern");
    let bed = a.testbed.clone().or_else(|| settings.testbed.clone());
    let series: Vec<SeriesRow> = store::all_series(st.conn(), bed.as_deref())?
        .into_iter()
        .filter(|s| filter.is_match(key_of(&s.benchmark, &s.measure)))
        .collect();
    if series.is_empty() {
        return Err(PerfError::nothing(
            format!("no benchmark matches `{}`", a.benchmark),
            "see `rigor perf report` or ingest results first",
        ));
    }
    let mut out = Vec::new();
    let mut text = String::new();
    for s in &series {
        let mut pts = match &a.branch {
            Some(b) => store::points(st.conn(), s.id, Some(b))?,
            None => store::points(st.conn(), s.id, None)?,
        };
        let vals: Vec<f64> = pts.iter().map(|p| p.value).collect();
        let cps: Vec<usize> = changepoint::detect(&vals, &settings.detect)
            .iter()
            .map(|c| c.index)
            .collect();
        let offset = a.limit.map(|l| pts.len().saturating_sub(l)).unwrap_or(0);
        let name = key_of(&s.benchmark, &s.measure);
        let _ = writeln!(
            text,
            "{name} [{}] ({}, {}): {} points",
            s.testbed,
            s.unit,
            s.direction.as_str(),
            pts.len()
        );
        for (i, p) in pts.iter().enumerate().skip(offset) {
            let _ = writeln!(
                text,
                "  {}  {:<12} {:<16} {:>14}  n={:<4}{}",
                format_time(p.time),
                short(&p.commit),
                p.branch.as_deref().unwrap_or("-"),
                fmt_value(p.value),
                p.samples.len().max(1),
                if cps.contains(&i) {
                    "  ← change point"
                } else {
                    ""
                }
            );
        }
        let kept: Vec<Point> = pts.drain(offset..).collect();
        out.push(json!({
            "benchmark": name, "testbed": s.testbed, "unit": s.unit, "direction": s.direction,
            "change_points": cps, "points": kept.iter().map(|p| json!({
                "commit": p.commit, "branch": p.branch, "time": format_time(p.time), "value": p.value,
                "samples": p.samples.len(), "median": if p.samples.is_empty() { p.value } else { median(&p.samples) },
            })).collect::<Vec<_>>()
        }));
    }
    match a.format {
        OutFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "series": out })).expect("serializable")
        ),
        _ => print!("{text}"),
    }
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------------------
// report

fn cmd_report(a: &ReportArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let filter = glob_set(&a.benchmark)?;
    let mut charts = Vec::new();
    let mut alerts = Vec::new();
    let title;
    if let Some(input) = &a.input {
        let label = input.display().to_string();
        let text = std::fs::read_to_string(input).map_err(|source| PerfError::Read {
            path: label.clone(),
            source,
            hint: "check the path".into(),
        })?;
        let table = ingest::parse_csv(&label, &text, &CsvOptions::default())?;
        for (mi, name) in table.metric_names().iter().enumerate() {
            if filter.as_ref().is_some_and(|f| !f.is_match(name)) {
                continue;
            }
            let (rows, vals) = table.series(mi);
            let labels = rows
                .iter()
                .map(|&r| {
                    table
                        .commit(r)
                        .or(table.time_text(r))
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            let dir = settings.direction_override(name).unwrap_or_default();
            charts.push(make_chart(
                name,
                &settings.unit_override(name).unwrap_or_default(),
                dir,
                vals,
                labels,
                None,
                settings,
            ));
        }
        title = format!("rigor perf — {label}");
    } else {
        let st = store::open(config)?;
        let bed = a.testbed.clone().or_else(|| settings.testbed.clone());
        let branch = a
            .branch
            .clone()
            .or_else(|| git::current_branch(&config.root));
        for s in store::all_series(st.conn(), bed.as_deref())? {
            let name = key_of(&s.benchmark, &s.measure);
            if filter.as_ref().is_some_and(|f| !f.is_match(&name)) {
                continue;
            }
            let (pts, used) = series_points(st.conn(), s.id, branch.as_deref())?;
            if pts.is_empty() {
                continue;
            }
            let pinned = match &used {
                Some(b) => store::baseline(st.conn(), b, &s.testbed)?,
                None => None,
            };
            let base_value = pinned.and_then(|c| {
                let v: Vec<f64> = pts
                    .iter()
                    .filter(|p| p.commit == c)
                    .map(|p| p.value)
                    .collect();
                (!v.is_empty()).then(|| median(&v))
            });
            let labels = pts.iter().map(|p| short(&p.commit).to_string()).collect();
            let vals = pts.iter().map(|p| p.value).collect();
            charts.push(make_chart(
                &name,
                &s.unit,
                s.direction,
                vals,
                labels,
                base_value,
                settings,
            ));
        }
        alerts = store::alerts(st.conn(), None)?;
        title = format!(
            "rigor perf — {}",
            config
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "project".into())
        );
    }
    if charts.is_empty() {
        return Err(PerfError::nothing(
            "no series to draw".to_string(),
            "ingest results first, or pass --input FILE.csv",
        ));
    }
    let page = report::html(&title, &charts, &alerts, &format_time(store::now()));
    emit(&page, Some(&a.html))?;
    println!(
        "wrote {} ({} charts, {} alerts)",
        a.html.display(),
        charts.len(),
        alerts.len()
    );
    Ok(exit::OK)
}

fn make_chart(
    name: &str,
    unit: &str,
    direction: Direction,
    values: Vec<f64>,
    labels: Vec<String>,
    baseline: Option<f64>,
    settings: &Settings,
) -> Chart {
    let cps = changepoint::detect(&values, &settings.detect);
    let t = settings.thresholds(name);
    // without a pinned baseline: the median of the recent points of the last regime
    let baseline = baseline.or_else(|| {
        let start = cps.last().map(|c| c.index).unwrap_or(0);
        let tail = &values[start..];
        let from = tail.len().saturating_sub(settings.history_window);
        (!tail.is_empty()).then(|| median(&tail[from..]))
    });
    Chart {
        name: name.to_string(),
        unit: unit.to_string(),
        direction,
        values,
        labels,
        change_points: cps.iter().map(|c| (c.index, c.change_pct)).collect(),
        baseline,
        band: t.noise,
        threshold: t.max_regression,
    }
}
