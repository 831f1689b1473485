//! The history store: SQLite (WAL) at `.rigor/history.db` by default, or a shared PostgreSQL
//! database (`store.url = "postgres://…"`) for every area ported to [`db::Sql`] (all of
//! rigor's areas).
//!
//! Each area (core runs and results, perf, gates, …) owns its tables and registers its own
//! ordered migrations with [`Store::migrate_area`]; applied versions are kept per area in
//! `schema_versions`, so areas evolve independently and share one file.

pub mod copy;
pub mod db;
mod migrate;
mod ops;
mod past;
mod pg;
mod quarantine;
mod runs;
mod shared;

pub use migrate::Migration;
pub use ops::{AreaVersion, CheckReport, PruneReport, Retention};
pub use past::{PastFailure, PastResult};
pub use quarantine::Quarantine;
pub use runs::{DurationStats, FailureRate, NewRun, RunRecord, RunStatus, StoredResult, median};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "cannot create the history directory {path}: {source}\n  hint: check permissions, or set store.url"
    )]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot open the history {path}: {source}\n  hint: {}",
        open_hint(path, source)
    )]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("history migration `{area}` v{version} failed: {source}")]
    Migration {
        area: String,
        version: usize,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the history at {path} has `{area}` schema v{found}, newer than this rigor knows (v{known})\n  hint: upgrade rigor"
    )]
    TooNew {
        path: String,
        area: String,
        found: usize,
        known: usize,
    },
    #[error(
        "the history {path} was {what} while rigor was using it (by a test or another program?): what rigor wrote since is not in the file now there\n  hint: keep .rigor/ out of the tests' reach, and run again to record this run"
    )]
    Vanished { path: String, what: &'static str },
    #[error("history query failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(
        "history migration `{area}` v{version} failed on PostgreSQL: {}",
        pg::describe(source)
    )]
    PgMigration {
        area: String,
        version: usize,
        #[source]
        source: postgres::Error,
    },
    #[error("history query failed (PostgreSQL): {}", pg::describe(.0))]
    Postgres(#[from] postgres::Error),
    #[error(
        "cannot connect to the PostgreSQL history at {target}: {}\n  hint: {hint}",
        pg::describe(source)
    )]
    Connect {
        target: String,
        hint: String,
        #[source]
        source: postgres::Error,
    },
    #[error(
        "invalid PostgreSQL store URL {url}: {message}\n  hint: write store.url as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
    )]
    BadUrl { url: String, message: String },
    #[error(
        "the `{area}` area ({what}) needs the SQLite store for now: store.url is PostgreSQL ({url})\n  hint: run this command with RIGOR_STORE_URL=sqlite://.rigor/history.db; this rigor keeps only its known areas on PostgreSQL (see docs/store.md)"
    )]
    NeedsSqlite {
        area: String,
        what: &'static str,
        url: String,
    },
    #[error("{what}: {message}\n  hint: {hint}")]
    Ops {
        what: String,
        message: String,
        hint: String,
    },
    #[error("history column {column} holds {found}, not {wanted}")]
    Decode {
        column: usize,
        found: String,
        wanted: &'static str,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The hint for a history that cannot be opened: permissions when SQLite could not open or
/// write the file, else how to check it — never to discard it.
fn open_hint(path: &str, source: &rusqlite::Error) -> String {
    let access = matches!(
        source.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    );
    if access {
        format!(
            "rigor cannot write {path} or its directory: check their permissions (history, list and report still read it)"
        )
    } else {
        format!(
            "check it with `sqlite3 {path} 'PRAGMA integrity_check'`; if it cannot be repaired, keep a copy of it before starting a new history"
        )
    }
}

/// How long an operation waits for another process's lock on the history before failing.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Run `op` until it does not fail with "database is busy/locked", for at most [`BUSY_TIMEOUT`].
fn retry_busy<T>(mut op: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match op() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// One attempt of [`Store::with_tx`] on SQLite: a write transaction from the start.
fn sqlite_tx<T>(
    conn: &mut Connection,
    f: &mut impl FnMut(&mut dyn db::Sql) -> Result<T>,
) -> Result<T> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let out = f(&mut db::SqliteSql(&tx))?;
    tx.commit()?;
    Ok(out)
}

/// Whether an error is a conflict with another writer that a new attempt can get past.
fn is_conflict(e: &StoreError) -> bool {
    match e {
        StoreError::Sql(rusqlite::Error::SqliteFailure(f, _)) => matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        ),
        StoreError::Postgres(p) => pg::is_conflict(p),
        _ => false,
    }
}

