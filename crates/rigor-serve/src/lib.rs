//! `rigor serve`: the team's dashboard over the history — server-rendered pages with inline SVG
//! charts, a versioned JSON API under `/api/v1/` (with token-protected ingestion), and
//! Prometheus metrics in the OpenMetrics text format at `/metrics`.
//!
//! Layout: [`app`] builds the router and runs the server; [`db`] is the only place that opens
//! the history; [`queries`] holds every SQL read; [`pages`] (one module per page) and [`api`]
//! turn query results into HTML and JSON; [`render`] has the page shell and charts;
//! [`metrics`] the exposition; [`security`] the token, bind and limit rules.

pub mod api;
pub mod app;
pub mod db;
mod error;
pub mod filter;
pub mod metrics;
pub mod pages;
pub mod queries;
pub mod render;
pub mod security;

pub use app::{ServeOptions, bind, run, serve_listener};
pub use error::{HttpError, ServeError};
