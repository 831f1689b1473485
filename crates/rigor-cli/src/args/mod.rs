//! Argument types of the commands whose engines live in library crates.

pub mod gate;
pub mod perf;