/// Run `op` again while it conflicts with another writer, for at most [`BUSY_TIMEOUT`].
fn retry<T>(mut op: impl FnMut() -> Result<T>) -> Result<T> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match op() {
            Err(e) if is_conflict(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// An open history.
pub struct Store {
    /// The SQLite history; with PostgreSQL an empty in-memory database that areas not ported
    /// to PostgreSQL never reach ([`Store::migrate_area`] refuses them first).
    conn: Connection,
    /// The PostgreSQL history, when store.url names one.
    pg: Option<std::cell::RefCell<postgres::Client>>,
    /// The SQLite file, or the PostgreSQL URL without its password.
    path: PathBuf,
    /// The file's (device, inode) when opened; None in memory.
    file_id: Option<(u64, u64)>,
}

/// The areas whose tables PostgreSQL holds.
const PORTED: &[&str] = &[
    "core",
    "quarantine",
    "perf",
    "gate",
    "triage",
    "mutate",
    "rollout",
    "select",
];

/// The (device, inode) of a file, or None when it does not exist.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

impl Store {
    /// Open (creating if needed) the SQLite history at `path` and apply the core migrations.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // Switching to WAL takes an exclusive lock without waiting on the busy timeout: retry
        // while another process creating the same history holds it.
        retry_busy(|| conn.pragma_update(None, "journal_mode", "WAL")).map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        let mut store = Store {
            conn,
            pg: None,
            path: path.to_path_buf(),
            file_id: file_id(path),
        };
        store.migrate_area("core", runs::MIGRATIONS)?;
        store.migrate_area("quarantine", quarantine::MIGRATIONS)?;
        Ok(store)
    }

    /// Open the history for a command that only reads it (`history`, `list`, `report`): as
    /// [`Store::open`] does when the history is writable; when it is not (a read-only `.rigor`,
    /// or a read-only file), read-only instead. A history that cannot be read either way gives
    /// the error of the normal open.
    pub fn open_for_reading(path: &Path) -> Result<Store> {
        match Store::open(path) {
            Ok(store) => Ok(store),
            Err(e) if path.is_file() => Store::open_read_only(path).map_err(|_| e),
            Err(e) => Err(e),
        }
    }

    /// Open an existing history read-only, without migrating it (its schema must be current).
    /// A WAL history in a directory rigor cannot write is opened as immutable.
    fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        let encoded = path
            .to_string_lossy()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23");
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut last = None;
        for params in ["mode=ro", "mode=ro&immutable=1"] {
            let uri = format!("file:{encoded}?{params}");
            let opened = Connection::open_with_flags(&uri, flags).and_then(|conn| {
                conn.busy_timeout(BUSY_TIMEOUT)?;
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
                Ok(conn)
            });
            match opened {
                Ok(conn) => {
                    let mut store = Store {
                        conn,
                        pg: None,
                        path: path.to_path_buf(),
                        file_id: file_id(path),
                    };
                    // Current schemas are only read; one that needs migrating is an error.
                    store.migrate_area("core", runs::MIGRATIONS)?;
                    store.migrate_area("quarantine", quarantine::MIGRATIONS)?;
                    return Ok(store);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(StoreError::Open {
            path: path.display().to_string(),
            source: last.expect("tried at least once"),
        })
    }

    /// An in-memory store (tests).
    pub fn in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn,
            pg: None,
            path: PathBuf::from(":memory:"),
            file_id: None,
        };
        store.migrate_area("core", runs::MIGRATIONS)?;
        store.migrate_area("quarantine", quarantine::MIGRATIONS)?;
        Ok(store)
    }

    /// An error when the history file was removed or replaced since it was opened: rigor's
    /// writes went to a file no longer there, and would be lost without a word.
    pub fn check_still_there(&self) -> Result<()> {
        let Some(opened) = self.file_id else {
            return Ok(());
        };
        let what = match file_id(&self.path) {
            None => "removed",
            Some(now) if now != opened => "replaced",
            Some(_) => return Ok(()),
        };
        Err(StoreError::Vanished {
            path: self.path.display().to_string(),
            what,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for areas that own their tables.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Apply the not-yet-applied migrations of `area`, each in its own transaction. On
    /// PostgreSQL, an area not ported to it yet is an error naming it.
    pub fn migrate_area(&mut self, area: &str, migrations: &[Migration]) -> Result<()> {
        match &self.pg {
            None => migrate::apply(&mut self.conn, &self.path, area, migrations),
            Some(_) if !PORTED.contains(&area) => Err(StoreError::NeedsSqlite {
                area: area.into(),
                what: pg::area_name(area),
                url: self.path.display().to_string(),
            }),
            Some(client) => pg::migrate(&mut client.borrow_mut(), &self.path, area, migrations),
        }
    }

    /// Open the PostgreSQL history at `url` and apply the core migrations.
    pub fn open_postgres(url: &str) -> Result<Store> {
        let (client, shown) = pg::connect(url)?;
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            pg: Some(std::cell::RefCell::new(client)),
            path: PathBuf::from(shown),
            file_id: None,
        };
        store.migrate_area("core", runs::MIGRATIONS)?;
        store.migrate_area("quarantine", quarantine::MIGRATIONS)?;
        Ok(store)
    }

    /// Whether this history is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Run `f` with statements on this history's engine.
    pub fn with_sql<T>(&self, f: impl FnOnce(&mut dyn db::Sql) -> Result<T>) -> Result<T> {
        match &self.pg {
            None => f(&mut db::SqliteSql(&self.conn)),
            Some(client) => f(&mut db::PgSql::new(&mut *client.borrow_mut())),
        }
    }

    /// Run `f` in one write transaction, again from the start while the engine reports a
    /// conflict with another writer (SQLite busy, PostgreSQL serialization failure or
    /// deadlock), for at most [`BUSY_TIMEOUT`].
    pub fn with_tx<T>(&mut self, mut f: impl FnMut(&mut dyn db::Sql) -> Result<T>) -> Result<T> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            let attempt = match &self.pg {
                None => sqlite_tx(&mut self.conn, &mut f),
                Some(client) => pg::tx(&mut client.borrow_mut(), &mut f),
            };
            match attempt {
                Err(e) if is_conflict(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }
}

/// A history that cannot be opened, migrated or written ends every command with exit code 2.
impl rigor_model::exit::HasExitCode for StoreError {
    fn exit_code(&self) -> i32 {
        rigor_model::exit::USAGE
    }
}
