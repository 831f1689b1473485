//! The slowest tests by median passing duration over recent runs.

use crate::app::AppState;
use crate::filter::{Filter, now};
use crate::pages::PageResult;
use crate::queries;
use crate::render::layout::{Section, empty, link, page as shell, table};
use crate::render::{charts, esc, secs, url};
use axum::extract::{Query, State};
use axum::response::Html;

/// Runs the medians are taken over.
pub const WINDOW: usize = 20;
/// Tests listed.
pub const LIMIT: usize = 50;

pub async fn page(State(st): State<AppState>, Query(f): Query<Filter>) -> PageResult {
    let q = f.clone();
    let (branches, slow) = st
        .db
        .with(move |s| {
            Ok((
                queries::runs::branches(s)?,
                queries::tests::slowest(s, &q, now(), WINDOW, LIMIT)?,
            ))
        })
        .await?;
    let mut body = format!(
        "<p class=\"muted\">Median duration of passing results over the last {WINDOW} runs in the filter.</p>"
    );
    if slow.is_empty() {
        body.push_str(&empty("No passing results in this filter."));
    } else {
        let bars: Vec<(String, f64, &str)> = slow
            .iter()
            .take(20)
            .map(|r| (r.id.clone(), r.median_s, "#3867d6"))
            .collect();
        body.push_str(&charts::bars_svg("slowest tests", &bars, " s", None));
        let rows: Vec<Vec<String>> = slow
            .iter()
            .map(|r| {
                vec![
                    link(&url::test(&r.suite, &r.id, &f), &r.id),
                    esc(&r.suite),
                    secs(r.median_s),
                    secs(r.max_s),
                    r.runs.to_string(),
                ]
            })
            .collect();
        body.push_str(&table(
            &["test", "suite", "median", "max", "results"],
            &rows,
        ));
    }
    Ok(Html(shell(
        "Slowest tests",
        Section::Slowest,
        &f,
        &branches,
        &body,
    )))
}
