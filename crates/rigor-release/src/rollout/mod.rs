//! `rigor rollout`: blue-green behind rigor's reverse proxy.
//!
//! - `samples`: the proxy's own measurements per side;
//! - `judge`: green against blue (Mann-Whitney U + effect size, error-rate z-test);
//! - `proxy`: the reverse proxy (HTTP/1.1 and HTTP/2), weighted routing, draining;
//! - `health`: health checks of a side;
//! - `sides`: a side's service, given as an address or started from a command;
//! - `controller`: baseline → steps with analyses → promote or roll back;
//! - `control`: the control API (`status`, `promote`, `abort`) and its client;
//! - `record`: rollouts and their analyses in the history;
//! - `readiness`: the gates of the deployed commit;
//! - `argo`: the judge as an Argo Rollouts web metric provider.

pub mod argo;
pub mod control;
pub mod controller;
pub mod health;
pub mod judge;
pub mod proxy;
pub mod readiness;
pub mod record;
pub mod report;
pub mod samples;
pub mod session;
pub mod settings;
pub mod sides;
