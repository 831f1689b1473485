//! `timeout`: no data passes while it is active; the connection is closed `timeout` ms after
//! the toxic reached it (0: never closed, the data is held back for as long as it stays).

use super::attrs::Attrs;
use serde_json::{Map, Value, json};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    pub timeout_ms: u64,
}

impl Timeout {
    pub fn parse(map: &Map<String, Value>) -> Result<Self, String> {
        let a = Attrs::new(map, &["timeout"], "timeout")?;
        Ok(Timeout {
            timeout_ms: a.uint("timeout", 0)?,
        })
    }

    pub fn attributes(&self) -> Value {
        json!({"timeout": self.timeout_ms})
    }

    /// When the connection closes, counted from the moment the toxic reached it.
    pub fn closes_after(&self) -> Option<Duration> {
        (self.timeout_ms > 0).then(|| Duration::from_millis(self.timeout_ms))
    }
}
