//! Property: on any damage to a real artifact (cut anywhere, bytes replaced), every reader
//! returns either a result or a located malformed-input error; it never panics.

use proptest::prelude::*;
use rigor_gate::readers;
use rigor_model::exit::HasExitCode;
use std::path::PathBuf;

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel),
    )
    .unwrap()
}

type Reader = fn(&str, &str) -> Result<(), rigor_gate::GateError>;

fn readers_and_inputs() -> Vec<(Reader, String)> {
    vec![
        (
            |f, t| readers::coverage::read_coveragepy_json(f, t).map(|_| ()),
            fixture("real/coveragepy.json"),
        ),
        (
            |f, t| readers::coverage::read_cobertura(f, t).map(|_| ()),
            fixture("real/coveragepy.xml"),
        ),
        (
            |f, t| readers::coverage::read_lcov(f, t).map(|_| ()),
            fixture("real/coveragepy.lcov"),
        ),
        (
            |f, t| readers::junit::read_junit(f, t).map(|_| ()),
            fixture("real/nextest.xml"),
        ),
        (
            |f, t| readers::junit::read_junit(f, t).map(|_| ()),
            fixture("real/pytest-xunit1.xml"),
        ),
        (
            |f, t| readers::sarif::read_sarif(f, t).map(|_| ()),
            fixture("real/ruff.sarif"),
        ),
        (
            |f, t| readers::audit::read_cargo_audit(f, t).map(|_| ()),
            fixture("real/cargo-audit.json"),
        ),
        (
            |f, t| readers::audit::read_pip_audit(f, t, None).map(|_| ()),
            fixture("samples/pip-audit.json"),
        ),
        (
            |f, t| readers::audit::read_osv_scanner(f, t).map(|_| ()),
            fixture("samples/osv-scanner.json"),
        ),
        (
            |f, t| readers::mutation::read_stryker(f, t).map(|_| ()),
            fixture("real/stryker-mutation.json"),
        ),
        (
            |f, t| readers::mutation::read_cargo_mutants(f, t).map(|_| ()),
            fixture("real/cargo-mutants-outcomes.json"),
        ),
        (
            |f, t| readers::mutation::read_mutmut(f, t).map(|_| ()),
            fixture("real/mutmut-cicd-stats.json"),
        ),
        (
            |f, t| readers::perf::read_perf_compare(f, t).map(|_| ()),
            fixture("real/perf-compare.json"),
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn damaged_artifacts_never_panic(
        which in 0usize..13,
        cut in 0.0f64..1.0,
        flips in prop::collection::vec((0.0f64..1.0, prop::sample::select(vec!['"', '<', '>', '{', '}', ',', ':', '1', 'x', '\n', 'é', '\0'])), 0..4),
    ) {
        let all = readers_and_inputs();
        let (reader, text) = &all[which];
        let mut chars: Vec<char> = text.chars().collect();
        for (at, c) in flips {
            if !chars.is_empty() {
                let i = ((chars.len() - 1) as f64 * at) as usize;
                chars[i] = c;
            }
        }
        let n = (chars.len() as f64 * cut) as usize;
        let damaged: String = chars[..n].iter().collect();
        if let Err(e) = reader("in.file", &damaged) {
            let msg = e.to_string();
            prop_assert_eq!(e.exit_code(), 3, "{}", msg);
            let pos = msg.split(": ").next().unwrap_or("");
            let parts: Vec<&str> = pos.split(':').collect();
            prop_assert!(parts.len() == 3 && parts[0] == "in.file", "{}", msg);
            prop_assert!(parts[1].parse::<usize>().is_ok() && parts[2].parse::<usize>().is_ok(), "{}", msg);
        }
    }
}

/// A JUnit file with `n` testcases (one in ten failing), on one line or one per line.
fn big_junit(n: usize, one_line: bool) -> String {
    let sep = if one_line { "" } else { "\n" };
    let mut s =
        format!(r#"<?xml version="1.0"?>{sep}<testsuites><testsuite name="s" tests="{n}">{sep}"#);
    for i in 0..n {
        if i % 10 == 0 {
            s.push_str(&format!(
                r#"<testcase classname="m.C" name="t{i}" time="0.1"><failure message="no">assert é &lt; 1</failure></testcase>{sep}"#
            ));
        } else {
            s.push_str(&format!(
                r#"<testcase classname="m.C" name="t{i}" time="0.1"/>{sep}"#
            ));
        }
    }
    s.push_str("</testsuite></testsuites>\n");
    s
}

/// Reading XML is linear: 40,000 testcases (quadratic before: ~19 s for 20,000 in a release
/// build) read in seconds even in a debug build, on separate lines or all on one line.
#[test]
fn big_junit_files_read_in_linear_time() {
    for one_line in [false, true] {
        let text = big_junit(40_000, one_line);
        let start = std::time::Instant::now();
        let cases = readers::junit::read_junit("big.xml", &text).unwrap();
        let took = start.elapsed();
        assert_eq!(cases.len(), 40_000);
        assert!(
            took < std::time::Duration::from_secs(8),
            "40,000 testcases (one line: {one_line}) took {took:?}"
        );
    }
}
