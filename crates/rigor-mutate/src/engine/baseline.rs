//! The baseline: every candidate test once, on the rewritten modules with no mutant switched
//! on, split over the workers. It checks the tests pass without mutants, measures each test's
//! duration (for timeouts and ordering) and records which mutants each test reaches.

use super::BaselineInfo;
use crate::error::{MutateError, Result};
use crate::exec::pyworker::{Batch, Worker};
use crate::exec::schedule;
use crate::tests_for::Measured;
use std::collections::HashMap;

/// Run `tests` with the probe on; `per_test_timeout` bounds each test.
pub fn run(
    workers: &mut [Worker],
    tests: &[String],
    per_test_timeout: f64,
) -> Result<(HashMap<String, Measured>, BaselineInfo)> {
    let t0 = std::time::Instant::now();
    let n = workers.len().max(1);
    let mut chunks: Vec<Vec<String>> = vec![Vec::new(); n];
    // Tests of one file stay together (module fixtures are set up once per chunk).
    let mut by_file: Vec<(&str, Vec<String>)> = Vec::new();
    for t in tests {
        let f = crate::tests_for::test_file(t);
        match by_file.last_mut() {
            Some((g, v)) if *g == f => v.push(t.clone()),
            _ => by_file.push((f, vec![t.clone()])),
        }
    }
    by_file.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    for (_, v) in by_file {
        let smallest = (0..n).min_by_key(|&i| chunks[i].len()).unwrap_or(0);
        chunks[smallest].extend(v);
    }
    let batches: Vec<Batch> = chunks
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(|c| Batch {
            mutant: 0,
            timeout: per_test_timeout * c.len() as f64,
            tests: c,
            probe: true,
            stop_first: false,
        })
        .collect();
    let replies = schedule::run_all(workers, batches, &|_, _| {})?;
    let mut measured = HashMap::new();
    let mut failed = Vec::new();
    for r in replies {
        if r.timeout {
            return Err(MutateError::Baseline {
                message: format!(
                    "the tests did not finish within the timeout ({}s per test){}",
                    per_test_timeout,
                    r.hung
                        .map(|h| format!("; `{h}` was running"))
                        .unwrap_or_default()
                ),
            });
        }
        for row in r.results {
            let passed = row.1 == "passed";
            if row.1 == "failed" {
                failed.push(row.0.clone());
            }
            measured.insert(
                row.0,
                Measured {
                    passed,
                    seconds: row.2,
                    reached: row.3.into_iter().collect(),
                },
            );
        }
    }
    failed.sort();
    if !tests.is_empty() && failed.len() == tests.len() {
        return Err(MutateError::Baseline {
            message: format!(
                "all {} candidate tests fail without any mutant, e.g. `{}`",
                tests.len(),
                failed[0]
            ),
        });
    }
    let info = BaselineInfo {
        tests: tests.len(),
        failed,
        seconds: t0.elapsed().as_secs_f64(),
    };
    Ok((measured, info))
}
