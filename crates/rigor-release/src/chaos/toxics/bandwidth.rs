//! `bandwidth`: at most `rate` KB/s (1 KB = 1000 bytes) pass; data is written in slices of at
//! most 100 ms worth and paced on a virtual clock, so the average rate is the setting.

use super::attrs::Attrs;
use serde_json::{Map, Value, json};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bandwidth {
    pub rate_kbs: u64,
}

impl Bandwidth {
    pub fn parse(map: &Map<String, Value>) -> Result<Self, String> {
        let a = Attrs::new(map, &["rate"], "bandwidth")?;
        Ok(Bandwidth {
            rate_kbs: a.uint("rate", 0)?,
        })
    }

    pub fn attributes(&self) -> Value {
        json!({"rate": self.rate_kbs})
    }

    /// The largest slice written at once: 100 ms worth of the rate (at least one byte).
    pub fn slice_len(&self) -> usize {
        ((self.rate_kbs * 100) as usize).max(1)
    }

    /// How long `bytes` take at the rate; a rate of 0 stops the data (Toxiproxy's meaning).
    pub fn time_for(&self, bytes: usize) -> Option<Duration> {
        if self.rate_kbs == 0 {
            return None;
        }
        Some(Duration::from_secs_f64(
            bytes as f64 / (self.rate_kbs as f64 * 1000.0),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Metamorphic: slicing the data does not change the total pacing time.
        #[test]
        fn time_is_additive(rate in 1u64..100_000, a in 0usize..1_000_000, b in 0usize..1_000_000) {
            let bw = Bandwidth { rate_kbs: rate };
            let whole = bw.time_for(a + b).unwrap().as_secs_f64();
            let parts = bw.time_for(a).unwrap().as_secs_f64() + bw.time_for(b).unwrap().as_secs_f64();
            prop_assert!((whole - parts).abs() < 1e-6);
        }
    }

    #[test]
    fn one_hundred_kb_at_100_kbs_take_a_second() {
        let bw = Bandwidth { rate_kbs: 100 };
        assert_eq!(bw.time_for(100_000), Some(Duration::from_secs(1)));
        assert_eq!(bw.slice_len(), 10_000);
        assert_eq!(Bandwidth { rate_kbs: 0 }.time_for(1), None);
    }
}
