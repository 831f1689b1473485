//! CVSS scoring lives in rigor-supply (v3.0, v3.1 and v4.0 base scores, one copy for the
//! whole of rigor); the gate's readers use it through this module.

pub use rigor_supply::severity::{Severity, base_score};
