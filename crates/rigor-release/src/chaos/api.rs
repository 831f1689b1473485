//! The Toxiproxy HTTP API over a [`Registry`]: the same routes, JSON shapes and status codes,
//! so existing Toxiproxy clients work unchanged.

use super::registry::{ApiError, ProxyRequest, Registry};
use super::toxics::ToxicRequest;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;

type Shared = State<Arc<Registry>>;

/// The version the `/version` route reports.
pub const VERSION: &str = concat!("rigor-chaos ", env!("CARGO_PKG_VERSION"));

pub fn router(registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/version", get(version))
        .route("/reset", post(reset))
        .route("/populate", post(populate))
        .route("/proxies", get(list).post(create))
        .route(
            "/proxies/{proxy}",
            get(show).post(update).patch(update).delete(delete),
        )
        .route("/proxies/{proxy}/toxics", get(toxics).post(add_toxic))
        .route(
            "/proxies/{proxy}/toxics/{toxic}",
            get(show_toxic)
                .post(update_toxic)
                .patch(update_toxic)
                .delete(delete_toxic),
        )
        .fallback(|| async { error(ApiError::new(404, "not found")) })
        .with_state(registry)
}

fn reply(status: u16, body: Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn error(e: ApiError) -> Response {
    reply(e.status, e.to_json())
}

fn answer(status: u16, r: Result<Value, ApiError>) -> Response {
    match r {
        Ok(v) => reply(status, v),
        Err(e) => error(e),
    }
}

fn no_content(r: Result<(), ApiError>) -> Response {
    match r {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(e),
    }
}

/// A JSON body (an empty one is the default value); a bad one is Toxiproxy's 400.
fn body<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::new(400, format!("bad request body: {e}")))
}

async fn version() -> Response {
    reply(200, json!({ "version": VERSION }))
}

async fn reset(State(r): Shared) -> Response {
    no_content(r.reset())
}

async fn populate(State(r): Shared, b: Bytes) -> Response {
    let reqs = match body::<Vec<ProxyRequest>>(&b) {
        Ok(v) => v,
        Err(e) => return error(e),
    };
    answer(201, r.populate(reqs).map(|p| json!({ "proxies": p })))
}

async fn list(State(r): Shared) -> Response {
    reply(200, r.list())
}

async fn create(State(r): Shared, b: Bytes) -> Response {
    answer(201, body(&b).and_then(|req| r.create(req)))
}

async fn show(State(r): Shared, Path(p): Path<String>) -> Response {
    answer(200, r.get(&p))
}

async fn update(State(r): Shared, Path(p): Path<String>, b: Bytes) -> Response {
    answer(200, body(&b).and_then(|req| r.update(&p, req)))
}

async fn delete(State(r): Shared, Path(p): Path<String>) -> Response {
    no_content(r.delete(&p))
}

async fn toxics(State(r): Shared, Path(p): Path<String>) -> Response {
    answer(200, r.toxics(&p))
}

async fn add_toxic(State(r): Shared, Path(p): Path<String>, b: Bytes) -> Response {
    answer(
        200,
        body::<ToxicRequest>(&b).and_then(|req| r.add_toxic(&p, req)),
    )
}

async fn show_toxic(State(r): Shared, Path((p, t)): Path<(String, String)>) -> Response {
    answer(200, r.get_toxic(&p, &t))
}

async fn update_toxic(
    State(r): Shared,
    Path((p, t)): Path<(String, String)>,
    b: Bytes,
) -> Response {
    answer(200, body(&b).and_then(|req| r.update_toxic(&p, &t, req)))
}

async fn delete_toxic(State(r): Shared, Path((p, t)): Path<(String, String)>) -> Response {
    no_content(r.delete_toxic(&p, &t))
}
