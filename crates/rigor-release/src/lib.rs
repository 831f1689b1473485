//! rigor's release guard.
//!
//! - [`chaos`]: a TCP fault proxy with a Toxiproxy-compatible HTTP API, and the `[chaos]`
//!   scenarios started for `chaos`-marked tests;
//! - [`rollout`]: blue-green rollouts behind a reverse proxy, judged on the proxy's own
//!   measurements, promoted or rolled back automatically.

pub mod chaos;
pub mod error;
pub mod rollout;

pub use error::{ReleaseError, Result};
