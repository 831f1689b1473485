//! A small HTTP service for the rollout benchmark (bench/rollout.sh):
//! `bench_service ADDR [ERROR_RATE] [DELAY_MS]` answers `GET /health` with 200 and every other
//! request with 200 "ok", or 500 for ERROR_RATE of them (every k-th, deterministically), after
//! DELAY_MS milliseconds (fractions allowed).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let error_rate: f64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(0.0);
    let delay_ms: f64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(0.0);
    let count = Arc::new(AtomicU64::new(0));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let count = count.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let count = count.clone();
                    async move {
                        if req.uri().path() == "/health" {
                            return Ok::<_, std::convert::Infallible>(Response::new(Full::new(
                                Bytes::from("healthy"),
                            )));
                        }
                        let n = count.fetch_add(1, Ordering::Relaxed) + 1;
                        if delay_ms > 0.0 {
                            tokio::time::sleep(Duration::from_secs_f64(delay_ms / 1000.0)).await;
                        }
                        let fail =
                            error_rate > 0.0 && (n as f64 * error_rate) % 1.0 < error_rate - 1e-9;
                        let mut r =
                            Response::new(Full::new(Bytes::from(if fail { "boom" } else { "ok" })));
                        if fail {
                            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                        }
                        Ok(r)
                    }
                });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
