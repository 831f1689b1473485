//! The flaky board: highest scores first, and the quarantines in force with their expiry.

use crate::app::AppState;
use crate::filter::{Filter, now};
use crate::pages::PageResult;
use crate::queries;
use crate::render::layout::{Section, empty, link, page as shell, table, word};
use crate::render::{esc, url, when};
use axum::extract::{Query, State};
use axum::response::Html;

/// Recent runs whose failures make a test a candidate.
pub const WINDOW: usize = 200;
/// Rows on the board.
pub const LIMIT: usize = 50;

pub async fn page(State(st): State<AppState>, Query(f): Query<Filter>) -> PageResult {
    let q = f.clone();
    let (branches, board, quarantined) = st
        .db
        .with(move |s| {
            let now = now();
            Ok((
                queries::runs::branches(s)?,
                queries::flaky::board(s, &q, now, WINDOW, LIMIT)?,
                queries::tests::active_quarantines(s, now)?,
            ))
        })
        .await?;
    let mut body = format!(
        "<h2>Top {LIMIT} by flakiness score</h2><p class=\"muted\">Tests that failed or flaked in the last {WINDOW} runs, scored over their last {} results.</p>",
        queries::flaky::SCORE_WINDOW
    );
    let rows: Vec<Vec<String>> = board
        .iter()
        .map(|r| {
            vec![
                format!("{:.2}", r.score.score),
                link(&url::test(&r.suite, &r.id, &f), &r.id),
                esc(&r.suite),
                r.score.runs.to_string(),
                r.score.failures.to_string(),
                r.score.retried_passes.to_string(),
                r.score.same_commit_flips.to_string(),
                format!(
                    "{} in {}",
                    word(&r.last_outcome),
                    link(&url::run(r.last_run), &format!("#{}", r.last_run))
                ),
            ]
        })
        .collect();
    if rows.is_empty() {
        body.push_str(&empty("No test failed or flaked in the recent runs."));
    } else {
        body.push_str(&table(
            &[
                "score",
                "test",
                "suite",
                "results",
                "failures",
                "passed on retry",
                "same-commit flips",
                "last",
            ],
            &rows,
        ));
    }
    body.push_str("<h2>Quarantined</h2>");
    let rows: Vec<Vec<String>> = quarantined
        .iter()
        .map(|q| {
            vec![
                link(&url::test(&q.suite, &q.id, &f), &q.id),
                esc(&q.reason),
                esc(&when(q.created_at)),
                esc(&when(q.expires_at)),
                if q.auto {
                    "auto".into()
                } else {
                    "manual".into()
                },
            ]
        })
        .collect();
    if rows.is_empty() {
        body.push_str(&empty("No test is quarantined."));
    } else {
        body.push_str(&table(
            &["test", "reason", "since", "expires", "how"],
            &rows,
        ));
    }
    Ok(Html(shell(
        "Flaky tests",
        Section::Flaky,
        &f,
        &branches,
        &body,
    )))
}
