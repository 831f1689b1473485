//! Which tests can kill each mutant, and in which order to run them.
//!
//! Candidates come from the history's coverage map (`rigor run --coverage-map`): the tests
//! whose recorded lines include the mutated line — when the map's commit has the file as it is
//! now. Otherwise (no map, or the file changed since) they are the tests of the test files the
//! import graph says reach the module; a module no test file imports gets every test. The
//! baseline run then records which mutants each candidate really reaches (the schemata switch
//! is a probe), and a mutant runs only the tests that reached it and passed, most likely
//! killers first: tests that failed most in the history, then the fastest.

use crate::model::{Mutant, TestSource};
use crate::project::is_test_file;
use rigor_select::CoverageMap;
use rigor_select::python::PyGraph;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Where a file's candidate tests come from.
#[derive(Debug, Clone, Default)]
pub struct FileTests {
    /// Test files the import graph says reach the file (empty: no test imports it).
    pub graph_files: Vec<String>,
    /// The coverage map of the file (test id → numbits), when valid for its current text.
    pub coverage: Option<HashMap<String, Vec<u8>>>,
    /// Tests the map knows reliably (in it, and their file unchanged since it was recorded).
    /// The other tests are candidates whenever the import graph says they reach the file.
    pub known: BTreeSet<String>,
}

/// The test files that reach each of `files` through the import graph.
pub fn graph_reach(root: &Path, all: &[String], files: &[String]) -> HashMap<String, Vec<String>> {
    let graph = PyGraph::build(root, all, &[]);
    files
        .iter()
        .map(|f| {
            let tests: Vec<String> = graph
                .id(f)
                .map(|id| {
                    graph
                        .dependents(id)
                        .keys()
                        .map(|&k| graph.files[k].clone())
                        .filter(|p| is_test_file(p) && !p.ends_with("conftest.py"))
                        .collect()
                })
                .unwrap_or_default();
            (f.clone(), tests)
        })
        .collect()
}

/// The file part of a pytest node id.
pub fn test_file(nodeid: &str) -> &str {
    nodeid.split("::").next().unwrap_or(nodeid)
}

/// The candidate tests of one mutant among the collected ones.
pub fn candidates(m: &Mutant, ft: &FileTests, collected: &[String]) -> (Vec<String>, TestSource) {
    let files: BTreeSet<&str> = ft.graph_files.iter().map(String::as_str).collect();
    let reaches = |t: &str| files.is_empty() || files.contains(test_file(t));
    if let Some(cov) = &ft.coverage {
        let ranges = [(m.line, m.end_line)];
        let v: Vec<String> = collected
            .iter()
            .filter(|t| {
                cov.get(*t)
                    .is_some_and(|bits| CoverageMap::any_line(bits, &ranges))
                    || (!ft.known.contains(*t) && reaches(t))
            })
            .cloned()
            .collect();
        return (v, TestSource::CoverageMap);
    }
    let v = collected.iter().filter(|t| reaches(t)).cloned().collect();
    (v, TestSource::ImportGraph)
}

/// What the baseline measured of one test.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub passed: bool,
    pub seconds: f64,
    /// Mutant ids whose code the test reached.
    pub reached: BTreeSet<u32>,
}

