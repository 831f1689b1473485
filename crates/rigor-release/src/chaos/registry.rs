//! The proxies of a chaos server: create, update, enable/disable, delete, their toxics.
//! Each enabled proxy has a listener task; its connections see toxic changes at once.

use super::link::{self, ToxicSet};
use super::toxics::{Toxic, ToxicRequest};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::ToSocketAddrs;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// An API error: Toxiproxy's status codes with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn to_json(&self) -> Value {
        json!({"error": self.message, "status": self.status})
    }
}

type Result<T> = std::result::Result<T, ApiError>;

/// A proxy in a request body (create, update, populate).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ProxyRequest {
    pub name: Option<String>,
    pub listen: Option<String>,
    pub upstream: Option<String>,
    pub enabled: Option<bool>,
}

struct Proxy {
    name: String,
    listen: String,
    upstream: String,
    enabled: bool,
    toxics: watch::Sender<ToxicSet>,
    /// While listening: dropping it stops the listener and every connection.
    stop: Option<watch::Sender<bool>>,
}

impl Proxy {
    fn to_json(&self) -> Value {
        let toxics: Vec<Value> = self.toxics.borrow().iter().map(Toxic::to_json).collect();
        json!({
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "toxics": toxics,
        })
    }

    fn start(&mut self) -> Result<()> {
        if self.stop.is_some() {
            return Ok(());
        }
        let listener = bind(&self.listen)?;
        let local = listener
            .local_addr()
            .map_err(|e| ApiError::new(500, e.to_string()))?;
        self.listen = local.to_string();
        let (stop_tx, stop_rx) = watch::channel(false);
        let upstream = self.upstream.clone();
        let toxics = self.toxics.subscribe();
        tokio::spawn(accept_loop(listener, upstream, toxics, stop_rx));
        self.stop = Some(stop_tx);
        self.enabled = true;
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(true);
        }
        self.enabled = false;
    }
}

fn bind(listen: &str) -> Result<TcpListener> {
    let addrs = listen
        .to_socket_addrs()
        .map_err(|e| ApiError::new(400, format!("cannot resolve listen address {listen}: {e}")))?;
    let mut last = None;
    for a in addrs {
        match std::net::TcpListener::bind(a) {
            Ok(l) => {
                l.set_nonblocking(true)
                    .map_err(|e| ApiError::new(500, e.to_string()))?;
                return TcpListener::from_std(l).map_err(|e| ApiError::new(500, e.to_string()));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(ApiError::new(
        500,
        format!(
            "listen {listen}: {}",
            last.map(|e| e.to_string()).unwrap_or("no address".into())
        ),
    ))
}

static SEED: AtomicU64 = AtomicU64::new(0x1234_5678);

async fn accept_loop(
    listener: TcpListener,
    upstream: String,
    toxics: watch::Receiver<ToxicSet>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { continue };
                let seed = SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
                    ^ std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_nanos() as u64)
                        .unwrap_or(0);
                tokio::spawn(link::serve(client, upstream.clone(), toxics.clone(), stop.clone(), seed));
            }
            _ = stop.changed() => return,
        }
    }
}

/// Every proxy of one server.
#[derive(Default)]
pub struct Registry {
    proxies: Mutex<BTreeMap<String, Proxy>>,
}

fn not_found() -> ApiError {
    ApiError::new(404, "proxy not found")
}

