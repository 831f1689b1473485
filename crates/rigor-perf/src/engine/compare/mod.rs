//! Compare: the current results against a baseline, benchmark by benchmark (the statistics are
//! in [`crate::compare`]), recording an alert for each regression when asked to.

mod baseline;
mod entries;
mod record;
mod report;

pub use report::{BaselineInfo, CompareReport};

use super::alerts::{self, Alerting, Announcement};
use super::{glob_set, testbed};
use crate::compare::{Verdict, compare_benchmark};
use crate::display::short;
use crate::error::PerfError;
use crate::settings::Settings;
use crate::store;
use entries::Entry;
use rigor_model::Config;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the current results come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current {
    /// A commit's results in the history (default: CI variables, else HEAD).
    Commit(Option<String>),
    /// A result file.
    File(PathBuf),
}

/// What the current results are compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineChoice {
    /// The current branch's pinned baseline, else the base branch's (pinned, else its latest
    /// results), else the previous results on the current branch.
    Default,
    /// A branch (its pinned baseline, else its latest results) or a commit.
    Ref(String),
    /// A result file.
    File(PathBuf),
}

/// A comparison to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareRequest {
    pub current: Current,
    pub baseline: BaselineChoice,
    /// Current branch (default: CI variables, else the checked-out branch).
    pub branch: Option<String>,
    /// Testbed (default: `[perf].testbed`, else `default`).
    pub testbed: Option<String>,
    /// Only benchmarks matching this glob.
    pub benchmark: Option<String>,
    /// Record alerts for regressions (only when the current results come from the history).
    pub alerts: Alerting,
}

impl CompareRequest {
    /// The comparison the quality gates read: the current commit (CI variables, else HEAD) on
    /// the current branch against its default baseline, every benchmark, recording no alert.
    pub fn for_gate() -> Self {
        CompareRequest {
            current: Current::Commit(None),
            baseline: BaselineChoice::Default,
            branch: None,
            testbed: None,
            benchmark: None,
            alerts: Alerting::Off,
        }
    }
}

/// A comparison's report and the alerts it opened.
#[derive(Debug, Clone)]
pub struct CompareOutcome {
    pub report: CompareReport,
    pub announcement: Announcement,
}

/// One side of a comparison: results per benchmark, and where they came from.
struct Side {
    entries: BTreeMap<String, Entry>,
    info: BaselineInfo,
}

/// Compare the current results with their baseline.
pub fn compare(
    config: &Config,
    settings: &Settings,
    request: &CompareRequest,
) -> Result<CompareOutcome, PerfError> {
    let bed = testbed(request.testbed.as_deref(), settings);
    let filter = glob_set(&request.benchmark.iter().cloned().collect::<Vec<_>>())?;
    let needs_store = !matches!(request.current, Current::File(_))
        || !matches!(request.baseline, BaselineChoice::File(_));
    let st = if needs_store {
        Some(store::open(config)?)
    } else {
        None
    };
    let conn = st.as_ref();
    let branch = request
        .branch
        .clone()
        .or_else(|| rigor_vcs::branch(&config.root));
    let current = current_side(config, settings, conn, request, branch.as_deref(), &bed)?;
    let current_commit = current.info.commit.clone();
    if current.entries.is_empty() {
        return Err(PerfError::nothing(
            format!(
                "no results for the current commit {} [testbed {bed}]",
                current_commit.as_deref().map(short).unwrap_or("?")
            ),
            "run `rigor perf ingest` for this commit first, or pass --current-file",
        ));
    }
    let baseline = baseline_side(
        settings,
        conn,
        &request.baseline,
        branch.as_deref(),
        current_commit.as_deref(),
        &bed,
    )?;
    let mut report = build_report(settings, &current, baseline, filter.as_ref());
    let mut announcement = Announcement::default();
    if let (Alerting::Record { webhook }, Some(conn), Some(commit)) =
        (&request.alerts, conn, current_commit.as_deref())
    {
        let recorded = record::pairwise_alerts(
            config,
            conn,
            &report,
            &current.entries,
            commit,
            branch.as_deref(),
        )?;
        report.alerts = recorded.iter().map(|(id, _)| *id).collect();
        let opened: Vec<i64> = recorded
            .iter()
            .filter(|(_, opened)| *opened)
            .map(|(id, _)| *id)
            .collect();
        announcement = alerts::announce(config, settings, conn, &opened, webhook.as_deref())?;
    }
    Ok(CompareOutcome {
        report,
        announcement,
    })
}

/// The current results: from the requested file, else the requested (or current) commit's
/// results in the history.
fn current_side(
    config: &Config,
    settings: &Settings,
    conn: Option<&rigor_store::Store>,
    request: &CompareRequest,
    branch: Option<&str>,
    bed: &str,
) -> Result<Side, PerfError> {
    let commit = match &request.current {
        Current::File(p) => {
            return Ok(Side {
                entries: entries::from_file(p, settings)?,
                info: BaselineInfo::file(p),
            });
        }
        Current::Commit(commit) => commit,
    };
    let conn = conn.expect("the history is open when the current results come from it");
    let commit = commit
        .clone()
        .or_else(|| rigor_vcs::commit(&config.root))
        .ok_or_else(|| {
            PerfError::usage(
                "cannot tell the current commit",
                "pass --commit SHA or --current-file PATH",
            )
        })?;
    let full = store::resolve_commit(conn, &commit)?.unwrap_or(commit);
    Ok(Side {
        entries: entries::at_commit(conn, &full, bed)?,
        info: BaselineInfo {
            source: "commit".into(),
            commit: Some(full),
            branch: branch.map(str::to_string),
            file: None,
        },
    })
}

