//! The baseline (every test alone, no mutant, with the reach probe) and the mutants (each
//! against the tests that reached it: its own module's unit tests first, then the fastest;
//! batches of 1, 2, 4, … tests of one binary, stopping at the first kill).

use super::cargo::TestExe;
use super::project::module_path;
use super::run::{self, BatchOut, BatchRun};
use crate::error::{MutateError, Result};
use crate::model::{Mutant, MutantResult, TestSource, Verdict};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// One test of one binary.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub exe: usize,
    pub name: String,
    /// `binary-id name`, as rigor's nextest history names tests.
    pub id: String,
}

/// What the baseline learnt about a test.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub passed: bool,
    pub seconds: f64,
    pub reached: BTreeSet<u32>,
}

/// Where tests run.
pub struct Env<'a> {
    pub exes: &'a [TestExe],
    pub cwd: &'a Path,
    pub scratch: &'a Path,
    pub jobs: usize,
}

/// nextest's binary id for an executable of package `pkg`.
pub fn binary_id(pkg: &str, exe: &TestExe) -> String {
    match exe.kind.as_str() {
        "lib" | "proc-macro" => pkg.to_string(),
        "bin" => format!("{pkg}::bin/{}", exe.target),
        _ => format!("{pkg}::{}", exe.target),
    }
}

/// Run every test alone with the probe on.
pub fn baseline(env: &Env, tests: &[TestCase], per_test_s: f64) -> Result<Vec<Measured>> {
    run::par_map(tests, env.jobs, &|w, t| {
        let probe = env.scratch.join(format!("probe-{w}"));
        let one = [t.name.clone()];
        let out = run::run(&BatchRun {
            exe: &env.exes[t.exe].path,
            cwd: env.cwd,
            tests: &one,
            mutant: 0,
            probe: Some(&probe),
            timeout_s: per_test_s,
            output: env.scratch.join(format!("out-{w}")),
        })?;
        Ok(Measured {
            passed: out.results.iter().any(|r| r.0 == t.name && r.1) && out.killer().is_none(),
            seconds: out.seconds,
            reached: out.reached,
        })
    })
}

