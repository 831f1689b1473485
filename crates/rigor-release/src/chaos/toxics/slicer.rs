//! `slicer`: chunks are cut into pieces of `average_size` ± `size_variation` bytes, written
//! `delay` µs apart.

use super::attrs::Attrs;
use rigor_perf::stats::SplitMix64;
use serde_json::{Map, Value, json};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slicer {
    pub average_size: u64,
    pub size_variation: u64,
    pub delay_us: u64,
}

impl Slicer {
    pub fn parse(map: &Map<String, Value>) -> Result<Self, String> {
        let a = Attrs::new(map, &["average_size", "size_variation", "delay"], "slicer")?;
        let s = Slicer {
            average_size: a.uint("average_size", 0)?,
            size_variation: a.uint("size_variation", 0)?,
            delay_us: a.uint("delay", 0)?,
        };
        if s.size_variation > s.average_size {
            return Err("attribute `size_variation` must not exceed `average_size`".into());
        }
        Ok(s)
    }

    pub fn attributes(&self) -> Value {
        json!({"average_size": self.average_size, "size_variation": self.size_variation, "delay": self.delay_us})
    }

    pub fn delay(&self) -> Duration {
        Duration::from_micros(self.delay_us)
    }

    /// Piece lengths covering `len` bytes: each `average_size` ± a uniform draw up to
    /// `size_variation`, at least one byte; the last one takes what is left.
    pub fn cuts(&self, len: usize, rng: &mut SplitMix64) -> Vec<usize> {
        if self.average_size == 0 {
            return vec![len];
        }
        let mut out = Vec::new();
        let mut left = len;
        while left > 0 {
            let v = self.size_variation as f64 * (2.0 * rng.uniform() - 1.0);
            let size = ((self.average_size as f64 + v).round() as usize).max(1);
            let take = size.min(left);
            out.push(take);
            left -= take;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pieces_cover_the_chunk_and_respect_the_band(
            avg in 1u64..2_000, var_frac in 0.0f64..1.0, len in 0usize..50_000, seed: u64
        ) {
            let var = (avg as f64 * var_frac) as u64;
            let s = Slicer { average_size: avg, size_variation: var, delay_us: 0 };
            let cuts = s.cuts(len, &mut SplitMix64::new(seed));
            prop_assert_eq!(cuts.iter().sum::<usize>(), len);
            let n = cuts.len();
            for (i, c) in cuts.iter().enumerate() {
                prop_assert!(*c >= 1);
                prop_assert!(*c as u64 <= avg + var + 1);
                if i + 1 < n {
                    prop_assert!(*c as u64 + 1 >= (avg - var).max(1));
                }
            }
        }
    }

    #[test]
    fn variation_above_the_average_is_refused() {
        let m = serde_json::json!({"average_size": 1, "size_variation": 5});
        assert!(Slicer::parse(m.as_object().unwrap()).is_err());
    }
}
