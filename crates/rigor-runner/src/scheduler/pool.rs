//! A suite's worker slots, kept between the batches (tiers) of a run, so that pytest workers
//! collect the suite once per run rather than once per tier.

use super::book::Job;
use crate::worker::{Worker, WorkerEvent, WorkerFactory};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long persistent workers may take to end their sessions at the end of the run.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// One worker and the tests handed to it.
pub(super) struct Slot {
    pub(super) worker: Option<Box<dyn Worker>>,
    /// Accepts tests (a collecting worker is ready once it reported its collection).
    pub(super) ready: bool,
    /// Handed over, not finished; the running one first.
    pub(super) outstanding: VecDeque<Job>,
    /// The test the worker said it started, and when.
    pub(super) running: Option<(Job, Instant)>,
    /// The test whose timeout killed the worker.
    pub(super) timed_out: Option<usize>,
    /// The worker started at least one test.
    pub(super) ran_any: bool,
    /// When the worker started (bounds its collection).
    pub(super) spawned: Instant,
    /// The worker was killed because it did not report its collection in time.
    pub(super) collect_timed_out: bool,
    /// Not needed by this batch (more slots than tests): gets no tests and is not restarted.
    pub(super) retired: bool,
}

impl Slot {
    pub(super) fn empty() -> Slot {
        Slot {
            worker: None,
            ready: false,
            outstanding: VecDeque::new(),
            running: None,
            timed_out: None,
            ran_any: false,
            spawned: Instant::now(),
            collect_timed_out: false,
            retired: false,
        }
    }

    /// Start a fresh worker in this slot.
    pub(super) fn start(
        &mut self,
        factory: &dyn WorkerFactory,
        index: usize,
        tx: &mpsc::Sender<WorkerEvent>,
    ) -> std::io::Result<()> {
        let worker = factory.spawn(index, tx.clone())?;
        *self = Slot::empty();
        self.ready = !factory.collects();
        self.worker = Some(worker);
        Ok(())
    }

    pub(super) fn kill(&mut self) {
        if let Some(w) = self.worker.as_mut() {
            w.kill();
        }
    }
}

/// The workers of one suite, and the channel their events arrive on.
pub struct Pool {
    pub(super) tx: mpsc::Sender<WorkerEvent>,
    pub(super) rx: mpsc::Receiver<WorkerEvent>,
    pub(super) slots: Vec<Slot>,
}

impl Default for Pool {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Pool {
            tx,
            rx,
            slots: Vec::new(),
        }
    }
}

impl Pool {
    /// Worker slots started so far (a batch starts no more than its work can use).
    pub fn size(&self) -> usize {
        self.slots.len()
    }

    /// Let persistent workers end their sessions (fixture teardown), then make sure every worker
    /// is gone. A process-per-test worker has nothing left running once its results are in.
    pub fn shutdown(mut self, stop: &AtomicBool) {
        for s in self.slots.iter_mut() {
            if let Some(w) = s.worker.as_mut()
                && !w.finish_input()
            {
                if s.running.is_some() {
                    w.kill();
                }
                s.worker = None;
            }
        }
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while self.slots.iter().any(|s| s.worker.is_some()) && Instant::now() < deadline {
            match self.rx.recv_timeout(Duration::from_millis(100)) {
                Ok(WorkerEvent::Exited { slot, .. }) => self.slots[slot].worker = None,
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        self.kill_all();
    }

    /// Kill every worker, with its process group; the slots stay, empty.
    pub(super) fn kill_all(&mut self) {
        for s in self.slots.iter_mut() {
            s.kill();
            s.worker = None;
        }
    }
}
