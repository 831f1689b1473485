//! Each ingest format on realistic files (hyperfine and pytest-benchmark files were produced by
//! the real tools; the others follow the published layouts), and malformed inputs.

use rigor_model::exit::HasExitCode;
use rigor_perf::ingest::{CsvOptions, Format, detect_format, read_path};
use rigor_perf::model::Direction;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> rigor_perf::ingest::Parsed {
    read_path(&fixture(name), Format::Auto, &CsvOptions::default()).unwrap()
}

#[test]
fn criterion_tree_uses_new_runs_and_per_iteration_samples() {
    let p = read("criterion");
    assert_eq!(p.format, Some(Format::Criterion));
    let names: Vec<&str> = p
        .measurements
        .iter()
        .map(|m| m.benchmark.as_str())
        .collect();
    assert_eq!(
        names,
        vec!["fib/20", "parse_json"],
        "base/ and report/ are ignored"
    );
    let fib = &p.measurements[0];
    assert_eq!(fib.unit, "ns");
    assert_eq!(fib.direction, Direction::LowerIsBetter);
    assert_eq!(fib.samples.len(), 100);
    // samples are time / iterations: around 26 µs per iteration
    assert!(
        fib.samples.iter().all(|s| (24_000.0..28_000.0).contains(s)),
        "{:?}",
        &fib.samples[..5]
    );
    assert!((fib.value - 26_000.0).abs() < 300.0, "{}", fib.value);
    // a single benchmark directory works too
    let one = read_path(
        &fixture("criterion/parse_json"),
        Format::Criterion,
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(one.measurements.len(), 1);
    assert_eq!(one.measurements[0].benchmark, "parse_json");
}

#[test]
fn hyperfine_export_json() {
    let p = read("hyperfine.json");
    assert_eq!(p.format, Some(Format::Hyperfine));
    assert_eq!(p.measurements.len(), 2);
    let m = &p.measurements[0];
    assert_eq!(m.benchmark, "sleep 0.01");
    assert_eq!(m.unit, "s");
    assert_eq!(m.samples.len(), 12);
    assert!(m.value > 0.009 && m.value < 0.05, "{}", m.value);
    assert!(p.measurements[1].value > m.value);
}

#[test]
fn pytest_benchmark_json_with_data_and_commit_info() {
    let p = read("pytest-benchmark.json");
    assert_eq!(p.format, Some(Format::PytestBenchmark));
    assert_eq!(p.measurements.len(), 2);
    let fib = p
        .measurements
        .iter()
        .find(|m| m.benchmark == "test_bench.py::test_fib")
        .unwrap();
    assert_eq!(fib.unit, "s");
    assert!(fib.samples.len() >= 15);
    assert!(p.commit.as_deref().is_some_and(|c| c.len() == 40));
    assert_eq!(p.branch.as_deref(), Some("main"));
    assert!(p.time.is_some());
}

#[test]
fn google_benchmark_with_bare_nan_and_infinity() {
    let p = read("gbench.json");
    assert_eq!(p.format, Some(Format::Gbench));
    let names: Vec<&str> = p
        .measurements
        .iter()
        .map(|m| m.benchmark.as_str())
        .collect();
    assert_eq!(
        names,
        vec!["BM_Encode/64", "BM_Decode/4096"],
        "the errored benchmark is skipped"
    );
    let enc = &p.measurements[0];
    assert_eq!(
        enc.samples,
        vec![624.11, 631.02, 618.77],
        "repetitions are the samples, aggregates are not"
    );
    assert_eq!(enc.value, 624.11);
    let dec = &p.measurements[1];
    assert!(
        (dec.value - 341_170.0).abs() < 1e-6,
        "us are converted to ns: {}",
        dec.value
    );
    assert!(
        p.warnings.iter().any(|w| w.contains("BM_Empty")),
        "{:?}",
        p.warnings
    );
    assert_eq!(p.testbed.as_deref(), Some("ci-runner-3"));
}

#[test]
fn otava_csv_rows_are_points() {
    let p = read("otava.csv");
    assert_eq!(p.format, Some(Format::Csv));
    let thr: Vec<_> = p
        .measurements
        .iter()
        .filter(|m| m.benchmark == "throughput")
        .collect();
    let lat: Vec<_> = p
        .measurements
        .iter()
        .filter(|m| m.benchmark == "p99_latency")
        .collect();
    assert_eq!(thr.len(), 6);
    assert_eq!(lat.len(), 5, "the empty cell is a missing value");
    assert_eq!(thr[0].commit.as_deref(), Some("a1f0c3e"));
    assert_eq!(thr[0].branch.as_deref(), Some("main"));
    assert_eq!(thr[4].value, 9281.0);
    assert!(thr[0].time.unwrap() < thr[1].time.unwrap());
}

#[test]
fn custom_metrics_with_unit_and_direction() {
    let p = read("metrics.json");
    assert_eq!(p.format, Some(Format::Json));
    assert_eq!(p.commit.as_deref(), Some("9f3c2ab71d"));
    assert_eq!(p.testbed.as_deref(), Some("gpu-a10"));
    let coh = &p.measurements[0];
    assert_eq!(coh.benchmark, "summarizer/coherence");
    assert_eq!(coh.direction, Direction::HigherIsBetter);
    assert_eq!(coh.unit, "score");
    assert_eq!(coh.samples.len(), 8);
    assert!(
        (coh.value - 0.8115).abs() < 1e-9,
        "median of samples: {}",
        coh.value
    );
    assert_eq!(p.measurements[1].value, 91.4);
    assert_eq!(
        p.measurements[2]
            .attributes
            .get("model")
            .map(String::as_str),
        Some("small-v2")
    );
}

fn err_of(name: &str, text: &str, format: Format) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let e = read_path(&path, format, &CsvOptions::default()).unwrap_err();
    assert_eq!(e.exit_code(), 3, "{e}");
    e.to_string()
}

