//! A small builder for dynamic SQL with `$N` placeholders, which both backends accept.

use crate::Conn;
use sqlx::any::AnyRow;
use sqlx::{Any, FromRow};

/// A bound value.
#[derive(Debug, Clone)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    Real(Option<f64>),
    Blob(Vec<u8>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_string))
    }
}
impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Val::Blob(v)
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Self {
        Val::Real(v)
    }
}

/// A stage, a lead's status or channel is stored as its code.
macro_rules! stored_as_code {
    ($($t:ty),+) => {$(
        impl From<$t> for Val {
            fn from(v: $t) -> Self {
                Val::Text(Some(v.as_str().to_string()))
            }
        }
        impl From<Option<$t>> for Val {
            fn from(v: Option<$t>) -> Self {
                Val::Text(v.map(|v| v.as_str().to_string()))
            }
        }
    )+};
}
stored_as_code!(
    fenglai_domain::Stage,
    fenglai_domain::LeadStatus,
    fenglai_domain::Channel,
    fenglai_domain::stage::HistoryKind,
    fenglai_domain::milestone::ProjectType
);
stored_as_code!(
    fenglai_domain::Role,
    fenglai_domain::UnitKind,
    fenglai_domain::SessionKind,
    fenglai_domain::WebhookKind,
    fenglai_domain::JobKind
);
/// A day is stored as `YYYY-MM-DD`.
impl From<chrono::NaiveDate> for Val {
    fn from(v: chrono::NaiveDate) -> Self {
        Val::Text(Some(v.format("%Y-%m-%d").to_string()))
    }
}
impl From<Option<chrono::NaiveDate>> for Val {
    fn from(v: Option<chrono::NaiveDate>) -> Self {
        Val::Text(v.map(|v| v.format("%Y-%m-%d").to_string()))
    }
}
/// Money is stored as integer yuan.
impl From<fenglai_domain::Yuan> for Val {
    fn from(v: fenglai_domain::Yuan) -> Self {
        Val::Int(Some(v.0))
    }
}
impl From<Option<fenglai_domain::Yuan>> for Val {
    fn from(v: Option<fenglai_domain::Yuan>) -> Self {
        Val::Int(v.map(|v| v.0))
    }
}

/// A timestamp is stored in the form [`now`] writes (`Moment`'s `Display`).
impl From<fenglai_domain::Moment> for Val {
    fn from(v: fenglai_domain::Moment) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<Option<fenglai_domain::Moment>> for Val {
    fn from(v: Option<fenglai_domain::Moment>) -> Self {
        Val::Text(v.map(|v| v.to_string()))
    }
}
/// A credit code is stored as its text, a legacy one verbatim.
impl From<fenglai_domain::CreditCode> for Val {
    fn from(v: fenglai_domain::CreditCode) -> Self {
        Val::from(&v)
    }
}
impl From<&fenglai_domain::CreditCode> for Val {
    fn from(v: &fenglai_domain::CreditCode) -> Self {
        Val::Text(Some(v.as_str().to_string()))
    }
}
impl From<Option<fenglai_domain::CreditCode>> for Val {
    fn from(v: Option<fenglai_domain::CreditCode>) -> Self {
        Val::from(v.as_ref())
    }
}
impl From<Option<&fenglai_domain::CreditCode>> for Val {
    fn from(v: Option<&fenglai_domain::CreditCode>) -> Self {
        Val::Text(v.map(|v| v.as_str().to_string()))
    }
}
impl From<&Option<fenglai_domain::CreditCode>> for Val {
    fn from(v: &Option<fenglai_domain::CreditCode>) -> Self {
        Val::from(v.as_ref())
    }
}

/// SQL text plus its arguments in placeholder order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    pub text: String,
    args: Vec<Val>,
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Val::Int(v) => q.bind(*v),
                Val::Text(v) => q.bind(v.clone()),
                // as text, cast in SQL: see `Sql::bind`
                Val::Real(v) => q.bind(v.map(|v| v.to_string())),
                Val::Blob(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `v`.
    ///
    /// Reals travel as text under `CAST(… AS DOUBLE PRECISION)`. sqlx's `Any`
    /// driver declares a `NULL` `f64` as `float4` but a value as `float8`; on
    /// PostgreSQL a statement prepared (and cached) with the one then fails with
    /// the other ("incorrect binary data format"). Text is one type either way,
    /// and Rust prints an `f64` so that it reads back exactly.
    pub fn bind(&mut self, v: impl Into<Val>) -> &mut Self {
        let v = v.into();
        let real = matches!(v, Val::Real(_));
        self.args.push(v);
        let n = self.args.len();
        // written in place: a bulk INSERT binds millions (no String per placeholder)
        use std::fmt::Write;
        let _ = if real {
            write!(self.text, "CAST(${n} AS DOUBLE PRECISION)")
        } else {
            write!(self.text, "${n}")
        };
        self
    }

    /// Binds the values separated by commas, for `IN (…)`.
    pub fn bind_list<V: Into<Val>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self
    }

