//! Spread batches over the workers: each worker thread takes the next batch from a shared
//! queue (so a slow mutant never holds up the others) until the queue is empty.

use super::pyworker::{Batch, Reply, Worker};
use crate::error::{MutateError, Result};
use std::collections::VecDeque;
use std::sync::Mutex;

/// Start `n` workers at once (each collects the tests in parallel with the others).
pub fn start_all(spec: &super::pyworker::WorkerSpec, n: usize) -> Result<Vec<Worker>> {
    let results: Vec<Result<Worker>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| s.spawn(move || Worker::start(spec, i)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker start thread"))
            .collect()
    });
    results.into_iter().collect()
}

/// Run every batch on some worker; replies come back in the batches' order. `on_done` is
/// called after each reply (progress). The first worker failure stops the run.
pub fn run_all(
    workers: &mut [Worker],
    batches: Vec<Batch>,
    on_done: &(dyn Fn(&Batch, &Reply) + Sync),
) -> Result<Vec<Reply>> {
    let n = batches.len();
    let queue: Mutex<VecDeque<(usize, Batch)>> =
        Mutex::new(batches.into_iter().enumerate().collect());
    let out: Mutex<Vec<Option<Reply>>> = Mutex::new(vec![None; n]);
    let failure: Mutex<Option<MutateError>> = Mutex::new(None);
    std::thread::scope(|s| {
        for w in workers.iter_mut() {
            let (queue, out, failure) = (&queue, &out, &failure);
            s.spawn(move || {
                loop {
                    if failure.lock().expect("lock").is_some() {
                        return;
                    }
                    let Some((i, b)) = queue.lock().expect("lock").pop_front() else {
                        return;
                    };
                    match w.run(&b) {
                        Ok(r) => {
                            on_done(&b, &r);
                            out.lock().expect("lock")[i] = Some(r);
                        }
                        Err(e) => {
                            failure.lock().expect("lock").get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    Ok(out
        .into_inner()
        .expect("lock")
        .into_iter()
        .map(|r| r.expect("every batch ran"))
        .collect())
}
