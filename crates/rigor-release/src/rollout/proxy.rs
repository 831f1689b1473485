//! The reverse proxy: HTTP/1.1 and HTTP/2 (prior knowledge) from clients, HTTP/1.1 with
//! keep-alive to the upstreams; each request goes to blue or green by the current weight, is
//! measured (time to the response head, 5xx or no answer = error), and counted in flight until
//! its body is sent, so a switch can wait for the side it leaves to drain.

use super::samples::{Recorder, Side};
use bytes_body::{ProxyBody, Tracked};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderName};
use hyper::{Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Where requests go and what they did.
pub struct Router {
    blue: String,
    green: String,
    /// Share of requests for green, per mille.
    green_permille: AtomicU32,
    inflight: [Arc<AtomicI64>; 2],
    counter: AtomicU64,
    pub recorder: Recorder,
    client: Client<HttpConnector, Incoming>,
}

fn index(side: Side) -> usize {
    match side {
        Side::Blue => 0,
        Side::Green => 1,
    }
}

impl Router {
    pub fn new(blue: String, green: String) -> Arc<Router> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(256)
            .build(connector);
        Arc::new(Router {
            blue,
            green,
            green_permille: AtomicU32::new(0),
            inflight: [Arc::new(AtomicI64::new(0)), Arc::new(AtomicI64::new(0))],
            counter: AtomicU64::new(0),
            recorder: Recorder::default(),
            client,
        })
    }

    pub fn addr(&self, side: Side) -> &str {
        match side {
            Side::Blue => &self.blue,
            Side::Green => &self.green,
        }
    }

    /// Send `percent` % of new requests to green; requests in flight finish where they are.
    pub fn set_green_percent(&self, percent: u32) {
        self.green_permille
            .store(percent.min(100) * 10, Ordering::SeqCst);
    }

    pub fn green_percent(&self) -> u32 {
        self.green_permille.load(Ordering::SeqCst) / 10
    }

    pub fn inflight(&self, side: Side) -> i64 {
        self.inflight[index(side)].load(Ordering::SeqCst)
    }

    /// The side of the next request: a low-discrepancy sequence keeps every window of
    /// requests close to the weight.
    fn choose(&self) -> Side {
        let p = self.green_permille.load(Ordering::SeqCst);
        if p == 0 {
            return Side::Blue;
        }
        if p >= 1000 {
            return Side::Green;
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let x = ((n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) % 1000) as u32;
        if x < p { Side::Green } else { Side::Blue }
    }

    /// Wait until no request of `side` is in flight, at most `timeout`; whether it drained.
    pub async fn drain(&self, side: Side, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while self.inflight(side) > 0 {
            if Instant::now() >= end {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    async fn handle(self: Arc<Self>, req: Request<Incoming>) -> Response<ProxyBody> {
        let side = self.choose();
        let guard = Inflight::new(self.inflight[index(side)].clone());
        let start = Instant::now();
        let upstream = match to_upstream(req, self.addr(side)) {
            Ok(r) => r,
            Err(text) => return plain(StatusCode::BAD_REQUEST, text),
        };
        match self.client.request(upstream).await {
            Ok(resp) => {
                let error = resp.status().is_server_error();
                self.recorder
                    .record(side, start.elapsed().as_secs_f64() * 1000.0, error);
                let (mut parts, body) = resp.into_parts();
                strip_hop_by_hop(&mut parts.headers);
                Response::from_parts(parts, Tracked::new(body, guard).boxed())
            }
            Err(e) => {
                self.recorder
                    .record(side, start.elapsed().as_secs_f64() * 1000.0, true);
                drop(guard);
                plain(
                    StatusCode::BAD_GATEWAY,
                    format!("rigor rollout: {} upstream failed: {e}\n", side.as_str()),
                )
            }
        }
    }
}

/// A request in flight on one side; the count drops when its response body is done.
pub struct Inflight(Arc<AtomicI64>);

impl Inflight {
    fn new(c: Arc<AtomicI64>) -> Self {
        c.fetch_add(1, Ordering::SeqCst);
        Inflight(c)
    }
}

impl Drop for Inflight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn plain(status: StatusCode, text: String) -> Response<ProxyBody> {
    let mut r = Response::new(
        Full::new(Bytes::from(text))
            .map_err(|never| match never {})
            .boxed(),
    );
    *r.status_mut() = status;
    r
}

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
];

fn strip_hop_by_hop(h: &mut hyper::HeaderMap) {
    for name in HOP_BY_HOP {
        h.remove(HeaderName::from_static(name));
    }
}

/// The client's request, addressed to `addr` over HTTP/1.1.
fn to_upstream(req: Request<Incoming>, addr: &str) -> Result<Request<Incoming>, String> {
    let (mut parts, body) = req.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    parts.uri = format!("http://{addr}{path}")
        .parse::<Uri>()
        .map_err(|e| format!("rigor rollout: bad request target: {e}\n"))?;
    if parts.version == Version::HTTP_2
        && !parts.headers.contains_key(header::HOST)
        && let Ok(v) = addr.parse()
    {
        parts.headers.insert(header::HOST, v);
    }
    parts.version = Version::HTTP_11;
    strip_hop_by_hop(&mut parts.headers);
    Ok(Request::from_parts(parts, body))
}

/// Serve the proxy on `listener` until `stop` changes.
pub async fn serve(listener: TcpListener, router: Arc<Router>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let r = router.clone();
                        async move { Ok::<_, std::convert::Infallible>(r.handle(req).await) }
                    });
                    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stop.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = stop.changed() => return,
        }
    }
}

/// Response bodies that keep their request counted in flight until they are done.
mod bytes_body {
    use super::Inflight;
    use http_body_util::combinators::BoxBody;
    use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub type ProxyBody = BoxBody<Bytes, hyper::Error>;

    pub struct Tracked {
        inner: Incoming,
        _inflight: Inflight,
    }

    impl Tracked {
        pub fn new(inner: Incoming, inflight: Inflight) -> Self {
            Tracked {
                inner,
                _inflight: inflight,
            }
        }
    }

    impl Body for Tracked {
        type Data = Bytes;
        type Error = hyper::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
            Pin::new(&mut self.inner).poll_frame(cx)
        }

        fn is_end_stream(&self) -> bool {
            self.inner.is_end_stream()
        }

        fn size_hint(&self) -> SizeHint {
            self.inner.size_hint()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every window of 1,000 consecutive requests sends the configured share to green,
        /// within 2 percentage points.
        #[test]
        fn routing_follows_the_weight(percent in 0u32..=100, skip in 0u64..100_000) {
            let r = Router::new("b:1".into(), "g:2".into());
            r.set_green_percent(percent);
            r.counter.store(skip, Ordering::Relaxed);
            let green = (0..1000).filter(|_| r.choose() == Side::Green).count() as i64;
            prop_assert!((green - percent as i64 * 10).abs() <= 20, "{green} of 1000 at {percent} %");
        }
    }
}
