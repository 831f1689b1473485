//! The only place that opens the history (SQLite or PostgreSQL). Requests borrow a connection
//! from a small pool and run their queries on tokio's blocking threads.

use crate::error::{HttpError, ServeError};
use rigor_store::Store;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Idle connections kept for reuse.
const POOL: usize = 8;

/// Where the history is.
#[derive(Debug, Clone)]
pub enum Source {
    Sqlite(PathBuf),
    /// A PostgreSQL URL (store.url).
    Postgres(String),
}

/// The history, shared by the handlers.
pub struct Db {
    source: Source,
    /// The file, or the URL without its password.
    shown: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Db {
    /// Open the history and bring every area the dashboard reads (core, quarantine, gate,
    /// perf) up to date (their migrations include the indexes the dashboard's queries use).
    /// A SQLite history rigor cannot write is served as it is (read-only); pages over areas it
    /// never had (no gate or perf tables) then answer with an error. PostgreSQL's client blocks:
    /// call this outside the async runtime (as [`Db::open_blocking`] does).
    pub fn open(source: Source) -> Result<Db, ServeError> {
        let migrate = |mut store: Store| -> Result<Store, ServeError> {
            rigor_gate::history::migrate(&mut store)
                .map_err(|e| ServeError::Prepare(e.to_string()))?;
            store.migrate_area("perf", rigor_perf::store::MIGRATIONS)?;
            Ok(store)
        };
        let store = match &source {
            Source::Postgres(url) => migrate(Store::open_postgres(url)?)?,
            Source::Sqlite(path) => match Store::open(path) {
                Ok(store) => migrate(store)?,
                Err(e) if path.is_file() => Store::open_for_reading(path).map_err(|_| e)?,
                Err(e) => return Err(e.into()),
            },
        };
        Ok(Db {
            shown: store.path().to_path_buf(),
            source,
            idle: Mutex::new(vec![store]),
        })
    }

    /// [`Db::open`] on a blocking thread, from async code.
    pub async fn open_blocking(source: Source) -> Result<Db, ServeError> {
        tokio::task::spawn_blocking(move || Db::open(source))
            .await
            .map_err(|e| ServeError::Prepare(format!("opening the history failed: {e}")))?
    }

    /// The SQLite file, or the PostgreSQL URL without its password.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    fn take(&self) -> Result<Store, HttpError> {
        if let Some(s) = self.idle.lock().expect("pool lock").pop() {
            return Ok(s);
        }
        Ok(match &self.source {
            Source::Sqlite(path) => Store::open_for_reading(path)?,
            Source::Postgres(url) => Store::open_postgres(url)?,
        })
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

/// PostgreSQL connections close with a blocking call, which must not run on the async runtime
/// (the last handle of the pool may be dropped there): close them on a thread of their own.
impl Drop for Db {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        if idle.iter().any(Store::is_postgres) {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}
