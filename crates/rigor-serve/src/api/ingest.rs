//! Writes: `POST /api/v1/runs` imports a rigor run JSON or a JUnit XML file as a run (read by
//! `rigor merge`'s readers; nothing is written unless the whole body reads), and
//! `POST /api/v1/alerts/{id}` changes an alert's state. Both need the bearer token.

use super::{API, ApiError};
use crate::app::AppState;
use crate::error::HttpError;
use crate::security;
use axum::Json;
use axum::body::to_bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, Default)]
pub struct IngestQuery {
    /// Commit and branch for a file that does not name them (JUnit).
    pub commit: Option<String>,
    pub branch: Option<String>,
    /// The file's name, used in error locations (`name:line:column`); default `body`.
    pub name: Option<String>,
}

/// The name of a body in errors: a plain file name, never a path.
fn label(name: Option<&str>) -> String {
    let n = name
        .unwrap_or("body")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("body")
        .trim();
    if n.is_empty() || n == ".." || n == "." {
        "body".into()
    } else {
        n.chars().take(100).collect()
    }
}

pub async fn post_run(
    State(st): State<AppState>,
    Query(q): Query<IngestQuery>,
    req: Request,
) -> Result<Response, ApiError> {
    security::authorize(st.token.as_deref(), req.headers(), None)?;
    let too_big = || {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is larger than this server accepts ({} bytes; rigor serve --max-body-mib); nothing was written",
                st.max_body
            ),
        )
    };
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > st.max_body) {
        return Err(too_big().into());
    }
    let bytes = to_bytes(req.into_body(), st.max_body).await.map_err(|e| {
        if e.to_string().contains("length limit") {
            too_big()
        } else {
            HttpError::bad_request(format!("cannot read the body: {e}"))
        }
    })?;
    let name = label(q.name.as_deref());
    let mut imported = rigor_pipeline::merge::parse(std::path::Path::new(&name), bytes.to_vec())
        .map_err(|e| HttpError::bad_request(e.to_string()))?;
    if imported.results.is_empty() {
        return Err(HttpError::bad_request(format!(
            "{name}: the file has no test results; nothing was written"
        ))
        .into());
    }
    imported.commit = imported.commit.or(q.commit);
    imported.branch = imported.branch.or(q.branch);
    let n = imported.results.len();
    let run_id = st
        .db
        .with(move |s| {
            rigor_pipeline::merge::record(
                s,
                &imported,
                "api",
                "POST /api/v1/runs",
                crate::filter::now(),
            )
            .map_err(|e| HttpError::internal(e.to_string()))
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "api": API, "run_id": run_id, "results": n })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct AlertBody {
    pub state: String,
    pub note: Option<String>,
}

pub async fn post_alert(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    security::authorize(st.token.as_deref(), &headers, None)?;
    let b: AlertBody = serde_json::from_slice(&body)
        .map_err(|e| HttpError::bad_request(format!("body:{}:{}: {e}", e.line(), e.column())))?;
    let state = crate::pages::perf::parse_state(&b.state)?;
    crate::pages::perf::set_alert_state(&st, id, state, b.note).await?;
    Ok(Json(json!({ "api": API, "id": id, "state": state.as_str() })).into_response())
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn body_names_are_plain_file_names() {
        assert_eq!(label(None), "body");
        assert_eq!(label(Some("../../etc/passwd")), "passwd");
        assert_eq!(label(Some("..")), "body");
        assert_eq!(label(Some("shard-1.xml")), "shard-1.xml");
    }
}
