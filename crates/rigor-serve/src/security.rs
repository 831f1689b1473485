//! Security and limits: the bearer token, the warning for a public bind without one, request
//! time and body limits, headers that keep pages self-contained, and 404 for anything else
//! (there are no static files, so no path can reach the file system).

use crate::error::HttpError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::time::Duration;

/// Request limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body accepted (ingestion), in bytes.
    pub max_body: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// A warning when the server listens beyond loopback without a token: then anyone who can
/// reach it reads the history (writes stay refused).
pub fn bind_warning(addr: &SocketAddr, has_token: bool) -> Option<String> {
    (!addr.ip().is_loopback() && !has_token).then(|| {
        format!(
            "listening on {addr}, beyond this machine, without --token: anyone who reaches it can read the history (writes are refused)\n  hint: bind 127.0.0.1, or set --token / RIGOR_SERVE_TOKEN and put it behind TLS"
        )
    })
}

/// Compare in time independent of where the strings differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Check a write: the server needs a token, and the request must present it (as
/// `Authorization: Bearer …`, or `form_token` from a page's form).
pub fn authorize(
    expected: Option<&str>,
    headers: &HeaderMap,
    form_token: Option<&str>,
) -> Result<(), HttpError> {
    let Some(expected) = expected else {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "this server is read-only: start `rigor serve` with --token (or RIGOR_SERVE_TOKEN) to accept writes",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or(form_token);
    match given {
        Some(g) if same(g.trim().as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "the token is wrong",
        )),
        None => Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "writes need the token: send `Authorization: Bearer TOKEN`",
        )),
    }
}

/// End a request that takes longer than the limit with 503.
pub async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s and was stopped",
                limit.as_secs_f64()
            ),
        )
            .into_response(),
    }
}

/// Headers on every answer: nothing may be loaded from elsewhere, no framing, no sniffing.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

/// Anything not routed.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_need_the_servers_token() {
        let mut h = HeaderMap::new();
        assert_eq!(
            authorize(None, &h, None).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            authorize(Some("s3"), &h, None).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer nope"),
        );
        assert_eq!(
            authorize(Some("s3"), &h, None).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer s3"));
        assert!(authorize(Some("s3"), &h, None).is_ok());
        assert!(authorize(Some("s3"), &HeaderMap::new(), Some("s3")).is_ok());
        assert!(authorize(Some("s3"), &HeaderMap::new(), Some("s4")).is_err());
    }

    /// A request over a real loopback connection to `app`; the raw answer.
    async fn roundtrip(app: axum::Router, request: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn a_request_past_the_time_limit_is_stopped_with_503() {
        use axum::routing::get;
        let app = axum::Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .route("/fast", get(|| async { "fast" }))
            .layer(axum::middleware::from_fn_with_state(
                Duration::from_millis(100),
                time_limit,
            ))
            .layer(axum::middleware::from_fn(headers));
        let started = std::time::Instant::now();
        let slow = roundtrip(
            app.clone(),
            "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(slow.starts_with("HTTP/1.1 503"), "{slow}");
        assert!(started.elapsed() < Duration::from_secs(3));
        let fast = roundtrip(
            app,
            "GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(
            fast.starts_with("HTTP/1.1 200") && fast.ends_with("fast"),
            "{fast}"
        );
        assert!(
            fast.to_ascii_lowercase()
                .contains("content-security-policy: default-src 'none'"),
            "{fast}"
        );
    }

    #[test]
    fn a_public_bind_without_token_is_warned_about() {
        let lo: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:1".parse().unwrap();
        let v6: SocketAddr = "[::1]:1".parse().unwrap();
        assert!(bind_warning(&lo, false).is_none());
        assert!(bind_warning(&v6, false).is_none());
        assert!(
            bind_warning(&any, false)
                .unwrap()
                .contains("without --token")
        );
        assert!(bind_warning(&any, true).is_none());
    }
}
