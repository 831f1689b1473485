//! Tests: the list (searchable) and one test — outcome history strip, duration trend,
//! flakiness score with its evidence, quarantine state, recent failures.

use crate::app::AppState;
use crate::error::HttpError;
use crate::filter::{Filter, now};
use crate::pages::PageResult;
use crate::queries::{self, tests::HistoryRow, tests::QuarantineRow, tests::TestInfo};
use crate::render::layout::{Section, empty, link, page as shell, table, word};
use crate::render::{charts, esc, secs, short, url, when};
use axum::extract::{Query, State};
use axum::response::Html;
use rigor_plan::flaky::FlakyScore;
use serde::Deserialize;
use std::fmt::Write as _;

/// Results shown on a test's page.
pub const HISTORY: usize = 100;
/// Tests per page of the list.
const PAGE: usize = 100;

#[derive(Debug, Deserialize)]
pub struct TestQuery {
    pub suite: String,
    pub id: String,
    #[serde(flatten)]
    pub filter: Filter,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    #[serde(default)]
    pub offset: usize,
    #[serde(flatten)]
    pub filter: Filter,
}

pub async fn list(State(st): State<AppState>, Query(q): Query<ListQuery>) -> PageResult {
    let search = q.q.clone().filter(|s| !s.is_empty());
    let offset = q.offset;
    let (branches, tests) = st
        .db
        .with(move |s| {
            Ok((
                queries::runs::branches(s)?,
                queries::tests::list(s, search.as_deref(), PAGE, offset)?,
            ))
        })
        .await?;
    let f = &q.filter;
    let mut body = format!(
        "<form method=\"get\" action=\"/tests\"><label>test id contains <input name=\"q\" value=\"{}\"></label> <button type=\"submit\">search</button></form>",
        esc(q.q.as_deref().unwrap_or(""))
    );
    let rows: Vec<Vec<String>> = tests
        .iter()
        .map(|t| {
            vec![
                link(&url::test(&t.suite, &t.id, f), &t.id),
                esc(&t.suite),
                t.last_outcome.as_deref().map(word).unwrap_or_default(),
                t.last_duration_s.map(secs).unwrap_or_default(),
                t.last_run
                    .map(|r| link(&url::run(r), &format!("#{r}")))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    if rows.is_empty() {
        body.push_str(&empty("No tests match."));
    } else {
        body.push_str(&table(
            &["test", "suite", "last outcome", "last duration", "last run"],
            &rows,
        ));
    }
    if tests.len() == PAGE {
        let extra = format!(
            "q={}&offset={}",
            url::encode(q.q.as_deref().unwrap_or("")),
            offset + PAGE
        );
        body.push_str(&link(&url::with_filter("/tests", &extra, f), "more →"));
    }
    Ok(Html(shell("Tests", Section::Tests, f, &branches, &body)))
}

struct Data {
    branches: Vec<String>,
    test: TestInfo,
    history: Vec<HistoryRow>,
    score: FlakyScore,
    quarantines: Vec<QuarantineRow>,
}

pub async fn page(State(st): State<AppState>, Query(q): Query<TestQuery>) -> PageResult {
    let (suite, id, f) = (q.suite.clone(), q.id.clone(), q.filter.clone());
    let d = st
        .db
        .with(move |s| {
            let now = now();
            let test = queries::tests::find(s, &suite, &id)?.ok_or_else(|| {
                HttpError::not_found(format!("there is no test `{id}` in suite `{suite}`"))
            })?;
            let history = queries::tests::history(s, &test, &f, now, HISTORY)?;
            let window = &history[..history.len().min(queries::flaky::SCORE_WINDOW)];
            Ok(Data {
                branches: queries::runs::branches(s)?,
                score: queries::tests::flaky_score(window),
                quarantines: queries::tests::quarantines(s, &suite, &id, now)?,
                history,
                test,
            })
        })
        .await?;
    let body = body(&d, &q.filter);
    Ok(Html(shell(
        &d.test.id,
        Section::Tests,
        &q.filter,
        &d.branches,
        &body,
    )))
}

fn body(d: &Data, f: &Filter) -> String {
    let t = &d.test;
    let mut s = format!(
        "<p>suite <b>{}</b>{}</p>",
        esc(&t.suite),
        t.file
            .as_deref()
            .map(|file| format!(
                " · {}{}",
                esc(file),
                t.line.map(|l| format!(":{l}")).unwrap_or_default()
            ))
            .unwrap_or_default()
    );
    quarantine(&mut s, &d.quarantines);
    if d.history.is_empty() {
        s.push_str(&empty("No results in this filter."));
        return s;
    }
    let _ = write!(
        s,
        "<h2>Outcome history (last {}, oldest left)</h2>{}<h2>Duration</h2>{}",
        d.history.len(),
        charts::outcome_strip(&d.history),
        charts::duration_trend(&d.history)
    );
    flakiness(&mut s, &d.score, f);
    s.push_str("<h2>Results</h2>");
    let rows: Vec<Vec<String>> = d
        .history
        .iter()
        .map(|h| {
            vec![
                link(&url::run(h.run_id), &format!("#{}", h.run_id)),
                esc(&when(h.started_at)),
                esc(h.branch.as_deref().unwrap_or("–")),
                esc(&short(h.commit.as_deref())),
                word(&h.outcome),
                secs(h.duration_s),
                h.attempts.to_string(),
                h.excerpt
                    .as_deref()
                    .map(|e| {
                        format!(
                            "<details><summary>excerpt</summary><pre>{}</pre></details>",
                            esc(e)
                        )
                    })
                    .unwrap_or_default(),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "run", "started", "branch", "commit", "outcome", "duration", "attempts", "failure",
        ],
        &rows,
    ));
    s
}

fn quarantine(s: &mut String, qs: &[QuarantineRow]) {
    match qs.iter().find(|q| q.active) {
        Some(q) => {
            let _ = write!(
                s,
                "<p class=\"warn\">Quarantined{} until {}: {}</p>",
                if q.auto { " automatically" } else { "" },
                esc(&when(q.expires_at)),
                esc(&q.reason)
            );
        }
        None => s.push_str("<p class=\"muted\">Not quarantined.</p>"),
    }
}

fn flakiness(s: &mut String, sc: &FlakyScore, f: &Filter) {
    let _ = write!(
        s,
        "<h2>Flakiness</h2><p>score <b>{:.2}</b> over the last {} results (<a href=\"{}\">flaky board</a>)</p>",
        sc.score,
        sc.runs,
        esc(&url::with_filter("/flaky", "", f))
    );
    s.push_str(&table(
        &[
            "failures",
            "passed on retry",
            "flips on the same commit",
            "pass/fail alternations",
        ],
        &[vec![
            sc.failures.to_string(),
            sc.retried_passes.to_string(),
            sc.same_commit_flips.to_string(),
            sc.alternations.to_string(),
        ]],
    ));
}
