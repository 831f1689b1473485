//! The two engines behind the store, SQLite and PostgreSQL, spoken through one small interface:
//! one SQL text (SQLite's `?N` placeholders, rendered `$N` for PostgreSQL), one value type for
//! parameters and rows.

use crate::{Result, StoreError};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use std::collections::HashMap;

/// Which engine a statement is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(v as i64)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(v.into())
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl<T: Clone + Into<Value>> From<&Option<T>> for Value {
    fn from(v: &Option<T>) -> Self {
        v.clone().map_or(Value::Null, Into::into)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

/// Parameters: `params![a, b]` → `[Value::from(a), Value::from(b)]`.
#[macro_export]
#[doc(hidden)]
macro_rules! values {
    ($($v:expr),* $(,)?) => { [$($crate::db::Value::from($v)),*] };
}

/// A value read back as a Rust type.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Option<Self>;
}
impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(i) => Some(*i),
            Value::Real(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }
}
impl FromValue for u32 {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|i| u32::try_from(i).ok())
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).map(|i| i != 0)
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Real(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `i` as `T`; an error names the column and what it held.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T> {
        let v = self.0.get(i).unwrap_or(&Value::Null);
        T::from_value(v).ok_or_else(|| StoreError::Decode {
            column: i,
            found: format!("{v:?}"),
            wanted: std::any::type_name::<T>(),
        })
    }
}

/// Statements on either engine.
pub trait Sql {
    fn dialect(&self) -> Dialect;
    /// Run a statement; the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    /// The first row, if any.
    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// Whether the table `name` exists in the history (in PostgreSQL, in the current schema): for
/// areas that read another area's tables only when that area was ever used.
pub fn table_exists(db: &mut dyn Sql, name: &str) -> Result<bool> {
    let sql = match db.dialect() {
        Dialect::Sqlite => {
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)"
        }
        Dialect::Postgres => {
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?1)"
        }
    };
    match db.query_opt(sql, &[Value::from(name)])? {
        Some(r) => r.get(0),
        None => Ok(false),
    }
}

/// `sql` for `dialect`: for PostgreSQL, `?N` placeholders become `$N` and `rowid` (the
/// implicit row number of SQLite tables) the explicit `seq` column the PostgreSQL schema gives
/// such tables. Text in single quotes is left as it is.
pub fn render(sql: &str, dialect: Dialect) -> String {
    if dialect == Dialect::Sqlite {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quoted = false;
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(if word == "rowid" { "seq" } else { word });
        word.clear();
    };
    for c in sql.chars() {
        if !quoted && (c.is_ascii_alphanumeric() || c == '_') {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            _ => out.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A SQLite table's DDL rendered for PostgreSQL: `INTEGER PRIMARY KEY` becomes an identity
/// column, `INTEGER` `BIGINT`, `REAL` `DOUBLE PRECISION`, `BLOB` `BYTEA`, and a table without an integer
/// primary key gets a `seq` identity column standing for SQLite's implicit `rowid`.
pub fn render_schema(ddl: &str, dialect: Dialect) -> String {
    if dialect == Dialect::Sqlite {
        return ddl.to_string();
    }
    let mut out = String::new();
    for (i, stmt) in ddl.split(';').enumerate() {
        if i > 0 {
            out.push(';');
        }
        let mut s = stmt.replace(
            "INTEGER PRIMARY KEY",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        );
        let code: Vec<&str> = s
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect();
        let is_table = code.join("\n").trim_start().starts_with("CREATE TABLE");
        if is_table
            && !s.contains("AS IDENTITY PRIMARY KEY")
            && !defines_seq(&code)
            && let Some(open) = s.find('(')
        {
            s.insert_str(
                open + 1,
                "\n    seq BIGINT GENERATED BY DEFAULT AS IDENTITY,",
            );
        }
        out.push_str(&words(&s));
    }
    out
}

/// Whether a table's own columns include one named `seq` (then it stands for the row number
/// itself, and no identity column is added).
fn defines_seq(code: &[&str]) -> bool {
    code.iter().any(|l| {
        let l = l.trim_start().trim_start_matches('(').trim_start();
        l.split_whitespace().next() == Some("seq")
    })
}

/// Whole-word type names mapped to PostgreSQL's.
fn words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(match word.as_str() {
            "INTEGER" => "BIGINT",
            "REAL" => "DOUBLE PRECISION",
            "BLOB" => "BYTEA",
            w => w,
        });
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

/// SQLite through a connection (or a transaction, which derefs to one).
pub struct SqliteSql<'a>(pub &'a rusqlite::Connection);

impl Sql for SqliteSql<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.0.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                use rusqlite::types::ValueRef;
                row.push(match r.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
                });
            }
            out.push(Row(row));
        }
        Ok(out)
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

