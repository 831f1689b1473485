//! How many tests a job leases at once. Large batches at the start cost few round trips; near
//! the end single tests keep every job busy until the queue is empty (the tail decides the
//! makespan). A batch aims at a share of the remaining estimated work:
//! `remaining_s / (SHARE × live jobs)`, taking the next tests in queue order until it is
//! reached — at least `min_tests` (the job's workers, so none idles while work is left) and at
//! most what is available.

/// Each job leases about 1/SHARE of its fair part of the remaining work at a time.
pub const SHARE: f64 = 4.0;

/// Most tests in one batch (one lease statement's parameters, one transaction's row locks).
pub const MAX_BATCH: usize = 200;

/// The number of tests to take from `available` (estimated seconds of the next leasable tests,
/// in queue order) when `remaining_s` seconds of work are not done and `live_jobs` jobs share
/// them.
pub fn batch_len(available: &[f64], remaining_s: f64, live_jobs: usize, min_tests: usize) -> usize {
    let cap = available.len().min(MAX_BATCH);
    if cap == 0 {
        return 0;
    }
    let target = remaining_s.max(0.0) / (SHARE * live_jobs.max(1) as f64);
    let mut sum = 0.0;
    let mut n = 0;
    for &s in &available[..cap] {
        if n >= min_tests.max(1) && sum >= target {
            break;
        }
        sum += s.max(0.0);
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn batches_shrink_to_single_tests_near_the_end() {
        let tests = vec![1.0; 100];
        // 100 s left, 4 jobs: about 100 / 16 = 6.25 s → 7 tests.
        assert_eq!(batch_len(&tests, 100.0, 4, 1), 7);
        // 3 s left: one test.
        assert_eq!(batch_len(&tests[..3], 3.0, 4, 1), 1);
        // A job with 2 workers takes at least 2.
        assert_eq!(batch_len(&tests[..3], 3.0, 4, 2), 2);
        assert_eq!(batch_len(&[], 10.0, 1, 1), 0);
        // Long tests first: the first one alone covers the share.
        assert_eq!(batch_len(&[30.0, 1.0, 1.0], 32.0, 1, 1), 1);
    }

    proptest! {
        /// A batch is never empty when tests are available, never more than available or
        /// MAX_BATCH, and at least min_tests when that many are available.
        #[test]
        fn batch_bounds(
            avail in proptest::collection::vec(0.0f64..100.0, 0..300),
            remaining in 0.0f64..10_000.0,
            jobs in 0usize..16,
            min in 0usize..8,
        ) {
            let n = batch_len(&avail, remaining, jobs, min);
            prop_assert!(n <= avail.len().min(MAX_BATCH));
            prop_assert_eq!(n == 0, avail.is_empty());
            prop_assert!(n >= min.max(1).min(avail.len().min(MAX_BATCH)));
        }

        /// Metamorphic: more live jobs, or less remaining work, never make a batch larger.
        #[test]
        fn more_jobs_or_less_work_never_grow_a_batch(
            avail in proptest::collection::vec(0.01f64..100.0, 1..300),
            remaining in 0.0f64..10_000.0,
            jobs in 1usize..16,
            min in 0usize..8,
            less in 0.0f64..1.0,
        ) {
            let n = batch_len(&avail, remaining, jobs, min);
            prop_assert!(batch_len(&avail, remaining, jobs + 1, min) <= n);
            prop_assert!(batch_len(&avail, remaining * less, jobs, min) <= n);
        }
    }
}
