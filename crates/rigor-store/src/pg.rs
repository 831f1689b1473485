//! PostgreSQL: connecting (with errors that name the server and a hint), versioned migrations
//! under an advisory lock, transactions, and which errors a new attempt can get past.

use crate::db::{self, Dialect};
use crate::{Migration, Result, StoreError};
use postgres::error::SqlState;
use postgres::{Client, NoTls};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The lock key migrating processes serialize on (any constant; rigor's own).
const MIGRATION_LOCK: i64 = 0x7269_676f_7200;

/// Connect to `url`; the client and the URL as shown in messages (without a password).
pub(crate) fn connect(url: &str) -> Result<(Client, String)> {
    let mut config = postgres::Config::from_str(url).map_err(|e| StoreError::BadUrl {
        url: redact(url),
        message: e.to_string(),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    if config.get_application_name().is_none() {
        config.application_name("rigor");
    }
    let target = target(&config);
    let client = config
        .connect(NoTls)
        .map_err(|source| StoreError::Connect {
            hint: connect_hint(&config, &source),
            target: target.clone(),
            source,
        })?;
    Ok((client, format!("postgres://{target}")))
}

/// `user@host:port/database`, as the server is reached.
fn target(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("(no user)");
    let db = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{db}")
}

fn connect_hint(config: &postgres::Config, e: &postgres::Error) -> String {
    let db = config.get_dbname().or(config.get_user()).unwrap_or("rigor");
    match e.code() {
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => {
            format!("the database does not exist: create it (e.g. `createdb {db}`) and run again")
        }
        Some(c)
            if *c == SqlState::INVALID_PASSWORD
                || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            "the server refused the user or password: check them in store.url (or RIGOR_STORE_URL)"
                .into()
        }
        _ => "check that PostgreSQL runs there and accepts connections (`pg_isready -h HOST -p PORT`), and the host and port in store.url".into(),
    }
}

/// `url` without its password.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The server's message (with its SQLSTATE and detail), else the client's.
pub(crate) fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let detail = db.detail().map(|d| format!(" ({d})")).unwrap_or_default();
        return format!("{} [{}]{detail}", db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// A serialization failure or a deadlock: the transaction can be run again.
pub(crate) fn is_conflict(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    })
}

/// What an area not ported to PostgreSQL keeps, for its error message.
pub(crate) fn area_name(area: &str) -> &'static str {
    match area {
        "perf" => "performance series",
        "gate" => "gate evaluations",
        "select" => "change-aware selection: co-failures and coverage maps",
        "triage" => "failure triage labels",
        "mutate" => "mutation testing results",
        "rollout" => "release rollout records",
        _ => "its own tables",
    }
}

/// One attempt of a write transaction.
pub(crate) fn tx<T>(
    client: &mut Client,
    f: &mut impl FnMut(&mut dyn db::Sql) -> Result<T>,
) -> Result<T> {
    let mut tx = client.transaction()?;
    let out = f(&mut db::PgSql::new(&mut tx))?;
    tx.commit()?;
    Ok(out)
}

/// Bring `area` to the last of `migrations` (the SQLite steps rendered for PostgreSQL), in one
/// transaction holding an advisory lock: processes opening the history at once apply each step
/// exactly once.
pub(crate) fn migrate(
    client: &mut Client,
    shown: &Path,
    area: &str,
    migrations: &[Migration],
) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_versions (area TEXT PRIMARY KEY, version BIGINT NOT NULL)",
    )?;
    let current = tx
        .query_opt(
            "SELECT version FROM schema_versions WHERE area = $1",
            &[&area],
        )?
        .map(|r| r.get::<_, i64>(0).max(0) as usize)
        .unwrap_or(0);
    if current > migrations.len() {
        return Err(StoreError::TooNew {
            path: shown.display().to_string(),
            area: area.into(),
            found: current,
            known: migrations.len(),
        });
    }
    for (i, step) in migrations.iter().enumerate().skip(current) {
        let version = i + 1;
        let fail = |source| StoreError::PgMigration {
            area: area.into(),
            version,
            source,
        };
        tx.batch_execute(&db::render_schema(step, Dialect::Postgres))
            .map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_versions (area, version) VALUES ($1, $2)
             ON CONFLICT (area) DO UPDATE SET version = excluded.version",
            &[&area, &(version as i64)],
        )
        .map_err(fail)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://ci:s3cret@db.internal:5433/rigor"),
            "postgres://ci:***@db.internal:5433/rigor"
        );
        assert_eq!(redact("postgres://ci@h/r"), "postgres://ci@h/r");
    }

    #[test]
    fn a_refused_connection_names_the_server_and_a_hint() {
        // A port nothing listens on (bound then released).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = connect(&format!("postgres://ci:pw@127.0.0.1:{port}/hist"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains(&format!("ci@127.0.0.1:{port}/hist")), "{err}");
        assert!(err.contains("pg_isready") && !err.contains("pw"), "{err}");
        let err = connect("postgres://a:b@h:notaport/x")
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("invalid PostgreSQL store URL") && !err.contains(":b@"),
            "{err}"
        );
    }
}