/// A mutant's candidate tests in the order they run: unit tests of its own module first, then
/// by expected duration (history, else the baseline's), fastest first.
pub fn order(
    m: &Mutant,
    exes: &[TestExe],
    tests: &[TestCase],
    measured: &[Measured],
    history: &HashMap<String, f64>,
) -> Vec<usize> {
    let module = module_path(&m.file);
    let prefix = if module.is_empty() {
        "tests::".to_string()
    } else {
        format!("{module}::")
    };
    let mut v: Vec<usize> = (0..tests.len())
        .filter(|&i| measured[i].passed && measured[i].reached.contains(&m.id))
        .collect();
    let key = |i: usize| {
        let t = &tests[i];
        let own = matches!(exes[t.exe].kind.as_str(), "lib" | "bin") && t.name.starts_with(&prefix);
        let secs = history.get(&t.id).copied().unwrap_or(measured[i].seconds);
        (!own, secs)
    };
    v.sort_by(|&a, &b| {
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    v
}

/// Batches of the ordered tests: 1, 2, 4, … tests, each of one binary.
pub fn batches(ordered: &[usize], tests: &[TestCase]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut size = 1;
    for &i in ordered {
        match out.last_mut() {
            Some(b) if b.len() < size && tests[b[0]].exe == tests[i].exe => b.push(i),
            _ => {
                if !out.is_empty() {
                    size = (size * 2).min(64);
                }
                out.push(vec![i]);
            }
        }
    }
    out
}

/// Settings of the mutant runs.
pub struct MutantRuns<'a> {
    pub tests: &'a [TestCase],
    pub measured: &'a [Measured],
    pub history: &'a HashMap<String, f64>,
    pub timeout_factor: f64,
    pub timeout_extra: f64,
    pub progress: bool,
}

/// Run each mutant against its tests.
pub fn mutants(env: &Env, ms: &[&Mutant], r: &MutantRuns) -> Result<Vec<MutantResult>> {
    let total = ms.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    run::par_map(ms, env.jobs, &|w, m| {
        let ordered = order(m, env.exes, r.tests, r.measured, r.history);
        let mut res = MutantResult {
            mutant: (*m).clone(),
            verdict: Verdict::NoCoverage,
            tests_run: Vec::new(),
            killed_by: None,
            source: TestSource::Probe,
            candidates: ordered.len(),
            duration_s: 0.0,
            cached: false,
        };
        for batch in batches(&ordered, r.tests) {
            let out = run_batch(env, w, m.id, &batch, r)?;
            res.verdict = Verdict::Survived;
            res.duration_s += out.seconds;
            res.tests_run
                .extend(out.results.iter().map(|t| id_of(r.tests, &batch, &t.0)));
            if out.timed_out {
                res.verdict = Verdict::Timeout;
                if let Some(u) = &out.unfinished {
                    res.tests_run.push(id_of(r.tests, &batch, u));
                    res.killed_by = Some(id_of(r.tests, &batch, u));
                }
                break;
            }
            if let Some(k) = out.killer() {
                res.verdict = Verdict::Killed;
                if out.crashed {
                    res.tests_run.push(id_of(r.tests, &batch, &k));
                }
                res.killed_by = Some(id_of(r.tests, &batch, &k));
                break;
            }
        }
        let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if r.progress {
            eprintln!("[{k}/{total}] mutant {} {}", m.id, res.verdict.as_str());
        }
        Ok(res)
    })
}

fn id_of(tests: &[TestCase], batch: &[usize], name: &str) -> String {
    batch
        .iter()
        .map(|&i| &tests[i])
        .find(|t| t.name == name)
        .map_or_else(|| name.to_string(), |t| t.id.clone())
}

fn run_batch(env: &Env, w: usize, id: u32, batch: &[usize], r: &MutantRuns) -> Result<BatchOut> {
    let names: Vec<String> = batch.iter().map(|&i| r.tests[i].name.clone()).collect();
    let secs: f64 = batch.iter().map(|&i| r.measured[i].seconds).sum();
    let exe: &PathBuf = &env.exes[r.tests[batch[0]].exe].path;
    run::run(&BatchRun {
        exe,
        cwd: env.cwd,
        tests: &names,
        mutant: id,
        probe: None,
        timeout_s: r.timeout_factor * secs + r.timeout_extra,
        output: env.scratch.join(format!("out-{w}")),
    })
    .map_err(|e| match e {
        MutateError::Worker { message, hint } => MutateError::Worker {
            message: format!("mutant {id}: {message}"),
            hint,
        },
        e => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tc(exe: usize, name: &str) -> TestCase {
        TestCase {
            exe,
            name: name.into(),
            id: name.into(),
        }
    }

    proptest! {
        /// Batches keep the order, never mix binaries, and grow 1, 2, 4, …
        #[test]
        fn batches_partition_the_ordered_tests(exes in proptest::collection::vec(0usize..3, 0..60)) {
            let tests: Vec<TestCase> = exes.iter().enumerate().map(|(i, &e)| tc(e, &format!("t{i}"))).collect();
            let ordered: Vec<usize> = (0..tests.len()).collect();
            let bs = batches(&ordered, &tests);
            let flat: Vec<usize> = bs.iter().flatten().copied().collect();
            prop_assert_eq!(flat, ordered);
            for (k, b) in bs.iter().enumerate() {
                prop_assert!(!b.is_empty());
                prop_assert!(b.iter().all(|&i| tests[i].exe == tests[b[0]].exe));
                prop_assert!(b.len() <= 1usize << k.min(6));
            }
        }
    }

    #[test]
    fn own_module_tests_run_first_then_the_fastest() {
        let exes = vec![
            TestExe {
                target: "demo".into(),
                kind: "lib".into(),
                path: "/x".into(),
            },
            TestExe {
                target: "it".into(),
                kind: "test".into(),
                path: "/y".into(),
            },
        ];
        let tests = vec![
            tc(0, "other::tests::a"),
            tc(0, "calc::tests::b"),
            tc(1, "fast"),
            tc(1, "slow"),
        ];
        let mk = |secs: f64, reached: bool| Measured {
            passed: true,
            seconds: secs,
            reached: if reached { [3].into() } else { BTreeSet::new() },
        };
        let measured = vec![mk(0.1, true), mk(0.5, true), mk(0.01, true), mk(0.2, true)];
        let mut m = crate::rust::generate::mutants("src/calc.rs", "fn f() -> bool { 1 < 2 }")
            .unwrap()[0]
            .clone();
        m.id = 3;
        let o = order(&m, &exes, &tests, &measured, &HashMap::new());
        assert_eq!(o, vec![1, 2, 0, 3]);
        let mut unreached = measured.clone();
        unreached[2] = mk(0.01, false);
        let o = order(&m, &exes, &tests, &unreached, &HashMap::new());
        assert_eq!(
            o,
            vec![1, 0, 3],
            "a test that does not reach the mutant never runs it"
        );
        let history: HashMap<String, f64> = [("slow".to_string(), 0.001)].into();
        assert_eq!(
            order(&m, &exes, &tests, &measured, &history),
            vec![1, 3, 2, 0]
        );
    }
}
