//! `reset_peer`: the connection is reset (TCP RST: "connection reset by peer") `timeout` ms
//! after the toxic reached it, at once when 0.

use super::attrs::Attrs;
use serde_json::{Map, Value, json};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetPeer {
    pub timeout_ms: u64,
}

impl ResetPeer {
    pub fn parse(map: &Map<String, Value>) -> Result<Self, String> {
        let a = Attrs::new(map, &["timeout"], "reset_peer")?;
        Ok(ResetPeer {
            timeout_ms: a.uint("timeout", 0)?,
        })
    }

    pub fn attributes(&self) -> Value {
        json!({"timeout": self.timeout_ms})
    }

    pub fn resets_after(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}
