//! The targets: one parser of outside input each.

use rigor_gate::readers::{audit, coverage, cvss, junit, mutation, perf, sarif};
use rigor_perf::ingest::{self, CsvOptions, Format};
use std::cell::RefCell;
use std::fmt::Display;
use std::path::PathBuf;

/// A parser under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Junit,
    Lcov,
    Cobertura,
    CoveragepyJson,
    Sarif,
    CargoAudit,
    PipAudit,
    OsvScanner,
    Stryker,
    CargoMutants,
    Mutmut,
    PerfCompare,
    Cvss,
    PytestBenchmark,
    Hyperfine,
    Gbench,
    MetricsJson,
    PerfCsv,
    OtavaCsv,
    Criterion,
    Selector,
    Config,
    Merge,
    PluginProtocol,
}

/// Every target, in a fixed order.
pub const TARGETS: &[Target] = &[
    Target::Junit,
    Target::Lcov,
    Target::Cobertura,
    Target::CoveragepyJson,
    Target::Sarif,
    Target::CargoAudit,
    Target::PipAudit,
    Target::OsvScanner,
    Target::Stryker,
    Target::CargoMutants,
    Target::Mutmut,
    Target::PerfCompare,
    Target::Cvss,
    Target::PytestBenchmark,
    Target::Hyperfine,
    Target::Gbench,
    Target::MetricsJson,
    Target::PerfCsv,
    Target::OtavaCsv,
    Target::Criterion,
    Target::Selector,
    Target::Config,
    Target::Merge,
    Target::PluginProtocol,
];

impl Target {
    /// The target's name (snake case), as cargo-fuzz and the bench use it.
    pub fn name(self) -> &'static str {
        match self {
            Target::Junit => "junit",
            Target::Lcov => "lcov",
            Target::Cobertura => "cobertura",
            Target::CoveragepyJson => "coveragepy_json",
            Target::Sarif => "sarif",
            Target::CargoAudit => "cargo_audit",
            Target::PipAudit => "pip_audit",
            Target::OsvScanner => "osv_scanner",
            Target::Stryker => "stryker",
            Target::CargoMutants => "cargo_mutants",
            Target::Mutmut => "mutmut",
            Target::PerfCompare => "perf_compare",
            Target::Cvss => "cvss",
            Target::PytestBenchmark => "pytest_benchmark",
            Target::Hyperfine => "hyperfine",
            Target::Gbench => "gbench",
            Target::MetricsJson => "metrics_json",
            Target::PerfCsv => "perf_csv",
            Target::OtavaCsv => "otava_csv",
            Target::Criterion => "criterion",
            Target::Selector => "selector",
            Target::Config => "config",
            Target::Merge => "merge",
            Target::PluginProtocol => "plugin_protocol",
        }
    }

    /// The target of a name.
    pub fn from_name(name: &str) -> Option<Target> {
        TARGETS.iter().copied().find(|t| t.name() == name)
    }
}

/// Feed `data` to the target's parser. Panics when the parser panics, or when it rejects the
/// input with an empty message (every error must say what failed).
pub fn run(target: Target, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    const F: &str = "fuzz-input";
    match target {
        Target::Junit => check(junit::read_junit(F, text)),
        Target::Lcov => check(coverage::read_lcov(F, text)),
        Target::Cobertura => check(coverage::read_cobertura(F, text)),
        Target::CoveragepyJson => check(coverage::read_coveragepy_json(F, text)),
        Target::Sarif => check(sarif::read_sarif(F, text)),
        Target::CargoAudit => check(audit::read_cargo_audit(F, text)),
        Target::PipAudit => check(audit::read_pip_audit(F, text, None)),
        Target::OsvScanner => check(audit::read_osv_scanner(F, text)),
        Target::Stryker => check(mutation::read_stryker(F, text)),
        Target::CargoMutants => check(mutation::read_cargo_mutants(F, text)),
        Target::Mutmut => check(mutation::read_mutmut(F, text)),
        Target::PerfCompare => check(perf::read_perf_compare(F, text)),
        Target::Cvss => check(cvss::base_score(text)),
        Target::PytestBenchmark => ingest_file(data, "bench.json", Format::PytestBenchmark),
        Target::Hyperfine => ingest_file(data, "bench.json", Format::Hyperfine),
        Target::Gbench => ingest_file(data, "bench.json", Format::Gbench),
        Target::MetricsJson => ingest_file(data, "metrics.json", Format::Json),
        Target::PerfCsv => ingest_file(data, "metrics.csv", Format::Csv),
        Target::OtavaCsv => check(ingest::parse_csv(
            F,
            text,
            &CsvOptions {
                delimiter: None,
                time_column: Some("time".into()),
            },
        )),
        Target::Criterion => criterion(data),
        Target::Selector => check(rigor_plan::selector::Selector::parse(text)),
        Target::Config => config(data),
        Target::Merge => {
            let path = scratch_file("results.json", data);
            check(rigor_pipeline::merge::read_file(&path).map(|_| ()));
        }
        Target::PluginProtocol => {
            for line in text.lines() {
                check(rigor_runner::worker::protocol::read(line));
            }
        }
    }
}

/// A rejection must say what failed.
fn check<T, E: Display>(result: Result<T, E>) {
    if let Err(e) = result {
        assert!(
            !e.to_string().trim().is_empty(),
            "an error without a message"
        );
    }
}

fn ingest_file(data: &[u8], name: &str, format: Format) {
    let path = scratch_file(name, data);
    check(ingest::read_path(&path, format, &CsvOptions::default()));
}

/// criterion's layout: the input is `new/estimates.json` next to a valid `benchmark.json`.
fn criterion(data: &[u8]) {
    let dir = scratch_dir().join("criterion");
    let new = dir.join("group").join("new");
    std::fs::create_dir_all(&new).expect("scratch directory");
    std::fs::write(
        new.join("benchmark.json"),
        br#"{"group_id":"group","function_id":null,"value_str":null,"full_id":"group","directory_name":"group","title":"group"}"#,
    )
    .expect("scratch file");
    std::fs::write(new.join("estimates.json"), data).expect("scratch file");
    check(ingest::read_path(
        &dir,
        Format::Criterion,
        &CsvOptions::default(),
    ));
}

/// `rigor.toml` loaded over the built-in defaults.
fn config(data: &[u8]) {
    let dir = scratch_dir();
    let path = dir.join("rigor.toml");
    std::fs::write(&path, data).expect("scratch file");
    check(rigor_model::Config::load(
        rigor_model::config::CORE_DEFAULTS,
        Some(&path),
        &dir,
        &[],
    ));
}

thread_local! {
    static SCRATCH: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

/// A directory of this thread's, kept for the life of the thread.
fn scratch_dir() -> PathBuf {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let dir = s.get_or_insert_with(|| tempfile::tempdir().expect("a temporary directory"));
        dir.path().to_path_buf()
    })
}

fn scratch_file(name: &str, data: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, data).expect("scratch file");
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for t in TARGETS {
            assert_eq!(Target::from_name(t.name()), Some(*t));
        }
        let mut names: Vec<_> = TARGETS.iter().map(|t| t.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TARGETS.len());
    }
}