#[test]
fn malformed_inputs_name_file_and_position() {
    let full = std::fs::read_to_string(fixture("hyperfine.json")).unwrap();
    let e = err_of("hf.json", &full[..full.len() / 2], Format::Hyperfine);
    assert!(
        e.contains("hf.json: line ") && e.contains("truncated"),
        "{e}"
    );
    let e = err_of(
        "hf.json",
        r#"{"results": [{"command": "x", "median": "fast"}]}"#,
        Format::Hyperfine,
    );
    assert!(
        e.contains("at $.results[0].median") && e.contains("expected a number, found a string"),
        "{e}"
    );
    let e = err_of(
        "m.json",
        r#"{"metrics": [{"name": "acc", "unit": "%", "direction": "up", "value": 1}]}"#,
        Format::Json,
    );
    assert!(
        e.contains("$.metrics[0].direction") && e.contains("unknown direction"),
        "{e}"
    );
    let e = err_of(
        "m.json",
        r#"{"metrics": [{"name": "acc", "unit": "%", "value": 1}]}"#,
        Format::Json,
    );
    assert!(e.contains("missing field `direction`"), "{e}");
    let e = err_of("empty.json", "  \n", Format::Auto);
    assert!(
        e.contains("empty.json: line 1, column 1: the file is empty"),
        "{e}"
    );
    let e = err_of(
        "p.json",
        r#"{"machine_info": {}, "benchmarks": [{"name": "t", "stats": {"median": 1, "data": [1, "x"]}}]}"#,
        Format::Auto,
    );
    assert!(e.contains("$.benchmarks[0].stats.data[1]"), "{e}");
    let e = err_of(
        "g.json",
        r#"{"context": {}, "benchmarks": [{"name": "BM", "real_time": 1, "time_unit": "fortnights"}]}"#,
        Format::Auto,
    );
    assert!(e.contains("unknown time unit"), "{e}");
    let e = err_of(
        "o.csv",
        "time,commit,lat\n2026-01-01,a,1.0\n2026-01-02,b,oops\n",
        Format::Auto,
    );
    assert!(
        e.contains("o.csv: line 3, column 14") && e.contains("`oops`"),
        "{e}"
    );
    let e = err_of(
        "o.csv",
        "time,commit,lat\n2026-01-01,a,1.0\n2026-01-02,\"b,2.0\n",
        Format::Auto,
    );
    assert!(
        e.contains("line 3, column 12") && e.contains("unterminated"),
        "{e}"
    );
    let e = err_of(
        "o.csv",
        "time,commit,lat\nlast tuesday,a,1.0\n",
        Format::Auto,
    );
    assert!(e.contains("line 2, column 1") && e.contains("time"), "{e}");
}

#[test]
fn unknown_json_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    std::fs::write(&path, r#"{"hello": 1}"#).unwrap();
    let e = detect_format(&path).unwrap_err().to_string();
    assert!(e.contains("--format"), "{e}");
}