    /// Appends another statement's text and arguments, renumbering its placeholders to
    /// follow this one's.
    pub fn append(&mut self, other: Sql) -> &mut Self {
        let offset = self.args.len();
        let mut chars = other.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                let mut n = 0usize;
                while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                    n = n * 10 + d as usize;
                    chars.next();
                }
                self.text.push_str(&format!("${}", n + offset));
            } else {
                self.text.push(c);
            }
        }
        self.args.extend(other.args);
        self
    }

    /// On SQLite, rewrites the `$N` placeholders as anonymous `?` (the builder numbers
    /// them in text order, each used once). SQLite looks a numbered parameter up by a
    /// linear scan, so binding a statement of n `$N` parameters costs n²: for the
    /// multi-row INSERTs of an import (10,000 parameters) that was most of the time.
    pub fn positional(&mut self, backend: crate::Backend) -> &mut Self {
        if backend == crate::Backend::Sqlite {
            let mut out = String::with_capacity(self.text.len());
            let mut chars = self.text.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            self.text = out;
        }
        self
    }

    /// [`Sql::execute`] that hands its arguments over instead of copying them (a bulk
    /// INSERT's thousands of strings).
    pub async fn execute_owned(self, conn: &mut Conn) -> crate::Result<u64> {
        let mut q = sqlx::query::<Any>(&self.text);
        for a in self.args {
            q = match a {
                Val::Int(v) => q.bind(v),
                Val::Text(v) => q.bind(v),
                Val::Real(v) => q.bind(v.map(|v| v.to_string())),
                Val::Blob(v) => q.bind(v),
            };
        }
        Ok(q.execute(conn.raw())
            .await
            .map_err(crate::map_unique)?
            .rows_affected())
    }

    pub async fn execute(&self, conn: &mut Conn) -> crate::Result<u64> {
        let q = bind_all!(sqlx::query::<Any>(&self.text), &self.args);
        Ok(q.execute(conn.raw())
            .await
            .map_err(crate::map_unique)?
            .rows_affected())
    }

    pub async fn fetch_all<T>(&self, conn: &mut Conn) -> crate::Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let q = bind_all!(sqlx::query_as::<Any, T>(&self.text), &self.args);
        Ok(q.fetch_all(conn.raw()).await?)
    }

    pub async fn fetch_optional<T>(&self, conn: &mut Conn) -> crate::Result<Option<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let q = bind_all!(sqlx::query_as::<Any, T>(&self.text), &self.args);
        q.fetch_optional(conn.raw())
            .await
            .map_err(crate::map_unique)
    }

    pub async fn fetch_one<T>(&self, conn: &mut Conn) -> crate::Result<T>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        self.fetch_optional(conn)
            .await?
            .ok_or(crate::StoreError::NotFound)
    }

    /// All rows of this query as one JSON array built by the database and parsed here
    /// (each row an array of `columns`, read into `T` field by field in that order),
    /// for queries of tens of thousands of small rows: sqlx hands every SQLite row from
    /// its worker thread over a channel, which costs more than the query itself at that
    /// count; one row of one text value does not.
    pub async fn fetch_packed<T>(&self, conn: &mut Conn, columns: &[&str]) -> crate::Result<Vec<T>>
    where
        T: serde::de::DeserializeOwned,
    {
        let cols = columns.join(", ");
        let text = if conn.backend() == crate::Backend::Postgres {
            format!(
                "SELECT CAST(COALESCE(json_agg(json_build_array({cols})), '[]') AS TEXT) FROM ({}) packed",
                self.text
            )
        } else {
            format!(
                "SELECT json_group_array(json_array({cols})) FROM ({}) packed",
                self.text
            )
        };
        let q = bind_all!(sqlx::query_scalar::<Any, String>(&text), &self.args);
        let json = q.fetch_one(conn.raw()).await?;
        serde_json::from_str(&json)
            .map_err(|e| crate::StoreError::Corrupt(format!("packed rows: {e}")))
    }

    /// A single `BIGINT` (for `COUNT`, `RETURNING id` …).
    pub async fn fetch_i64(&self, conn: &mut Conn) -> crate::Result<i64> {
        let q = bind_all!(sqlx::query_scalar::<Any, i64>(&self.text), &self.args);
        q.fetch_optional(conn.raw())
            .await
            .map_err(crate::map_unique)?
            .ok_or(crate::StoreError::NotFound)
    }
}

