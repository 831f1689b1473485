//! Suite adapters: how each kind of suite discovers and runs its tests.

pub mod command;
pub mod pytest;
pub mod rust;
