//! Toxics: what a proxy does to the data of a connection, one module per kind, with
//! Toxiproxy's names and attributes. A toxic applies to one stream (upstream: client → server,
//! downstream: server → client) of a share (`toxicity`, 0–1) of the connections.

mod attrs;
pub mod bandwidth;
pub mod latency;
pub mod limit_data;
pub mod reset_peer;
pub mod slicer;
pub mod slow_close;
pub mod timeout;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Upstream,
    Downstream,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Upstream => "upstream",
            Stream::Downstream => "downstream",
        }
    }
}

/// A toxic's kind with its attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Latency(latency::Latency),
    Bandwidth(bandwidth::Bandwidth),
    SlowClose(slow_close::SlowClose),
    Timeout(timeout::Timeout),
    ResetPeer(reset_peer::ResetPeer),
    Slicer(slicer::Slicer),
    LimitData(limit_data::LimitData),
}

pub const TYPES: &[&str] = &[
    "latency",
    "bandwidth",
    "slow_close",
    "timeout",
    "reset_peer",
    "slicer",
    "limit_data",
];

impl Kind {
    pub fn parse(kind: &str, attrs: &Map<String, Value>) -> Result<Kind, String> {
        Ok(match kind {
            "latency" => Kind::Latency(latency::Latency::parse(attrs)?),
            "bandwidth" => Kind::Bandwidth(bandwidth::Bandwidth::parse(attrs)?),
            "slow_close" => Kind::SlowClose(slow_close::SlowClose::parse(attrs)?),
            "timeout" => Kind::Timeout(timeout::Timeout::parse(attrs)?),
            "reset_peer" => Kind::ResetPeer(reset_peer::ResetPeer::parse(attrs)?),
            "slicer" => Kind::Slicer(slicer::Slicer::parse(attrs)?),
            "limit_data" => Kind::LimitData(limit_data::LimitData::parse(attrs)?),
            other => {
                return Err(format!(
                    "invalid toxic type `{other}` (known: {})",
                    TYPES.join(", ")
                ));
            }
        })
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Latency(_) => "latency",
            Kind::Bandwidth(_) => "bandwidth",
            Kind::SlowClose(_) => "slow_close",
            Kind::Timeout(_) => "timeout",
            Kind::ResetPeer(_) => "reset_peer",
            Kind::Slicer(_) => "slicer",
            Kind::LimitData(_) => "limit_data",
        }
    }

    pub fn attributes(&self) -> Value {
        match self {
            Kind::Latency(t) => t.attributes(),
            Kind::Bandwidth(t) => t.attributes(),
            Kind::SlowClose(t) => t.attributes(),
            Kind::Timeout(t) => t.attributes(),
            Kind::ResetPeer(t) => t.attributes(),
            Kind::Slicer(t) => t.attributes(),
            Kind::LimitData(t) => t.attributes(),
        }
    }
}

/// A toxic as the API knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Toxic {
    pub name: String,
    pub stream: Stream,
    pub toxicity: f64,
    pub kind: Kind,
}

/// A toxic in a request body: every field optional but `type` (on create).
#[derive(Debug, Default, Deserialize)]
pub struct ToxicRequest {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub stream: Option<Stream>,
    pub toxicity: Option<f64>,
    pub attributes: Option<Map<String, Value>>,
}

impl Toxic {
    /// A new toxic from a create request; the name defaults to `<type>_<stream>`.
    pub fn create(req: ToxicRequest) -> Result<Toxic, String> {
        let kind_name = req.kind.ok_or("missing required field: type")?;
        let stream = req.stream.unwrap_or(Stream::Downstream);
        let toxicity = check_toxicity(req.toxicity.unwrap_or(1.0))?;
        let kind = Kind::parse(&kind_name, &req.attributes.unwrap_or_default())?;
        let name = req
            .name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("{kind_name}_{}", stream.as_str()));
        Ok(Toxic {
            name,
            stream,
            toxicity,
            kind,
        })
    }

    /// This toxic with an update's fields over it (attributes merged key by key); the name and
    /// type stay.
    pub fn updated(&self, req: ToxicRequest) -> Result<Toxic, String> {
        if let Some(k) = &req.kind
            && k != self.kind.type_name()
        {
            return Err(format!(
                "cannot change the type of toxic `{}` from {} to {k}",
                self.name,
                self.kind.type_name()
            ));
        }
        let mut attrs = match self.kind.attributes() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        for (k, v) in req.attributes.unwrap_or_default() {
            attrs.insert(k, v);
        }
        Ok(Toxic {
            name: self.name.clone(),
            stream: req.stream.unwrap_or(self.stream),
            toxicity: check_toxicity(req.toxicity.unwrap_or(self.toxicity))?,
            kind: Kind::parse(self.kind.type_name(), &attrs)?,
        })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "type": self.kind.type_name(),
            "stream": self.stream.as_str(),
            "toxicity": self.toxicity,
            "attributes": self.kind.attributes(),
        })
    }
}

fn check_toxicity(t: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&t) {
        Ok(t)
    } else {
        Err(format!("toxicity must be between 0 and 1, got {t}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: Value) -> ToxicRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn defaults_follow_toxiproxy() {
        let t = Toxic::create(req(
            json!({"type": "latency", "attributes": {"latency": 100}}),
        ))
        .unwrap();
        assert_eq!(t.name, "latency_downstream");
        assert_eq!(t.toxicity, 1.0);
        assert_eq!(
            t.to_json()["attributes"],
            json!({"latency": 100, "jitter": 0})
        );
    }

    #[test]
    fn every_type_round_trips_through_json() {
        for ty in TYPES {
            let t = Toxic::create(req(
                json!({"type": ty, "stream": "upstream", "toxicity": 0.5}),
            ))
            .unwrap();
            let back = Toxic::create(serde_json::from_value(t.to_json()).unwrap()).unwrap();
            assert_eq!(t, back, "{ty}");
        }
    }

    #[test]
    fn updates_merge_attributes_and_keep_the_type() {
        let t = Toxic::create(req(
            json!({"type": "latency", "attributes": {"latency": 100, "jitter": 10}}),
        ))
        .unwrap();
        let u = t
            .updated(req(json!({"attributes": {"latency": 200}})))
            .unwrap();
        assert_eq!(
            u.kind,
            Kind::Latency(latency::Latency {
                latency_ms: 200,
                jitter_ms: 10
            })
        );
        assert!(t.updated(req(json!({"type": "timeout"}))).is_err());
    }

    #[test]
    fn bad_requests_say_why() {
        assert!(Toxic::create(req(json!({}))).unwrap_err().contains("type"));
        assert!(
            Toxic::create(req(json!({"type": "nope"})))
                .unwrap_err()
                .contains("invalid toxic type")
        );
        assert!(
            Toxic::create(req(json!({"type": "latency", "toxicity": 2.0})))
                .unwrap_err()
                .contains("toxicity")
        );
    }
}
