//! Health checks: a side is healthy when `GET <path>` answers 2xx.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::{Duration, Instant};

/// One check, bounded by `timeout`.
pub async fn check(addr: &str, path: &str, timeout: Duration) -> Result<(), String> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let uri: hyper::Uri = format!("http://{addr}{path}")
        .parse()
        .map_err(|e| format!("bad health URL http://{addr}{path}: {e}"))?;
    match tokio::time::timeout(timeout, client.get(uri)).await {
        Err(_) => Err(format!("no answer within {timeout:?}")),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(resp)) => {
            let status = resp.status();
            let _ = resp.into_body().collect().await;
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("answered {status}"))
            }
        }
    }
}

/// Check every 100 ms until healthy or `within` has passed; the last failure otherwise.
pub async fn wait_healthy(addr: &str, path: &str, within: Duration) -> Result<Duration, String> {
    let start = Instant::now();
    loop {
        let last = match check(addr, path, Duration::from_secs(2)).await {
            Ok(()) => return Ok(start.elapsed()),
            Err(e) => e,
        };
        if start.elapsed() >= within {
            return Err(last);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