/// PostgreSQL: inserts `rows` into `table` as one JSON array bound as a single text
/// parameter and unpacked by `json_to_recordset`, instead of a multi-row `VALUES` of
/// thousands of parameters that the server parses and plans again at every execution
/// (sqlx's `Any` driver binds no arrays, so `unnest` is not available). `cols` are the
/// row's JSON keys, each the name of a column, with their SQL types; `consts` are
/// columns given the same value in every row. Reals go through JSON numbers, which
/// serde writes in their shortest exact form.
pub async fn insert_json<T: serde::Serialize>(
    conn: &mut Conn,
    table: &str,
    cols: &[(&str, &str)],
    consts: &[(&str, Val)],
    rows: &[T],
) -> crate::Result<()> {
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let names = names.join(", ");
    let defs: Vec<String> = cols.iter().map(|(n, t)| format!("{n} {t}")).collect();
    let defs = defs.join(", ");
    for chunk in rows.chunks(10_000) {
        let json =
            serde_json::to_string(chunk).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let mut s = Sql::new(&format!("INSERT INTO {table} ({names}"));
        for (n, _) in consts {
            s.push(", ").push(n);
        }
        s.push(&format!(") SELECT {names}"));
        for (_, v) in consts {
            s.push(", ").bind(v.clone());
        }
        s.push(" FROM json_to_recordset(CAST(")
            .bind(json)
            .push(&format!(" AS json)) AS x({defs})"));
        s.execute_owned(conn).await?;
    }
    Ok(())
}

/// SQLite: rows bound into multi-row `VALUES` go first into an empty temporary table of
/// the target's columns, then into the target by one `INSERT … SELECT`. Every statement
/// that writes a table with constraints, triggers or a full-text index inside a
/// transaction keeps a statement journal of each page it changes, so that it alone can be
/// undone; SQLite binds at most 32,766 parameters, so the rows of a ledger written
/// directly take hundreds of statements, each journalling again the index pages the
/// previous one touched. Through the stage the target sees one statement per call
/// (87,501 leads: 5.1 → 3.5 s in the `sqlite3` shell).
pub(crate) struct Stage {
    table: &'static str,
    cols: &'static str,
    staged: bool,
}

impl Stage {
    /// A stage for `table`'s columns `cols`, if `rows` take more than one statement of
    /// `per_statement`; else the rows go straight to the table.
    pub(crate) async fn open(
        conn: &mut Conn,
        table: &'static str,
        cols: &'static str,
        rows: usize,
        per_statement: usize,
    ) -> crate::Result<Stage> {
        let staged = rows > per_statement;
        if staged {
            Sql::new(&format!("DROP TABLE IF EXISTS temp.stage_{table}"))
                .execute(conn)
                .await?;
            Sql::new(&format!(
                "CREATE TEMP TABLE stage_{table} AS SELECT {cols} FROM {table} WHERE 0"
            ))
            .execute(conn)
            .await?;
        }
        Ok(Stage {
            table,
            cols,
            staged,
        })
    }

    /// The start of a multi-row insert into the stage (or the table, if not staged).
    pub(crate) fn insert(&self) -> String {
        let (table, cols) = (self.table, self.cols);
        if self.staged {
            format!("INSERT INTO temp.stage_{table} ({cols}) VALUES ")
        } else {
            format!("INSERT INTO {table} ({cols}) VALUES ")
        }
    }

    pub(crate) async fn close(self, conn: &mut Conn) -> crate::Result<()> {
        let (table, cols) = (self.table, self.cols);
        if !self.staged {
            return Ok(());
        }
        Sql::new(&format!(
            "INSERT INTO {table} ({cols}) SELECT {cols} FROM temp.stage_{table}"
        ))
        .execute(conn)
        .await?;
        Sql::new(&format!("DROP TABLE temp.stage_{table}"))
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Current time as stored: RFC 3339 UTC with microseconds, the same text as
/// `fenglai_domain::Moment::now().to_string()`.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}
