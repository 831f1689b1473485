//! Every rigor fuzz target behind one libFuzzer binary: `RIGOR_FUZZ_TARGET=junit cargo fuzz run any`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rigor_fuzz::Target;
use std::sync::LazyLock;

static TARGET: LazyLock<Target> = LazyLock::new(|| {
    let name = std::env::var("RIGOR_FUZZ_TARGET").unwrap_or_default();
    Target::from_name(&name).unwrap_or_else(|| {
        let names: Vec<_> = rigor_fuzz::TARGETS.iter().map(|t| t.name()).collect();
        panic!("set RIGOR_FUZZ_TARGET to one of: {}", names.join(", "))
    })
});

fuzz_target!(|data: &[u8]| rigor_fuzz::run(*TARGET, data));
