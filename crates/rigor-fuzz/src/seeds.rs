//! Starting inputs per target: real artifacts from the repository's fixtures, and small
//! hand-written ones for the languages without fixture files.

use crate::Target;

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../", $path)) as &[u8]
    };
}

/// The seeds of a target (never empty).
pub fn seeds(target: Target) -> Vec<&'static [u8]> {
    match target {
        Target::Junit | Target::Merge => vec![
            fixture!("rigor-gate/tests/fixtures/real/pytest-xunit1.xml"),
            fixture!("rigor-gate/tests/fixtures/real/pytest-xunit2.xml"),
            fixture!("rigor-gate/tests/fixtures/real/nextest.xml"),
            br#"{"schema":"rigor.run/1","status":"passed","wall_s":1.5,"results":[{"id":"t.py::a","suite":"py","outcome":"passed","duration_s":0.1}]}"#,
        ],
        Target::Lcov => vec![fixture!("rigor-gate/tests/fixtures/real/coveragepy.lcov")],
        Target::Cobertura => vec![fixture!("rigor-gate/tests/fixtures/real/coveragepy.xml")],
        Target::CoveragepyJson => vec![fixture!("rigor-gate/tests/fixtures/real/coveragepy.json")],
        Target::Sarif => vec![
            fixture!("rigor-gate/tests/fixtures/real/ruff.sarif"),
            fixture!("rigor-gate/tests/fixtures/samples/clippy-and-semgrep.sarif"),
        ],
        Target::CargoAudit => vec![
            fixture!("rigor-gate/tests/fixtures/real/cargo-audit.json"),
            fixture!("rigor-gate/tests/fixtures/samples/cargo-audit.json"),
        ],
        Target::PipAudit => vec![
            fixture!("rigor-gate/tests/fixtures/real/pip-audit.json"),
            fixture!("rigor-gate/tests/fixtures/samples/pip-audit-legacy.json"),
        ],
        Target::OsvScanner => vec![fixture!("rigor-gate/tests/fixtures/samples/osv-scanner.json")],
        Target::Stryker => vec![
            fixture!("rigor-gate/tests/fixtures/real/stryker-mutation.json"),
            fixture!("rigor-gate/tests/fixtures/samples/stryker-mutation.json"),
        ],
        Target::CargoMutants => vec![fixture!(
            "rigor-gate/tests/fixtures/real/cargo-mutants-outcomes.json"
        )],
        Target::Mutmut => vec![fixture!("rigor-gate/tests/fixtures/real/mutmut-cicd-stats.json")],
        Target::PerfCompare => vec![fixture!("rigor-gate/tests/fixtures/real/perf-compare.json")],
        Target::Cvss => vec![
            b"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            b"CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:N",
        ],
        Target::PytestBenchmark => vec![fixture!("rigor-perf/tests/fixtures/pytest-benchmark.json")],
        Target::Hyperfine => vec![fixture!("rigor-perf/tests/fixtures/hyperfine.json")],
        Target::Gbench => vec![fixture!("rigor-perf/tests/fixtures/gbench.json")],
        Target::MetricsJson => vec![fixture!("rigor-perf/tests/fixtures/metrics.json")],
        Target::PerfCsv | Target::OtavaCsv => vec![fixture!("rigor-perf/tests/fixtures/otava.csv")],
        Target::Criterion => vec![fixture!(
            "rigor-perf/tests/fixtures/criterion/fib/20/new/estimates.json"
        )],
        Target::Selector => vec![
            b"test(smoke) and not (suite(core) | path(tests/slow/*))",
            b"marker(slow) or test(/^test_[a-z]+$/) & slower(1s) | !failed() and new()",
        ],
        Target::Config => vec![
            b"[run]\njobs = 2\ntimeout = \"5m\"\n\n[[suite]]\nname = \"py\"\nkind = \"pytest\"\nroot = \".\"\n\n[tiers.smoke]\nselect = \"marker(smoke)\"\nbudget = \"30s\"\n",
            b"[gates]\ncoverage = { min_line = 80, blocking = true }\nperf = { max_regression = \"15%\" }\n",
        ],
        Target::PluginProtocol => vec![
            br#"{"ev":"collected","items":[{"id":"t.py::a","file":"t.py","line":3,"markers":["slow"]}],"errors":[{"id":"u.py","text":"ImportError"}],"python":"3.11","pytest":"8.3.4"}
{"ev":"start","id":"t.py::a"}
{"ev":"result","id":"t.py::a","outcome":"failed","duration":0.01,"excerpt":"assert \udcff False","output":""}
{"ev":"done"}
"#,
        ],
    }
}
