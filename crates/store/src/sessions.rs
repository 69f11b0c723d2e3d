//! Server-side sessions and API tokens (stored hashed), and login attempts.

use crate::sql::Sql;
use crate::{Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub kind: String,
    pub csrf: String,
    pub expires_at: String,
}

pub async fn insert(
    conn: &mut Conn,
    token_hash: &str,
    user_id: i64,
    kind: &str,
    csrf: &str,
    now: &str,
    expires_at: &str,
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
pub async fn find(conn: &mut Conn, token_hash: &str, now: &str) -> Result<Option<Session>> {
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
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub id: String,
    /// `web` (a browser session) or `api` (a bearer token)
    pub kind: String,
    pub created_at: String,
    pub expires_at: String,
}

/// The live (unexpired) sessions and tokens of a user, newest first.
pub async fn of_user(conn: &mut Conn, user_id: i64, now: &str) -> Result<Vec<SessionInfo>> {
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
pub async fn live(conn: &mut Conn, now: &str) -> Result<Vec<(i64, SessionInfo)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: i64,
        id: String,
        kind: String,
        created_at: String,
        expires_at: String,
    }
    let mut s = Sql::new(
        "SELECT user_id, substr(token_hash, 1, 16) AS id, kind, created_at, expires_at \
         FROM sessions WHERE expires_at > ",
    );
    s.bind(now)
        .push(" ORDER BY user_id, created_at DESC, token_hash");
    let rows: Vec<Row> = s.fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.user_id,
                SessionInfo {
                    id: r.id,
                    kind: r.kind,
                    created_at: r.created_at,
                    expires_at: r.expires_at,
                },
            )
        })
        .collect())
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

pub async fn delete_expired(conn: &mut Conn, now: &str) -> Result<u64> {
    let mut s = Sql::new("DELETE FROM sessions WHERE expires_at <= ");
    s.bind(now);
    s.execute(conn).await
}

pub async fn record_attempt(
    conn: &mut Conn,
    username: &str,
    ip: &str,
    at: &str,
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
    since: &str,
    limit: i64,
) -> Result<Vec<String>> {
    let mut s = Sql::new("SELECT at FROM login_attempts WHERE ok = 0 AND at > ");
    s.bind(since);
    if let Some(u) = username {
        s.push(" AND username = ").bind(u);
    }
    if let Some(ip) = ip {
        s.push(" AND ip = ").bind(ip);
    }
    s.push(" ORDER BY at DESC LIMIT ").bind(limit);
    let rows: Vec<(String,)> = s.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(at,)| at).collect())
}

/// The time of the last successful login of this username (from this address if given).
pub async fn last_success(
    conn: &mut Conn,
    username: &str,
    ip: Option<&str>,
) -> Result<Option<String>> {
    let mut s = Sql::new("SELECT at FROM login_attempts WHERE ok = 1 AND username = ");
    s.bind(username);
    if let Some(ip) = ip {
        s.push(" AND ip = ").bind(ip);
    }
    s.push(" ORDER BY at DESC LIMIT 1");
    let row: Option<(String,)> = s.fetch_optional(conn).await?;
    Ok(row.map(|(at,)| at))
}

pub async fn delete_attempts_before(conn: &mut Conn, before: &str) -> Result<u64> {
    let mut s = Sql::new("DELETE FROM login_attempts WHERE at < ");
    s.bind(before);
    s.execute(conn).await
}
