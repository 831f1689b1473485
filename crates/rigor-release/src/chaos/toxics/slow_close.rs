//! `slow_close`: the end of the stream (the peer's close) is passed on `delay` ms late.

use super::attrs::Attrs;
use serde_json::{Map, Value, json};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlowClose {
    pub delay_ms: u64,
}

impl SlowClose {
    pub fn parse(map: &Map<String, Value>) -> Result<Self, String> {
        let a = Attrs::new(map, &["delay"], "slow_close")?;
        Ok(SlowClose {
            delay_ms: a.uint("delay", 0)?,
        })
    }

    pub fn attributes(&self) -> Value {
        json!({"delay": self.delay_ms})
    }

    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }
}
