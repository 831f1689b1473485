//! Pairwise alerts: one per regressed benchmark, with the suspect commit range, the changed
//! files and the other benchmarks that moved.

use super::entries::Entry;
use super::report::CompareReport;
use crate::compare::Verdict;
use crate::display::{self, short};
use crate::error::PerfError;
use crate::store::{self, NewAlert, Related};
use rigor_model::Config;
use std::collections::BTreeMap;

/// Record an alert for every regression of `report`; returns (alert id, newly opened) each.
pub(super) fn pairwise_alerts(
    config: &Config,
    conn: &rigor_store::Store,
    report: &CompareReport,
    current: &BTreeMap<String, Entry>,
    cur_commit: &str,
    branch: Option<&str>,
) -> Result<Vec<(i64, bool)>, PerfError> {
    let base_commit = report.baseline.commit.clone();
    let files = rigor_vcs::files_between(&config.root, base_commit.as_deref(), cur_commit);
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
        let ci = display::interval(b.ci_low_pct, b.ci_high_pct)
            .map(|i| format!(" {i}"))
            .unwrap_or_default();
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
                display::value(b.baseline),
                display::value(b.current),
                b.unit,
                short(cur_commit)
            ),
        };
        out.push(store::upsert_alert(conn, &alert)?);
    }
    Ok(out)
}
