//! Every fuzz target for a few seconds (`RIGOR_FUZZ_SECONDS`, default 2) with the stable
//! engine, and every input that once crashed a parser (`tests/regressions/<target>/`) replayed.
//! A crash is written to `target/fuzz-crashes/<target>-<n>` for a regression test.

use rigor_fuzz::{TARGETS, Target, engine};
use std::path::PathBuf;
use std::time::Duration;

fn seconds() -> f64 {
    std::env::var("RIGOR_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0)
}

fn seed() -> u64 {
    std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261128)
}

fn fuzz(name: &str) {
    let target = Target::from_name(name).expect("a target");
    let report = engine::fuzz(target, Duration::from_secs_f64(seconds()), seed());
    assert!(report.executions > 0);
    if let Some(crash) = report.crashes.first() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-crashes");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}-{}", report.executions));
        std::fs::write(&path, &crash.input).unwrap();
        panic!(
            "{name} crashed after {} executions: {}\n  input saved to {}",
            report.executions,
            crash.message,
            path.display()
        );
    }
}

macro_rules! targets {
    ($($t:ident),* $(,)?) => {
        $(#[test] fn $t() { fuzz(stringify!($t)); })*

        #[test]
        fn every_target_has_a_smoke_test() {
            let listed = [$(stringify!($t)),*];
            for t in TARGETS {
                assert!(listed.contains(&t.name()), "no smoke test for {}", t.name());
            }
        }
    };
}

targets!(
    junit,
    lcov,
    cobertura,
    coveragepy_json,
    sarif,
    cargo_audit,
    pip_audit,
    osv_scanner,
    stryker,
    cargo_mutants,
    mutmut,
    perf_compare,
    cvss,
    pytest_benchmark,
    hyperfine,
    gbench,
    metrics_json,
    perf_csv,
    otava_csv,
    criterion,
    selector,
    config,
    merge,
    plugin_protocol,
);

#[test]
fn earlier_crashes_stay_fixed() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut replayed = 0;
    for t in TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(t.name())) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let input = std::fs::read(&path).unwrap();
            if let Err(message) = engine::execute(*t, &input) {
                panic!(
                    "{} crashes again on {}: {message}",
                    t.name(),
                    path.display()
                );
            }
            replayed += 1;
        }
    }
    eprintln!("{replayed} earlier crashes replayed");
}
