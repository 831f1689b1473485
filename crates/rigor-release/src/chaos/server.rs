//! A chaos server: the API and its proxies on a runtime of their own, so that synchronous
//! callers (the CLI, the test pipeline) can start one, use it, and stop it by dropping it.

use super::api;
use super::registry::Registry;
use crate::error::{ReleaseError, Result};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

pub struct ChaosServer {
    runtime: Option<Runtime>,
    registry: Arc<Registry>,
    api: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

/// A multi-threaded runtime with two workers (the proxies are I/O bound).
pub fn runtime() -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ReleaseError::io("start the async runtime", e))
}

impl ChaosServer {
    /// Bind the API on `addr` (port 0: any free port) and serve it in the background.
    pub fn start(addr: &str) -> Result<ChaosServer> {
        let runtime = runtime()?;
        let registry = Registry::new();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .map_err(|source| ReleaseError::Listen {
                addr: addr.into(),
                source,
            })?;
        let api = listener
            .local_addr()
            .map_err(|e| ReleaseError::io("read the API address", e))?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = api::router(registry.clone());
        runtime.spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(ChaosServer {
            runtime: Some(runtime),
            registry,
            api,
            shutdown: Some(tx),
        })
    }

    pub fn api_addr(&self) -> SocketAddr {
        self.api
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Run `f` inside the server's runtime (registry calls start listener tasks).
    pub fn enter<T>(&self, f: impl FnOnce(&Registry) -> T) -> T {
        let rt = self.runtime.as_ref().expect("runtime until drop");
        let _guard = rt.enter();
        f(&self.registry)
    }

    /// Wait until Ctrl-C or SIGTERM (the `rigor chaos serve` foreground mode).
    pub fn wait_for_signal(&self) {
        let rt = self.runtime.as_ref().expect("runtime until drop");
        rt.block_on(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async {
                    match term.as_mut() {
                        Some(t) => { t.recv().await; }
                        None => std::future::pending::<()>().await,
                    }
                } => {}
            }
        });
    }
}

impl Drop for ChaosServer {
    fn drop(&mut self) {
        self.enter(|r| r.stop_all());
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(2));
        }
    }
}
