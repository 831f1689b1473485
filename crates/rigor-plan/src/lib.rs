//! Planning what runs, where and when: the selector language (`-E`, tiers, quarantine), tiers
//! with time budgets, shards across CI machines (LPT), and flakiness scores.

pub mod flaky;
pub mod selector;
pub mod shard;
pub mod tier;

pub use selector::{Facts, ParseError, Selector};
pub use shard::{Shard, ShardSpec, lpt};
pub use tier::{TierConfig, TierPlan, plan_tiers};
