//! The JSON API, version 1, under `/api/v1/` (schema in docs/serve.md): reads in [`read`],
//! writes (ingestion, alert state) in [`ingest`]. Every answer is an object with
//! `"api": "rigor.serve/v1"`; errors are `{"api": …, "error": "…"}` with the HTTP status.

pub mod ingest;
pub mod read;

use crate::error::HttpError;
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The version tag of every answer.
pub const API: &str = "rigor.serve/v1";

/// An API error, as JSON.
#[derive(Debug)]
pub struct ApiError(pub HttpError);

impl From<HttpError> for ApiError {
    fn from(e: HttpError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.0.status,
            Json(json!({ "api": API, "error": self.0.message })),
        )
            .into_response()
    }
}

pub type ApiResult = Result<Json<Value>, ApiError>;

/// `{"api": "rigor.serve/v1", key: value}`.
pub fn answer(key: &str, value: impl serde::Serialize) -> Json<Value> {
    let mut m = serde_json::Map::new();
    m.insert("api".into(), Value::String(API.into()));
    m.insert(
        key.into(),
        serde_json::to_value(value).expect("API types serialize"),
    );
    Json(Value::Object(m))
}
