//! `latency`: every chunk is held `latency` ms (± up to `jitter` ms, uniform) after it arrived.

use super::attrs::Attrs;
use rigor_perf::stats::SplitMix64;
use serde_json::{Map, Value, json};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latency {
    pub latency_ms: u64,
    pub jitter_ms: u64,
}

impl Latency {
    pub fn parse(map: &Map<String, Value>) -> Result<Self, String> {
        let a = Attrs::new(map, &["latency", "jitter"], "latency")?;
        Ok(Latency {
            latency_ms: a.uint("latency", 0)?,
            jitter_ms: a.uint("jitter", 0)?,
        })
    }

    pub fn attributes(&self) -> Value {
        json!({"latency": self.latency_ms, "jitter": self.jitter_ms})
    }

    /// The delay of one chunk: latency plus a uniform draw in [−jitter, +jitter], never negative.
    pub fn delay(&self, rng: &mut SplitMix64) -> Duration {
        let base = self.latency_ms as f64;
        let jitter = self.jitter_ms as f64 * (2.0 * rng.uniform() - 1.0);
        Duration::from_secs_f64(((base + jitter).max(0.0)) / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn delays_stay_within_the_jitter_band(latency in 0u64..5_000, jitter in 0u64..5_000, seed: u64) {
            let l = Latency { latency_ms: latency, jitter_ms: jitter };
            let mut rng = SplitMix64::new(seed);
            for _ in 0..50 {
                let d = l.delay(&mut rng).as_secs_f64() * 1000.0;
                prop_assert!(d >= 0.0);
                prop_assert!(d >= latency as f64 - jitter as f64 - 1e-6);
                prop_assert!(d <= (latency + jitter) as f64 + 1e-6);
            }
        }
    }

    #[test]
    fn without_jitter_the_delay_is_the_setting() {
        let l = Latency {
            latency_ms: 250,
            jitter_ms: 0,
        };
        assert_eq!(l.delay(&mut SplitMix64::new(1)), Duration::from_millis(250));
    }
}
