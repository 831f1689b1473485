//! Rollouts: each blue-green rollout `rigor rollout` recorded, its decision and why.

use crate::app::AppState;
use crate::filter::Filter;
use crate::pages::PageResult;
use crate::queries;
use crate::render::layout::{Section, empty, page as shell, table};
use crate::render::{class_of, esc, short, when};
use axum::extract::{Query, State};
use axum::response::Html;
use rigor_release::rollout::record::{Row, recent};

/// Rollouts shown.
pub const LIMIT: usize = 50;

pub async fn page(State(st): State<AppState>, Query(f): Query<Filter>) -> PageResult {
    let (branches, rows) = st
        .db
        .with(move |s| Ok((queries::runs::branches(s)?, recent(s, LIMIT)?)))
        .await?;
    Ok(Html(shell(
        "Rollouts",
        Section::Rollouts,
        &f,
        &branches,
        &body(&rows),
    )))
}

fn body(rows: &[Row]) -> String {
    if rows.is_empty() {
        return empty("No rollouts yet: `rigor rollout` records each one with its analyses.");
    }
    let promoted = rows.iter().filter(|r| r.decision == "promoted").count();
    let mut s = format!(
        "<p>{} rollouts, {promoted} promoted, {} rolled back (newest first).</p>",
        rows.len(),
        rows.len() - promoted
    );
    let cells: Vec<Vec<String>> = rows.iter().map(cells).collect();
    s.push_str(&table(
        &[
            "#",
            "started",
            "commit",
            "blue → green",
            "steps",
            "decision",
            "reason",
            "green traffic",
            "analyses",
            "readiness",
        ],
        &cells,
    ));
    s
}

fn cells(r: &Row) -> Vec<String> {
    // Coloured as a pass or a failure, worded as recorded.
    let class = class_of(if r.decision == "promoted" {
        "passed"
    } else {
        "failed"
    });
    let mut decision = format!("<span class=\"{class}\">{}</span>", esc(&r.decision));
    if r.manual {
        decision.push_str(" (by hand)");
    }
    let readiness = if r.forced {
        format!("{} (forced)", esc(&r.readiness))
    } else {
        esc(&r.readiness)
    };
    vec![
        r.id.to_string(),
        esc(&when(r.started)),
        esc(&short(r.commit.as_deref())),
        format!("{} → {}", esc(&r.blue), esc(&r.green)),
        esc(&r.steps),
        decision,
        esc(&r.reason),
        format!("{:.1} s", r.green_exposure_s),
        r.analyses.to_string(),
        readiness,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(decision: &str, reason: &str) -> Row {
        Row {
            id: 3,
            started: 1_764_000_000.0,
            finished: 1_764_000_030.0,
            commit: Some("0123456789abcdef".into()),
            blue: "127.0.0.1:1".into(),
            green: "127.0.0.1:2".into(),
            steps: "[50,100]".into(),
            decision: decision.into(),
            manual: false,
            reason: reason.into(),
            forced: true,
            readiness: "gates failed: <coverage>".into(),
            green_exposure_s: 2.0,
            analyses: 2,
        }
    }

    #[test]
    fn a_rollback_shows_its_reason_escaped_and_its_forced_readiness() {
        let html = body(&[
            row("rolled_back", "error rate 20 % <vs> 0 %"),
            row("promoted", "ok"),
        ]);
        assert!(
            html.contains("2 rollouts, 1 promoted, 1 rolled back"),
            "{html}"
        );
        assert!(html.contains("error rate 20 % &lt;vs&gt; 0 %"), "{html}");
        assert!(
            html.contains(">rolled_back<") && html.contains(">promoted<"),
            "{html}"
        );
        assert!(
            html.contains("gates failed: &lt;coverage&gt; (forced)"),
            "{html}"
        );
        assert!(!html.contains("<coverage>") && !html.contains("<vs>"));
    }

    #[test]
    fn no_rollouts_says_how_to_get_one() {
        assert!(body(&[]).contains("rigor rollout"));
    }
}
