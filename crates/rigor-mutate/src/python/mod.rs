//! Python: mutants from tree-sitter-python syntax trees, and the schemata rewrite that puts a
//! module's mutants behind run-time switches (python/worker.py flips them).

pub mod generate;
pub mod schemata;

#[cfg(test)]
mod tests;
