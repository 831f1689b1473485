//! The job's heartbeat: a thread with its own connection renews the job's lease every third of
//! the timeout, for as long as the job lives. A killed job stops beating, its deadline passes
//! and its tests become leasable by the others.

use crate::ops;
use rigor_store::Store;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

pub(crate) struct Heartbeat {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Heartbeat {
    /// Start beating for `job` on a new connection to `url`.
    pub(crate) fn start(url: &str, job: i64, timeout_s: f64) -> rigor_store::Result<Heartbeat> {
        let mut store = Store::open_postgres(url)?;
        let (tx, rx) = mpsc::channel::<()>();
        let every = Duration::from_secs_f64((timeout_s / 3.0).max(0.05));
        let thread = std::thread::spawn(move || {
            let mut warned = false;
            loop {
                match rx.recv_timeout(every) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
                if let Err(e) = ops::renew(&mut store, job, timeout_s)
                    && !warned
                {
                    eprintln!("warning: queue heartbeat failed: {e}");
                    warned = true;
                }
            }
        });
        Ok(Heartbeat {
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
