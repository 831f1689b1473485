//! The dashboard's pages, one module each. A handler reads what it shows in one call to the
//! history ([`crate::db::Db::with`]) and renders it with [`crate::render`].

pub mod flaky;
pub mod gates;
pub mod overview;
pub mod perf;
pub mod rollouts;
pub mod run;
pub mod slowest;
pub mod test;

use crate::error::HttpError;
use crate::render::esc;
use axum::response::{Html, IntoResponse, Response};

/// A page's error, shown as a small HTML page.
#[derive(Debug)]
pub struct PageError(pub HttpError);

impl From<HttpError> for PageError {
    fn from(e: HttpError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0} · rigor</title></head><body><h1>{0}</h1><p>{1}</p><p><a href=\"/\">overview</a></p></body></html>",
            self.0.status,
            esc(&self.0.message)
        );
        (self.0.status, Html(body)).into_response()
    }
}

pub type PageResult = Result<Html<String>, PageError>;