impl Registry {
    pub fn new() -> Arc<Registry> {
        Arc::new(Registry::default())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Proxy>> {
        self.proxies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every proxy, name → proxy.
    pub fn list(&self) -> Value {
        Value::Object(
            self.lock()
                .iter()
                .map(|(n, p)| (n.clone(), p.to_json()))
                .collect(),
        )
    }

    pub fn create(&self, req: ProxyRequest) -> Result<Value> {
        let name = req
            .name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ApiError::new(400, "missing required field: name"))?;
        let upstream = req
            .upstream
            .filter(|u| !u.is_empty())
            .ok_or_else(|| ApiError::new(400, "missing required field: upstream"))?;
        let mut map = self.lock();
        if map.contains_key(&name) {
            return Err(ApiError::new(409, "proxy already exists"));
        }
        let (toxics, _) = watch::channel(Arc::new(Vec::new()));
        let mut p = Proxy {
            name: name.clone(),
            listen: req.listen.unwrap_or_else(|| "127.0.0.1:0".into()),
            upstream,
            enabled: false,
            toxics,
            stop: None,
        };
        if req.enabled.unwrap_or(true) {
            p.start()?;
        }
        let json = p.to_json();
        map.insert(name, p);
        Ok(json)
    }

    pub fn get(&self, name: &str) -> Result<Value> {
        self.lock()
            .get(name)
            .map(Proxy::to_json)
            .ok_or_else(not_found)
    }

    /// Change a proxy's listen address, upstream or enabled state; a new address or upstream
    /// restarts its listener (open connections are closed).
    pub fn update(&self, name: &str, req: ProxyRequest) -> Result<Value> {
        let mut map = self.lock();
        let p = map.get_mut(name).ok_or_else(not_found)?;
        let moved = req.listen.as_ref().is_some_and(|l| *l != p.listen)
            || req.upstream.as_ref().is_some_and(|u| *u != p.upstream);
        let enabled = req.enabled.unwrap_or(p.enabled);
        if moved || !enabled {
            p.stop();
        }
        if let Some(l) = req.listen {
            p.listen = l;
        }
        if let Some(u) = req.upstream {
            p.upstream = u;
        }
        if enabled {
            p.start()?;
        }
        Ok(p.to_json())
    }

    pub fn delete(&self, name: &str) -> Result<()> {
        let mut p = self.lock().remove(name).ok_or_else(not_found)?;
        p.stop();
        Ok(())
    }

    /// Enable every proxy and remove every toxic.
    pub fn reset(&self) -> Result<()> {
        for p in self.lock().values_mut() {
            p.toxics.send_replace(Arc::new(Vec::new()));
            p.start()?;
        }
        Ok(())
    }

    /// Create or replace each proxy of the list (a proxy with the same listen address and
    /// upstream is kept, with its toxics); all proxies after the call, in request order.
    pub fn populate(&self, reqs: Vec<ProxyRequest>) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        for req in reqs {
            let name = req.name.clone().unwrap_or_default();
            let same = {
                let map = self.lock();
                map.get(&name).is_some_and(|p| {
                    req.upstream.as_deref() == Some(p.upstream.as_str())
                        && req.listen.as_deref().is_none_or(|l| l == p.listen)
                })
            };
            if same {
                out.push(self.update(&name, req)?);
                continue;
            }
            let _ = self.delete(&name);
            out.push(self.create(req)?);
        }
        Ok(out)
    }

    fn with_toxics<T>(
        &self,
        proxy: &str,
        f: impl FnOnce(&mut Vec<Toxic>) -> Result<T>,
    ) -> Result<T> {
        let map = self.lock();
        let p = map.get(proxy).ok_or_else(not_found)?;
        let mut list: Vec<Toxic> = p.toxics.borrow().as_ref().clone();
        let out = f(&mut list)?;
        p.toxics.send_replace(Arc::new(list));
        Ok(out)
    }

    fn read_toxics<T>(&self, proxy: &str, f: impl FnOnce(&[Toxic]) -> Result<T>) -> Result<T> {
        let map = self.lock();
        let p = map.get(proxy).ok_or_else(not_found)?;
        let set = p.toxics.borrow().clone();
        f(&set)
    }

    pub fn toxics(&self, proxy: &str) -> Result<Value> {
        self.read_toxics(proxy, |l| {
            Ok(Value::Array(l.iter().map(Toxic::to_json).collect()))
        })
    }

    pub fn add_toxic(&self, proxy: &str, req: ToxicRequest) -> Result<Value> {
        let toxic = Toxic::create(req).map_err(|e| ApiError::new(400, e))?;
        self.with_toxics(proxy, |l| {
            if l.iter().any(|t| t.name == toxic.name) {
                return Err(ApiError::new(409, "toxic already exists"));
            }
            let json = toxic.to_json();
            l.push(toxic);
            Ok(json)
        })
    }

    pub fn get_toxic(&self, proxy: &str, name: &str) -> Result<Value> {
        self.read_toxics(proxy, |l| {
            l.iter()
                .find(|t| t.name == name)
                .map(Toxic::to_json)
                .ok_or_else(|| ApiError::new(404, "toxic not found"))
        })
    }

    pub fn update_toxic(&self, proxy: &str, name: &str, req: ToxicRequest) -> Result<Value> {
        self.with_toxics(proxy, |l| {
            let t = l
                .iter_mut()
                .find(|t| t.name == name)
                .ok_or_else(|| ApiError::new(404, "toxic not found"))?;
            *t = t.updated(req).map_err(|e| ApiError::new(400, e))?;
            Ok(t.to_json())
        })
    }

    pub fn delete_toxic(&self, proxy: &str, name: &str) -> Result<()> {
        self.with_toxics(proxy, |l| {
            let before = l.len();
            l.retain(|t| t.name != name);
            if l.len() == before {
                return Err(ApiError::new(404, "toxic not found"));
            }
            Ok(())
        })
    }

    /// The listen address of a proxy (after binding: the real port).
    pub fn listen_of(&self, proxy: &str) -> Option<String> {
        self.lock().get(proxy).map(|p| p.listen.clone())
    }

    /// Stop every proxy (the server shuts down).
    pub fn stop_all(&self) {
        for p in self.lock().values_mut() {
            p.stop();
        }
    }
}
