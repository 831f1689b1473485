//! The only place that opens the history. Requests borrow a connection from a small pool and
//! run their queries on tokio's blocking threads. Another engine (PostgreSQL) would replace
//! this module and [`crate::queries`], nothing else.

use crate::error::{HttpError, ServeError};
use rigor_store::Store;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Idle connections kept for reuse.
const POOL: usize = 8;

/// The history, shared by the handlers.
pub struct Db {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Db {
    /// Open the history and bring every area the dashboard reads (core, quarantine, gate,
    /// perf) up to date (their migrations include the indexes the dashboard's queries use).
    /// A history rigor cannot write is served as it is (read-only); pages over areas it
    /// never had (no gate or perf tables) then answer with an error.
    pub fn open(path: &Path) -> Result<Db, ServeError> {
        let store = match Store::open(path) {
            Ok(mut store) => {
                rigor_gate::history::migrate(&mut store)
                    .map_err(|e| ServeError::Prepare(e.to_string()))?;
                store.migrate_area("perf", rigor_perf::store::MIGRATIONS)?;
                store
            }
            Err(e) if path.is_file() => Store::open_for_reading(path).map_err(|_| e)?,
            Err(e) => return Err(e.into()),
        };
        Ok(Db {
            path: path.to_path_buf(),
            idle: Mutex::new(vec![store]),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn take(&self) -> Result<Store, HttpError> {
        if let Some(s) = self.idle.lock().expect("pool lock").pop() {
            return Ok(s);
        }
        Ok(Store::open_for_reading(&self.path)?)
    }

    fn give(&self, store: Store) {
        let mut idle = self.idle.lock().expect("pool lock");
        if idle.len() < POOL {
            idle.push(store);
        }
    }

    /// Run `f` with a connection on a blocking thread.
    pub async fn with<T, F>(self: &Arc<Self>, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, HttpError> + Send + 'static,
    {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = db.take()?;
            let out = f(&mut store);
            db.give(store);
            out
        })
        .await
        .map_err(|e| HttpError::internal(format!("a request's worker failed: {e}")))?
    }
}
