//! What a run shows: human text, the `rigor.mutate/1` JSON contract, and Stryker's
//! mutation-testing-report format (`--output`).

pub mod json;
pub mod stryker;
pub mod text;
