//! `rigor chaos`: a TCP fault proxy driven by a Toxiproxy-compatible HTTP API.
//!
//! - `toxics`: one module per toxic kind (attributes, and what it does to data);
//! - `link`: one proxied connection, its two pumps through the toxics;
//! - `registry`: the proxies, their listeners and toxics;
//! - `api`: the HTTP routes over the registry;
//! - `server`: a running chaos server (API + proxies) on its own runtime;
//! - `scenario`: `[chaos]` of rigor.toml started for the `chaos`-marked tests.

pub mod api;
pub mod link;
pub mod registry;
pub mod scenario;
pub mod server;
pub mod toxics;

pub use registry::Registry;
pub use server::ChaosServer;
