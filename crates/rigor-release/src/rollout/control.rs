//! The control API of a running rollout (`GET /status`, `POST /promote`, `POST /abort`) and
//! the client `rigor rollout status|promote|abort` uses.

use super::controller::Control;
use crate::error::{ReleaseError, Result};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;

pub fn router(control: Arc<Control>) -> Router {
    Router::new()
        .route("/status", get(status))
        .route("/promote", post(promote))
        .route("/abort", post(abort))
        .with_state(control)
}

async fn status(State(c): State<Arc<Control>>) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::to_value(c.snapshot()).unwrap_or_default())
}

async fn promote(State(c): State<Arc<Control>>) -> axum::Json<serde_json::Value> {
    c.promote();
    axum::Json(serde_json::json!({"requested": "promote"}))
}

async fn abort(State(c): State<Arc<Control>>) -> axum::Json<serde_json::Value> {
    c.abort();
    axum::Json(serde_json::json!({"requested": "abort"}))
}

/// Call the control API of the rollout at `addr`: `GET /status` or `POST /promote|/abort`.
pub fn call(addr: &str, action: &str) -> Result<serde_json::Value> {
    let rt = crate::chaos::server::runtime()?;
    let unreachable = |m: String| ReleaseError::Refused {
        what: format!("no rollout answers on {addr}: {m}"),
        hint:
            "start one with `rigor rollout`, or give its control address with --control HOST:PORT"
                .into(),
    };
    rt.block_on(async {
        let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
        let method = if action == "status" { "GET" } else { "POST" };
        let req = hyper::Request::builder()
            .method(method)
            .uri(format!("http://{addr}/{action}"))
            .body(Empty::new())
            .map_err(|e| unreachable(e.to_string()))?;
        let resp = tokio::time::timeout(Duration::from_secs(5), client.request(req))
            .await
            .map_err(|_| unreachable("no answer within 5 s".into()))?
            .map_err(|e| unreachable(e.to_string()))?;
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| unreachable(e.to_string()))?
            .to_bytes();
        serde_json::from_slice(&body).map_err(|e| ReleaseError::Input {
            what: format!("the answer of {addr}/{action}"),
            message: e.to_string(),
        })
    })
}
