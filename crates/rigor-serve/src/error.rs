//! Errors: starting the server ([`ServeError`]) and answering a request ([`HttpError`]).

use axum::http::StatusCode;
use rigor_model::exit::{self, HasExitCode};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServeError {
    #[error(
        "cannot listen on {addr}: {source}\n  hint: pick another --addr (port 0 picks a free one)"
    )]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "`{value}` is not an address to listen on: {message}\n  hint: use HOST:PORT, e.g. 127.0.0.1:8765"
    )]
    Addr { value: String, message: String },
    #[error("the server failed: {0}\n  hint: see the message above; restart `rigor serve`")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
    #[error("cannot prepare the history for serving: {0}")]
    Prepare(String),
}

impl HasExitCode for ServeError {
    fn exit_code(&self) -> i32 {
        match self {
            ServeError::Store(e) => e.exit_code(),
            _ => exit::USAGE,
        }
    }
}

/// An answer other than success: its status and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
        }
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, what)
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<rusqlite::Error> for HttpError {
    fn from(e: rusqlite::Error) -> Self {
        HttpError::internal(format!("history query failed: {e}"))
    }
}

impl From<rigor_store::StoreError> for HttpError {
    fn from(e: rigor_store::StoreError) -> Self {
        HttpError::internal(e.to_string())
    }
}

impl From<rigor_release::ReleaseError> for HttpError {
    fn from(e: rigor_release::ReleaseError) -> Self {
        HttpError::internal(e.to_string())
    }
}

impl From<rigor_perf::PerfError> for HttpError {
    fn from(e: rigor_perf::PerfError) -> Self {
        HttpError::internal(e.to_string())
    }
}