/// The baseline results: from the requested file, else the commit the baseline rules choose,
/// with each benchmark's recent history up to it.
fn baseline_side(
    settings: &Settings,
    conn: Option<&rigor_store::Store>,
    choice: &BaselineChoice,
    branch: Option<&str>,
    current_commit: Option<&str>,
    bed: &str,
) -> Result<Side, PerfError> {
    let requested = match choice {
        BaselineChoice::File(p) => {
            return Ok(Side {
                entries: entries::from_file(p, settings)?,
                info: BaselineInfo::file(p),
            });
        }
        BaselineChoice::Default => None,
        BaselineChoice::Ref(r) => Some(r.as_str()),
    };
    let conn = conn.expect("the history is open when the baseline comes from it");
    let chosen = baseline::resolve(conn, requested, branch, current_commit, bed, settings)?;
    let Some(commit) = chosen.commit else {
        return Err(PerfError::nothing(
            "no baseline results to compare with".to_string(),
            "ingest results on the base branch first, pin one with `rigor perf baseline set`, or pass --baseline-file",
        ));
    };
    let mut e = entries::at_commit(conn, &commit, bed)?;
    entries::fill_history(
        conn,
        &mut e,
        chosen.branch.as_deref(),
        &commit,
        settings.history_window,
    )?;
    Ok(Side {
        entries: e,
        info: BaselineInfo {
            source: chosen.source.into(),
            commit: Some(commit),
            branch: chosen.branch,
            file: None,
        },
    })
}

/// Compare every current benchmark that has a baseline (and matches the filter).
fn build_report(
    settings: &Settings,
    current: &Side,
    baseline: Side,
    filter: Option<&globset::GlobSet>,
) -> CompareReport {
    let mut benchmarks = Vec::new();
    let mut new = Vec::new();
    for (name, cur) in &current.entries {
        if filter.is_some_and(|f| !f.is_match(name)) {
            continue;
        }
        let Some(base) = baseline.entries.get(name) else {
            new.push(name.clone());
            continue;
        };
        let history = if base.history.is_empty() {
            std::slice::from_ref(&base.value)
        } else {
            &base.history
        };
        benchmarks.push(compare_benchmark(
            name,
            &cur.unit,
            cur.direction,
            &base.samples,
            history,
            &cur.samples,
            cur.value,
            &settings.thresholds(name),
            settings.significance,
        ));
    }
    let missing: Vec<String> = baseline
        .entries
        .keys()
        .filter(|k| {
            !current.entries.contains_key(*k) && filter.is_none_or(|f| f.is_match(k.as_str()))
        })
        .cloned()
        .collect();
    let count = |v: Verdict| benchmarks.iter().filter(|b| b.verdict == v).count();
    CompareReport {
        regressions: count(Verdict::Regressed),
        warnings: count(Verdict::Warning),
        improvements: count(Verdict::Improved),
        baseline: baseline.info,
        current: current.info.clone(),
        significance: settings.significance,
        benchmarks,
        new,
        missing,
        alerts: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_gate_compares_the_current_commit_with_its_default_baseline_silently() {
        let r = CompareRequest::for_gate();
        assert_eq!(r.current, Current::Commit(None));
        assert_eq!(r.baseline, BaselineChoice::Default);
        assert_eq!(r.alerts, Alerting::Off);
        assert!(r.branch.is_none() && r.testbed.is_none() && r.benchmark.is_none());
    }

    fn project(dir: &Path) -> Config {
        std::fs::write(dir.join("rigor.toml"), "").unwrap();
        Config::discover(dir, rigor_model::config::CORE_DEFAULTS).unwrap()
    }

    fn metrics(dir: &Path, name: &str, samples: &[f64]) -> PathBuf {
        let p = dir.join(name);
        let json = serde_json::json!({"metrics": [
            {"name": "parse", "unit": "ms", "direction": "lower_is_better", "samples": samples},
        ]});
        std::fs::write(&p, json.to_string()).unwrap();
        p
    }

    #[test]
    fn file_to_file_needs_no_history_and_reports_new_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        let config = project(dir.path());
        let base = metrics(dir.path(), "base.json", &[10.0, 10.1, 9.9, 10.0, 10.2]);
        let cur = metrics(dir.path(), "cur.json", &[10.0, 10.1, 9.9, 10.0, 10.1]);
        let request = CompareRequest {
            current: Current::File(cur),
            baseline: BaselineChoice::File(base),
            branch: Some("main".into()),
            ..CompareRequest::for_gate()
        };
        let out = compare(&config, &Settings::default(), &request).unwrap();
        assert_eq!(out.report.baseline.source, "file");
        assert_eq!(out.report.benchmarks.len(), 1);
        assert_eq!(out.report.regressions, 0);
        assert!(out.report.new.is_empty() && out.report.missing.is_empty());
        assert!(out.announcement.opened.is_empty());
        assert!(
            !dir.path().join(".rigor").exists(),
            "a file-to-file comparison does not open the history"
        );
    }
}