/// PostgreSQL through a client or a transaction; statements are prepared once per object.
pub struct PgSql<'a, C: postgres::GenericClient> {
    client: &'a mut C,
    prepared: HashMap<String, postgres::Statement>,
}

impl<'a, C: postgres::GenericClient> PgSql<'a, C> {
    pub fn new(client: &'a mut C) -> Self {
        PgSql {
            client,
            prepared: HashMap::new(),
        }
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(&render(sql, Dialect::Postgres))?;
        self.prepared.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl<C: postgres::GenericClient> Sql for PgSql<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        Ok(self.client.execute(&stmt, &refs(params))?)
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let rows = self.client.query(&stmt, &refs(params))?;
        rows.iter().map(pg_row).collect()
    }
}

fn pg_row(r: &postgres::Row) -> Result<Row> {
    let mut row = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let ty = col.type_();
        let v = match *ty {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => r
                .try_get::<_, Option<i32>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::INT2 => r
                .try_get::<_, Option<i16>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::BOOL => r
                .try_get::<_, Option<bool>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Value::Real),
            Type::FLOAT4 => r
                .try_get::<_, Option<f32>>(i)?
                .map(|v| Value::Real(v.into())),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                r.try_get::<_, Option<String>>(i)?.map(Value::Text)
            }
            _ => {
                return Err(StoreError::Decode {
                    column: i,
                    found: format!("PostgreSQL type {ty} in `{}`", col.name()),
                    wanted: "an integer, a float or text",
                });
            }
        };
        row.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn placeholders_and_rowid_are_rendered_for_postgres() {
        let sql = "SELECT a FROM r WHERE x = ?1 AND y = '?2 rowid' ORDER BY r.rowid LIMIT ?12";
        assert_eq!(
            render(sql, Dialect::Postgres),
            "SELECT a FROM r WHERE x = $1 AND y = '?2 rowid' ORDER BY r.seq LIMIT $12"
        );
        assert_eq!(render(sql, Dialect::Sqlite), sql);
    }

    #[test]
    fn schemas_get_postgres_types_and_a_row_number() {
        let ddl = "CREATE TABLE runs (id INTEGER PRIMARY KEY, at REAL NOT NULL, n INTEGER);\nCREATE TABLE results (run_id INTEGER NOT NULL, outcome TEXT, bits BLOB);\nCREATE INDEX i ON results (run_id);";
        let pg = render_schema(ddl, Dialect::Postgres);
        assert_eq!(
            pg,
            "CREATE TABLE runs (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at DOUBLE PRECISION NOT NULL, n BIGINT);\nCREATE TABLE results (\n    seq BIGINT GENERATED BY DEFAULT AS IDENTITY,run_id BIGINT NOT NULL, outcome TEXT, bits BYTEA);\nCREATE INDEX i ON results (run_id);"
        );
    }

    #[test]
    fn a_table_with_its_own_seq_column_gets_no_second_one() {
        let ddl = "CREATE TABLE a (\n    owner INTEGER NOT NULL,\n    seq   INTEGER NOT NULL,\n    PRIMARY KEY (owner, seq)\n);";
        let pg = render_schema(ddl, Dialect::Postgres);
        assert_eq!(pg.matches("seq").count(), 2, "{pg}");
        assert!(!pg.contains("IDENTITY"), "{pg}");
    }

    proptest! {
        /// Rendering only swaps `?` for `$` outside quotes and the word `rowid`: with neither,
        /// the text is unchanged; the number of placeholders is kept.
        #[test]
        fn rendering_changes_only_placeholders(
            parts in proptest::collection::vec("[a-z_ =,()]{0,8}", 1..8),
            nums in proptest::collection::vec(1u32..40, 0..8),
        ) {
            let mut sql = String::new();
            for (i, p) in parts.iter().enumerate() {
                sql.push_str(p);
                if let Some(n) = nums.get(i) {
                    sql.push_str(&format!(" ?{n} "));
                }
            }
            let pg = render(&sql, Dialect::Postgres);
            prop_assert_eq!(pg.matches('$').count(), sql.matches('?').count());
            prop_assert_eq!(pg.replace('$', "?").replace("seq", "rowid"), sql.replace("seq", "rowid"));
        }
    }
}
