//! `[chaos]` scenarios: the proxies (with their toxics) of rigor.toml, started before the
//! `chaos`-marked tests and torn down after them; the tests find them through environment
//! variables.

use super::registry::ProxyRequest;
use super::server::ChaosServer;
use super::toxics::ToxicRequest;
use crate::error::{ReleaseError, Result};
use rigor_model::config::{ChaosConfig, ChaosToxicConfig};
use std::collections::BTreeMap;

/// A running scenario; dropping it stops the proxies and the API.
pub struct Scenario {
    server: ChaosServer,
    env: BTreeMap<String, String>,
}

impl Scenario {
    /// Start every proxy of `config` with its toxics. Errors name the proxy.
    pub fn start(config: &ChaosConfig) -> Result<Scenario> {
        let server = ChaosServer::start(config.api.as_deref().unwrap_or("127.0.0.1:0"))?;
        let api = server.api_addr();
        let mut env = BTreeMap::new();
        env.insert("RIGOR_CHAOS_API".into(), format!("http://{api}"));
        env.insert("RIGOR_CHAOS_API_HOST".into(), api.ip().to_string());
        env.insert("RIGOR_CHAOS_API_PORT".into(), api.port().to_string());
        env.insert("TOXIPROXY_URL".into(), format!("http://{api}"));
        for p in &config.proxy {
            let what = format!("[chaos] proxy `{}`", p.name);
            let listen = server
                .enter(|r| {
                    r.create(ProxyRequest {
                        name: Some(p.name.clone()),
                        listen: p.listen.clone(),
                        upstream: Some(p.upstream.clone()),
                        enabled: p.enabled,
                    })?;
                    for t in &p.toxics {
                        r.add_toxic(&p.name, toxic_request(t)?)?;
                    }
                    Ok(r.listen_of(&p.name).unwrap_or_default())
                })
                .map_err(|e: super::registry::ApiError| {
                    ReleaseError::config(
                        &what,
                        e.message,
                        "each [[chaos.proxy]] needs a unique `name`, an `upstream` HOST:PORT, and toxics with Toxiproxy's types and attributes (docs/release.md)",
                    )
                })?;
            let key = env_name(&p.name);
            if let Some((host, port)) = listen.rsplit_once(':') {
                env.insert(
                    format!("RIGOR_CHAOS_{key}_HOST"),
                    host.trim_matches(['[', ']']).into(),
                );
                env.insert(format!("RIGOR_CHAOS_{key}_PORT"), port.into());
            }
            env.insert(format!("RIGOR_CHAOS_{key}_ADDR"), listen);
        }
        Ok(Scenario { server, env })
    }

    /// The variables the tests see: `RIGOR_CHAOS_API` (and `TOXIPROXY_URL`), per proxy
    /// `RIGOR_CHAOS_<NAME>_ADDR`, `_HOST`, `_PORT`.
    pub fn env(&self) -> &BTreeMap<String, String> {
        &self.env
    }

    pub fn server(&self) -> &ChaosServer {
        &self.server
    }
}

fn toxic_request(
    t: &ChaosToxicConfig,
) -> std::result::Result<ToxicRequest, super::registry::ApiError> {
    let bad = |m: String| super::registry::ApiError::new(400, m);
    let attributes = match serde_json::to_value(&t.attributes).map_err(|e| bad(e.to_string()))? {
        serde_json::Value::Object(m) => m,
        _ => Default::default(),
    };
    let stream = match t.stream.as_deref() {
        None => None,
        Some(s) => Some(
            serde_json::from_value(serde_json::Value::String(s.into()))
                .map_err(|_| bad(format!("stream must be upstream or downstream, got `{s}`")))?,
        ),
    };
    Ok(ToxicRequest {
        name: t.name.clone(),
        kind: Some(t.kind.clone()),
        stream,
        toxicity: t.toxicity,
        attributes: Some(attributes),
    })
}

/// `redis-main` → `REDIS_MAIN`.
pub fn env_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_variable_names() {
        assert_eq!(env_name("redis-main.1"), "REDIS_MAIN_1");
    }
}