/// The tests to run against `m`, most likely killers first: candidates that passed the
/// baseline and reached the mutant, by failure rate (higher first) then duration.
pub fn order(
    m: &Mutant,
    candidates: &[String],
    baseline: &HashMap<String, Measured>,
    failure_rate: &HashMap<String, f64>,
) -> Vec<String> {
    let mut v: Vec<&String> = candidates
        .iter()
        .filter(|t| {
            baseline
                .get(*t)
                .is_some_and(|b| b.passed && b.reached.contains(&m.id))
        })
        .collect();
    v.sort_by(|a, b| {
        let ra = failure_rate.get(*a).copied().unwrap_or(0.0);
        let rb = failure_rate.get(*b).copied().unwrap_or(0.0);
        let da = baseline[*a].seconds;
        let db = baseline[*b].seconds;
        rb.total_cmp(&ra).then(da.total_cmp(&db)).then(a.cmp(b))
    });
    v.into_iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Operator;
    use proptest::prelude::*;

    fn mutant(id: u32, line: u32) -> Mutant {
        Mutant {
            id,
            file: "pkg/a.py".into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            start: 0,
            end: 1,
            expr_start: 0,
            expr_end: 1,
            operator: Operator::Comparison,
            original: "<".into(),
            replacement: "<=".into(),
            function: "f".into(),
        }
    }

    #[test]
    fn the_coverage_map_picks_tests_by_line() {
        let mut cov = HashMap::new();
        cov.insert("tests/test_a.py::t1".to_string(), vec![0b0000_0100]); // line 2
        cov.insert("tests/test_a.py::t2".to_string(), vec![0b0000_1000]); // line 3
        cov.insert(String::new(), vec![0xff]);
        let mut ft = FileTests {
            graph_files: vec!["tests/test_a.py".into()],
            coverage: Some(cov),
            known: [
                "tests/test_a.py::t1".to_string(),
                "tests/test_a.py::t2".into(),
            ]
            .into(),
        };
        let collected = vec![
            "tests/test_a.py::t1".to_string(),
            "tests/test_a.py::t2".into(),
            "tests/test_a.py::new".into(),
            "tests/test_b.py::new".into(),
        ];
        let (c, src) = candidates(&mutant(1, 2), &ft, &collected);
        // Tests the map does not know are candidates when the graph says they reach the file.
        assert_eq!(
            c,
            vec![
                "tests/test_a.py::t1".to_string(),
                "tests/test_a.py::new".into()
            ]
        );
        assert_eq!(src, TestSource::CoverageMap);
        ft.known.insert("tests/test_a.py::new".into());
        let (c, _) = candidates(&mutant(1, 2), &ft, &collected);
        assert_eq!(c, vec!["tests/test_a.py::t1".to_string()]);
    }

    #[test]
    fn without_a_map_the_graph_picks_test_files() {
        let ft = FileTests {
            graph_files: vec!["tests/test_a.py".into()],
            coverage: None,
            known: [
                "tests/test_a.py::t1".to_string(),
                "tests/test_a.py::t2".into(),
            ]
            .into(),
        };
        let collected = vec![
            "tests/test_a.py::t1".to_string(),
            "tests/test_b.py::t".into(),
        ];
        let (c, src) = candidates(&mutant(1, 2), &ft, &collected);
        assert_eq!(c, vec!["tests/test_a.py::t1".to_string()]);
        assert_eq!(src, TestSource::ImportGraph);
    }

    proptest! {
        /// Ordering keeps exactly the candidates that passed and reached the mutant, failure
        /// rate never increases along the order, and within equal rates duration never
        /// decreases.
        #[test]
        fn order_is_a_filtered_sort(rows in proptest::collection::vec((any::<bool>(), any::<bool>(), 0u32..4, 0u32..100), 0..20)) {
            let m = mutant(7, 1);
            let mut baseline = HashMap::new();
            let mut rates = HashMap::new();
            let mut cands = Vec::new();
            for (i, (passed, reached, rate, ms)) in rows.iter().enumerate() {
                let id = format!("t{i}");
                cands.push(id.clone());
                let mut r = BTreeSet::new();
                if *reached { r.insert(7); }
                baseline.insert(id.clone(), Measured { passed: *passed, seconds: *ms as f64 / 1000.0, reached: r });
                rates.insert(id, *rate as f64 / 4.0);
            }
            let got = order(&m, &cands, &baseline, &rates);
            let want: BTreeSet<_> = rows.iter().enumerate().filter(|(_, r)| r.0 && r.1).map(|(i, _)| format!("t{i}")).collect();
            prop_assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), want);
            for w in got.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                prop_assert!(rates[a] >= rates[b]);
                if rates[a] == rates[b] {
                    prop_assert!(baseline[a].seconds <= baseline[b].seconds);
                }
            }
        }
    }
}
