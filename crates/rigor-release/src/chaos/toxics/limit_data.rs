//! `limit_data`: the connection is closed once `bytes` bytes have passed in this direction.

use super::attrs::Attrs;
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitData {
    pub bytes: u64,
}

impl LimitData {
    pub fn parse(map: &Map<String, Value>) -> Result<Self, String> {
        let a = Attrs::new(map, &["bytes"], "limit_data")?;
        Ok(LimitData {
            bytes: a.uint("bytes", 0)?,
        })
    }

    pub fn attributes(&self) -> Value {
        json!({"bytes": self.bytes})
    }

    /// Of a chunk of `len` bytes after `passed` bytes: how many may still pass, and whether
    /// the limit is reached with them.
    pub fn allow(&self, passed: u64, len: usize) -> (usize, bool) {
        let left = self.bytes.saturating_sub(passed);
        let take = (len as u64).min(left) as usize;
        (take, passed + take as u64 >= self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Feeding chunks one by one never lets more than `bytes` through, and exactly `bytes`
        /// when enough data comes.
        #[test]
        fn never_more_than_the_limit(limit in 0u64..100_000, chunks in proptest::collection::vec(0usize..10_000, 0..40)) {
            let l = LimitData { bytes: limit };
            let mut passed = 0u64;
            let mut closed = limit == 0;
            for c in &chunks {
                if closed { break; }
                let (take, done) = l.allow(passed, *c);
                passed += take as u64;
                closed = done;
            }
            prop_assert!(passed <= limit);
            let total: u64 = chunks.iter().map(|c| *c as u64).sum();
            if total >= limit { prop_assert_eq!(passed, limit); }
        }
    }
}
