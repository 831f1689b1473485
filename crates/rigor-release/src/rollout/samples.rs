//! The proxy's own measurements: per side, each request's end time, latency and whether it
//! failed (a 5xx answer or no answer), kept in a bounded window.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Blue,
    Green,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Blue => "blue",
            Side::Green => "green",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Obs {
    at: Instant,
    latency_ms: f64,
    error: bool,
}

/// What an analysis compares: one side's latencies (ms) and error count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub latencies_ms: Vec<f64>,
    pub errors: u64,
    pub requests: u64,
}

impl Sample {
    pub fn error_rate(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.errors as f64 / self.requests as f64
        }
    }
}

/// Most observations kept per side (the oldest are dropped).
const KEEP: usize = 200_000;

#[derive(Default)]
pub struct Recorder {
    blue: Mutex<VecDeque<Obs>>,
    green: Mutex<VecDeque<Obs>>,
}

impl Recorder {
    fn side(&self, side: Side) -> &Mutex<VecDeque<Obs>> {
        match side {
            Side::Blue => &self.blue,
            Side::Green => &self.green,
        }
    }

    pub fn record(&self, side: Side, latency_ms: f64, error: bool) {
        let mut q = self.side(side).lock().unwrap_or_else(|e| e.into_inner());
        if q.len() == KEEP {
            q.pop_front();
        }
        q.push_back(Obs {
            at: Instant::now(),
            latency_ms,
            error,
        });
    }

    /// A side's requests that ended in `[from, to)`.
    pub fn window(&self, side: Side, from: Instant, to: Instant) -> Sample {
        let q = self.side(side).lock().unwrap_or_else(|e| e.into_inner());
        let mut s = Sample::default();
        for o in q.iter().filter(|o| o.at >= from && o.at < to) {
            s.requests += 1;
            s.errors += u64::from(o.error);
            // Latency is compared over answered requests; a failure's latency says little.
            if !o.error {
                s.latencies_ms.push(o.latency_ms);
            }
        }
        s
    }

    pub fn total(&self, side: Side) -> usize {
        self.side(side).lock().map(|q| q.len()).unwrap_or(0)
    }
}
