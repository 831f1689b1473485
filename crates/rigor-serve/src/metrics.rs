//! `GET /metrics`: the history as Prometheus metrics in the OpenMetrics text format (1.0.0).
//! Every family is a gauge or a summary computed at scrape time from bounded queries.

use crate::app::AppState;
use crate::error::HttpError;
use crate::filter::{Filter, now};
use crate::queries;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rigor_store::Store;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Runs the per-run figures (outcomes, durations, selection) are taken over.
pub const RECENT_RUNS: usize = 20;
/// A flakiness score at or above this counts a test as flaky (rigor flaky's default threshold).
pub const FLAKY_THRESHOLD: f64 = 0.3;

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub async fn handler(State(st): State<AppState>) -> Result<Response, crate::api::ApiError> {
    let text = st.db.with(|s| exposition(s, now())).await?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response())
}

/// A label value escaped for the text format: backslash, double quote and line feed.
pub fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A number as the text format writes it.
fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

fn family(s: &mut String, name: &str, kind: &str, unit: Option<&str>, help: &str) {
    let _ = writeln!(s, "# TYPE {name} {kind}");
    if let Some(u) = unit {
        let _ = writeln!(s, "# UNIT {name} {u}");
    }
    let _ = writeln!(s, "# HELP {name} {help}");
}

/// The whole exposition, ending with `# EOF`.
pub fn exposition(store: &Store, now: f64) -> Result<String, HttpError> {
    let mut s = String::new();
    let all = Filter::default();
    family(
        &mut s,
        "rigor_runs",
        "gauge",
        None,
        "Runs in the history by status.",
    );
    for (status, n) in queries::runs::status_counts(store, &all, now)? {
        let _ = writeln!(s, "rigor_runs{{status=\"{}\"}} {n}", label(&status));
    }
    let latest = queries::runs::latest_per_branch(store, &all, now)?;
    family(
        &mut s,
        "rigor_last_run_tests",
        "gauge",
        None,
        "Results of the newest run of each branch by outcome.",
    );
    for r in &latest {
        for (o, n) in &r.counts {
            let _ = writeln!(
                s,
                "rigor_last_run_tests{{branch=\"{}\",outcome=\"{}\"}} {n}",
                label(r.branch.as_deref().unwrap_or("")),
                label(o)
            );
        }
    }
    let recent = queries::runs::runs(store, &all, now, RECENT_RUNS, None)?;
    durations(&mut s, store, &recent)?;
    let sel = queries::runs::selection(store, &recent)?;
    family(
        &mut s,
        "rigor_selection_ratio",
        "gauge",
        None,
        "Mean share of the suite run by the recent runs (1 = full runs).",
    );
    let _ = writeln!(s, "rigor_selection_ratio {}", num(sel.selection_ratio));
    family(
        &mut s,
        "rigor_selection_saved_seconds",
        "gauge",
        Some("seconds"),
        "Estimated test time selection saved over the recent runs.",
    );
    let _ = writeln!(s, "rigor_selection_saved_seconds {}", num(sel.saved_s));
    let board = queries::flaky::board(store, &all, now, crate::pages::flaky::WINDOW, usize::MAX)?;
    family(
        &mut s,
        "rigor_flaky_tests",
        "gauge",
        None,
        "Tests whose flakiness score is at least 0.3.",
    );
    let _ = writeln!(
        s,
        "rigor_flaky_tests {}",
        board
            .iter()
            .filter(|b| b.score.score >= FLAKY_THRESHOLD)
            .count()
    );
    family(
        &mut s,
        "rigor_quarantined_tests",
        "gauge",
        None,
        "Tests quarantined now.",
    );
    let _ = writeln!(
        s,
        "rigor_quarantined_tests {}",
        queries::tests::active_quarantines(store, now)?.len()
    );
    perf(&mut s, store)?;
    s.push_str("# EOF\n");
    Ok(s)
}

fn durations(
    s: &mut String,
    store: &Store,
    recent: &[queries::runs::RunRow],
) -> Result<(), HttpError> {
    let mut tests: Vec<f64> = Vec::new();
    for r in recent {
        tests.extend(
            queries::runs::results(store, r.id)?
                .into_iter()
                .map(|x| x.duration_s),
        );
    }
    let walls: Vec<f64> = recent.iter().filter_map(|r| r.wall_s).collect();
    summary(
        s,
        "rigor_test_duration_seconds",
        "Durations of the tests of the recent runs.",
        tests,
    );
    summary(
        s,
        "rigor_run_wall_seconds",
        "Wall times of the recent finished runs.",
        walls,
    );
    Ok(())
}

fn summary(s: &mut String, name: &str, help: &str, mut v: Vec<f64>) {
    family(s, name, "summary", Some("seconds"), help);
    v.sort_by(f64::total_cmp);
    if !v.is_empty() {
        for q in [0.5, 0.9, 0.99] {
            let i = ((v.len() as f64 - 1.0) * q).round() as usize;
            let _ = writeln!(s, "{name}{{quantile=\"{q}\"}} {}", num(v[i]));
        }
    }
    let _ = writeln!(s, "{name}_sum {}", num(v.iter().sum()));
    let _ = writeln!(s, "{name}_count {}", v.len());
}

fn perf(s: &mut String, store: &Store) -> Result<(), HttpError> {
    family(
        s,
        "rigor_perf_latest_value",
        "gauge",
        None,
        "Newest value of each performance series (in the series' unit).",
    );
    for (series, v) in queries::perf::latest_values(store)? {
        let _ = writeln!(
            s,
            "rigor_perf_latest_value{{benchmark=\"{}\",measure=\"{}\",testbed=\"{}\",unit=\"{}\"}} {}",
            label(&series.benchmark),
            label(&series.measure),
            label(&series.testbed),
            label(&series.unit),
            num(v)
        );
    }
    let counts: BTreeMap<String, u64> = queries::perf::alert_counts(store)?.into_iter().collect();
    family(
        s,
        "rigor_perf_alerts",
        "gauge",
        None,
        "Performance alerts by state.",
    );
    for state in ["open", "acknowledged", "resolved"] {
        let _ = writeln!(
            s,
            "rigor_perf_alerts{{state=\"{state}\"}} {}",
            counts.get(state).unwrap_or(&0)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn an_empty_history_is_a_valid_exposition() {
        let mut store = Store::in_memory().unwrap();
        rigor_gate::history::migrate(&mut store).unwrap();
        store
            .migrate_area("perf", rigor_perf::store::MIGRATIONS)
            .unwrap();
        let text = exposition(&store, 1e9).unwrap();
        assert!(text.ends_with("# EOF\n"));
        assert!(text.contains("rigor_test_duration_seconds_count 0"));
        assert!(text.contains("rigor_perf_alerts{state=\"open\"} 0"));
    }
}
