//! Server-side sessions and API tokens (stored hashed), and login attempts.

use crate::decode;
use crate::sql::Sql;
use crate::{Conn, Result};
use fenglai_domain::{Moment, SessionKind};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub kind: SessionKind,
    pub csrf: String,
    pub expires_at: Moment,
}

impl<'r> FromRow<'r, AnyRow> for Session {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<Session> {
        Ok(Session {
            token_hash: r.try_get("token_hash")?,
            user_id: r.try_get("user_id")?,
            kind: session_kind(r)?,
            csrf: r.try_get("csrf")?,
            expires_at: decode::moment(r, "expires_at")?,
        })
    }
}

fn session_kind(r: &AnyRow) -> sqlx::Result<SessionKind> {
    decode::coded(r, "kind", SessionKind::ALL, SessionKind::as_str)
}

pub async fn insert(
    conn: &mut Conn,
    token_hash: &str,
    user_id: i64,
    kind: SessionKind,
    csrf: &str,
    now: Moment,
    expires_at: Moment,
) -> Result<()> {
    let mut s = Sql::new(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at) VALUES (",
    );
    s.bind(token_hash)
        .push(", ")
        .bind(user_id)
        .push(", ")
        .bind(kind)
        .push(", ");
    s.bind(csrf)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(expires_at)
        .push(")");
    s.execute(conn).await.map(|_| ())
}

/// A live session: not expired, and its user active.
pub async fn find(conn: &mut Conn, token_hash: &str, now: Moment) -> Result<Option<Session>> {
    let mut s = Sql::new(
        "SELECT s.token_hash, s.user_id, s.kind, s.csrf, s.expires_at FROM sessions s \
         JOIN users u ON u.id = s.user_id WHERE u.active = 1 AND s.token_hash = ",
    );
    s.bind(token_hash).push(" AND s.expires_at > ").bind(now);
    s.fetch_optional(conn).await
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    let mut s = Sql::new("DELETE FROM sessions WHERE token_hash = ");
    s.bind(token_hash);
    s.execute(conn).await.map(|_| ())
}

/// A user's live session or API token as an administrator sees it: never the token nor
/// its whole hash; `id`, the first 16 hex digits of the hash (SHA-256 of the token),
/// names it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: String,
    /// `web` (a browser session) or `api` (a bearer token)
    pub kind: SessionKind,
    pub created_at: Moment,
    pub expires_at: Moment,
}

impl<'r> FromRow<'r, AnyRow> for SessionInfo {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<SessionInfo> {
        Ok(SessionInfo {
            id: r.try_get("id")?,
            kind: session_kind(r)?,
            created_at: decode::moment(r, "created_at")?,
            expires_at: decode::moment(r, "expires_at")?,
        })
    }
}

/// The live (unexpired) sessions and tokens of a user, newest first.
pub async fn of_user(conn: &mut Conn, user_id: i64, now: Moment) -> Result<Vec<SessionInfo>> {
    let mut s = Sql::new(
        "SELECT substr(token_hash, 1, 16) AS id, kind, created_at, expires_at FROM sessions \
         WHERE user_id = ",
    );
    s.bind(user_id)
        .push(" AND expires_at > ")
        .bind(now)
        .push(" ORDER BY created_at DESC, token_hash");
    s.fetch_all(conn).await
}

/// Every live session and token: (user id, the session), by user, newest first.
pub async fn live(conn: &mut Conn, now: Moment) -> Result<Vec<(i64, SessionInfo)>> {
    struct Row(i64, SessionInfo);
    impl<'r> FromRow<'r, AnyRow> for Row {
        fn from_row(r: &'r AnyRow) -> sqlx::Result<Row> {
            Ok(Row(r.try_get("user_id")?, SessionInfo::from_row(r)?))
        }
    }
    let mut s = Sql::new(
        "SELECT user_id, substr(token_hash, 1, 16) AS id, kind, created_at, expires_at \
         FROM sessions WHERE expires_at > ",
    );
    s.bind(now)
        .push(" ORDER BY user_id, created_at DESC, token_hash");
    let rows: Vec<Row> = s.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|Row(user, s)| (user, s)).collect())
}

/// Ends every session and token of a user, or only the one named `id` (see
/// [`SessionInfo`]); how many ended.
pub async fn delete_of_user(conn: &mut Conn, user_id: i64, id: Option<&str>) -> Result<u64> {
    let mut s = Sql::new("DELETE FROM sessions WHERE user_id = ");
    s.bind(user_id);
    if let Some(id) = id {
        s.push(" AND substr(token_hash, 1, 16) = ").bind(id);
    }
    s.execute(conn).await
}

pub async fn delete_expired(conn: &mut Conn, now: Moment) -> Result<u64> {
    let mut s = Sql::new("DELETE FROM sessions WHERE expires_at <= ");
    s.bind(now);
    s.execute(conn).await
}

pub async fn record_attempt(
    conn: &mut Conn,
    username: &str,
    ip: &str,
    at: Moment,
    ok: bool,
) -> Result<()> {
    let mut s = Sql::new("INSERT INTO login_attempts (username, ip, at, ok) VALUES (");
    s.bind(username)
        .push(", ")
        .bind(ip)
        .push(", ")
        .bind(at)
        .push(", ")
        .bind(ok as i64)
        .push(")");
    s.execute(conn).await.map(|_| ())
}

/// The times of the failed attempts after `since` for this username and/or from this
/// address (either may be left out), newest first, at most `limit`.
pub async fn failures(
    conn: &mut Conn,
    username: Option<&str>,
    ip: Option<&str>,
    since: Moment,
    limit: i64,
) -> Result<Vec<Moment>> {
    let mut s = Sql::new("SELECT at FROM login_attempts WHERE ok = 0 AND at > ");
    s.bind(since);
    if let Some(u) = username {
        s.push(" AND username = ").bind(u);
    }
    if let Some(ip) = ip {
        s.push(" AND ip = ").bind(ip);
    }
    s.push(" ORDER BY at DESC LIMIT ").bind(limit);
    let rows: Vec<At> = s.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|At(at)| at).collect())
}

/// The time of the last successful login of this username (from this address if given).
pub async fn last_success(
    conn: &mut Conn,
    username: &str,
    ip: Option<&str>,
) -> Result<Option<Moment>> {
    let mut s = Sql::new("SELECT at FROM login_attempts WHERE ok = 1 AND username = ");
    s.bind(username);
    if let Some(ip) = ip {
        s.push(" AND ip = ").bind(ip);
    }
    s.push(" ORDER BY at DESC LIMIT 1");
    let row: Option<At> = s.fetch_optional(conn).await?;
    Ok(row.map(|At(at)| at))
}

pub async fn delete_attempts_before(conn: &mut Conn, before: Moment) -> Result<u64> {
    let mut s = Sql::new("DELETE FROM login_attempts WHERE at < ");
    s.bind(before);
    s.execute(conn).await
}

/// The time of a login attempt.
struct At(Moment);

impl<'r> FromRow<'r, AnyRow> for At {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<At> {
        decode::moment(r, "at").map(At)
    }
}
