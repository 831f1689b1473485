//! The router and the server: routes, shared state, limits, binding and graceful shutdown.

use crate::db::{Db, Source};
use crate::error::ServeError;
use crate::security::{self, Limits};
use crate::{api, metrics, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use rigor_model::Config;
use std::net::SocketAddr;
use std::sync::Arc;

/// What `rigor serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: String,
    /// Bearer token for writes (ingestion, alert state); read-only without one.
    pub token: Option<String>,
    pub limits: Limits,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Db>,
    pub token: Option<Arc<str>>,
    pub config: Arc<Config>,
    /// Largest request body accepted (ingestion), in bytes.
    pub max_body: usize,
}

impl AppState {
    pub fn writable(&self) -> bool {
        self.token.is_some()
    }
}

/// Every route.
pub fn router(state: AppState, limits: &Limits) -> Router {
    let pages = Router::new()
        .route("/", get(pages::overview::page))
        .route("/runs", get(pages::run::list))
        .route("/runs/{id}", get(pages::run::page))
        .route("/tests", get(pages::test::list))
        .route("/test", get(pages::test::page))
        .route("/flaky", get(pages::flaky::page))
        .route("/slowest", get(pages::slowest::page))
        .route("/perf", get(pages::perf::list))
        .route("/perf/series/{id}", get(pages::perf::page))
        .route("/perf/alerts/{id}", post(pages::perf::change_alert))
        .route("/gates", get(pages::gates::page))
        .route("/rollouts", get(pages::rollouts::page));
    let api = Router::new()
        .route("/api/v1/", get(api::read::index))
        .route(
            "/api/v1/runs",
            get(api::read::runs).post(api::ingest::post_run),
        )
        .route("/api/v1/runs/{id}", get(api::read::run))
        .route("/api/v1/tests", get(api::read::tests))
        .route("/api/v1/tests/history", get(api::read::test_history))
        .route("/api/v1/flaky", get(api::read::flaky))
        .route("/api/v1/perf/series", get(api::read::perf_series))
        .route("/api/v1/perf/series/{id}", get(api::read::perf_one))
        .route("/api/v1/alerts", get(api::read::alerts))
        .route("/api/v1/alerts/{id}", post(api::ingest::post_alert))
        .route("/api/v1/gates", get(api::read::gates))
        .route("/api/v1/rollouts", get(api::read::rollouts));
    pages
        .merge(api)
        .route("/metrics", get(metrics::handler))
        .fallback(security::not_found)
        .layer(DefaultBodyLimit::max(limits.max_body))
        .layer(axum::middleware::from_fn_with_state(
            limits.request_timeout,
            security::time_limit,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// Parse and bind the address; warns (stderr) when binding beyond loopback without a token.
pub async fn bind(opts: &ServeOptions) -> Result<tokio::net::TcpListener, ServeError> {
    let addr: SocketAddr =
        opts.addr
            .parse()
            .map_err(|e: std::net::AddrParseError| ServeError::Addr {
                value: opts.addr.clone(),
                message: e.to_string(),
            })?;
    if let Some(w) = security::bind_warning(&addr, opts.token.is_some()) {
        eprintln!("warning: {w}");
    }
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.addr.clone(),
            source,
        })
}

/// A URL without the password of its user information.
fn without_password(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| {
        let (userinfo, host) = rest.rsplit_once('@')?;
        let (user, _) = userinfo.split_once(':')?;
        Some(format!("{scheme}://{user}:***@{host}"))
    }) {
        Some(shown) => shown,
        None => url.to_string(),
    }
}

/// The configured history: store.url's PostgreSQL database, else the SQLite file.
fn source(config: &Config) -> Result<Source, ServeError> {
    if let Some(url) = config.postgres_url() {
        return Ok(Source::Postgres(url.to_string()));
    }
    Ok(Source::Sqlite(
        config
            .sqlite_path()
            .map_err(|e| ServeError::Prepare(e.to_string()))?,
    ))
}

/// Serve on a bound listener until `shutdown` completes.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    config: Config,
    opts: &ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let db = Db::open_blocking(source(&config)?).await?;
    let state = AppState {
        db: Arc::new(db),
        token: opts.token.clone().map(Arc::from),
        config: Arc::new(config),
        max_body: opts.limits.max_body,
    };
    let app = router(state, &opts.limits);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// `rigor serve`: bind, say where, serve until Ctrl-C or SIGTERM.
pub fn run(config: Config, opts: &ServeOptions) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = bind(opts).await?;
        let local = listener.local_addr()?;
        eprintln!(
            "rigor serve: listening on http://{local}/ ({}), history {}",
            if opts.token.is_some() {
                "writes need the token"
            } else {
                "read-only"
            },
            match source(&config) {
                Ok(Source::Sqlite(p)) => p.display().to_string(),
                Ok(Source::Postgres(url)) => without_password(&url),
                Err(_) => String::new(),
            }
        );
        serve_listener(listener, config, opts, security::shutdown_signal()).await
    })
}
