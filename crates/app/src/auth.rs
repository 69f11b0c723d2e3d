//! Passwords (argon2id), server-side sessions, API tokens, login rate limiting.

use crate::{Actor, App, Error, Result};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{Duration, Utc};
use fenglai_domain::{Role, UnitKind};
use fenglai_store::org::User;
use fenglai_store::sessions::SessionInfo;
use fenglai_store::{org, sessions, Scope};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Failed attempts allowed per username (and ten times that per address) in the window.
pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_MINUTES: i64 = 15;
const WEB_SESSION_HOURS: i64 = 12;
const API_TOKEN_HOURS: i64 = 24 * 30;

/// Argon2id (RFC 9106, version 0x13) memory cost: 19 MiB (19,456 KiB).
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// Argon2id passes over the memory.
pub const ARGON2_ITERATIONS: u32 = 2;
/// Argon2id lanes (threads).
pub const ARGON2_PARALLELISM: u32 = 1;
/// Length of the stored hash, bytes (the salt is 16 random bytes from the OS).
pub const ARGON2_OUTPUT_LEN: usize = 32;

/// The password hasher: argon2id v19, m=19456 KiB, t=2, p=1 — the argon2 crate's defaults
/// (0.5), OWASP's recommended minimum, written out so that a new version of the crate cannot
/// change them unnoticed. Each hash string carries its parameters (`$argon2id$v=19$m=19456,
/// t=2,p=1$…`), and verification reads them from there, so stored hashes keep working if
/// these are raised later.
fn hasher() -> Argon2<'static> {
    let params = Params::new(
        ARGON2_MEMORY_KIB,
        ARGON2_ITERATIONS,
        ARGON2_PARALLELISM,
        Some(ARGON2_OUTPUT_LEN),
    )
    .expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_else(|_| "!".into())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn ts(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Which kind of credential to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Web,
    Api,
}

pub struct Issued {
    pub token: String,
    pub csrf: String,
    pub user: User,
}

/// Checks a username and password and issues a session or token.
/// Too many recent failures for the username or the address answer `RateLimited`
/// before the password is even checked.
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    ip: &str,
    kind: Kind,
) -> Result<Issued> {
    let username = username.trim();
    let now = Utc::now();
    let mut conn = app.db.acquire().await?;
    let since = ts(now - Duration::minutes(WINDOW_MINUTES));
    let (by_user, by_ip) = sessions::recent_failures(&mut conn, username, ip, &since).await?;
    if by_user >= MAX_FAILURES || by_ip >= MAX_FAILURES * 10 {
        return Err(Error::RateLimited);
    }
    let user = org::user_by_username(&mut conn, username).await?;
    let pw = password.to_string();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    // Verify even for unknown users so timing does not reveal which names exist.
    let ok = tokio_free_verify(pw, hash).await && user.as_ref().is_some_and(|u| u.active == 1);
    sessions::record_attempt(&mut conn, username, ip, &ts(now), ok).await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(Error::Unauthorized);
    };
    let token = random_token();
    let csrf = random_token();
    let hours = match kind {
        Kind::Web => WEB_SESSION_HOURS,
        Kind::Api => API_TOKEN_HOURS,
    };
    let kind_s = match kind {
        Kind::Web => "web",
        Kind::Api => "api",
    };
    sessions::insert(
        &mut conn,
        &token_hash(&token),
        user.id,
        kind_s,
        &csrf,
        &ts(now),
        &ts(now + Duration::hours(hours)),
    )
    .await?;
    Ok(Issued { token, csrf, user })
}

async fn tokio_free_verify(pw: String, hash: Option<String>) -> bool {
    // Unknown users are checked against a real hash too, so timing does not tell
    // which usernames exist.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match hash {
        Some(h) => verify_password(&pw, &h),
        None => {
            let d = DUMMY.get_or_init(|| hash_password("fenglai-dummy"));
            let _ = verify_password(&pw, d);
            false
        }
    }
}

/// Resolves a session cookie or bearer token to the caller and the session's CSRF token.
pub async fn resolve(app: &App, token: &str, kind: Kind) -> Result<(Actor, String)> {
    let mut conn = app.db.acquire().await?;
    let s = sessions::find(&mut conn, &token_hash(token), &ts(Utc::now()))
        .await?
        .ok_or(Error::Unauthorized)?;
    let want = match kind {
        Kind::Web => "web",
        Kind::Api => "api",
    };
    if s.kind != want {
        return Err(Error::Unauthorized);
    }
    let user = org::user(&mut conn, s.user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    Ok((actor_for(&mut conn, user).await?, s.csrf))
}

/// Ends the session or revokes the API token `token` (the caller's own).
pub async fn logout(app: &App, token: &str) -> Result<()> {
    let mut conn = app.db.acquire().await?;
    sessions::delete(&mut conn, &token_hash(token)).await?;
    Ok(())
}

/// A user's live sessions and API tokens (administrators).
pub async fn sessions_of(app: &App, actor: &Actor, user_id: i64) -> Result<Vec<SessionInfo>> {
    actor.require(actor.role == Role::Admin, "管理用户")?;
    let mut conn = app.db.acquire().await?;
    org::user(&mut conn, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(sessions::of_user(&mut conn, user_id, &ts(Utc::now())).await?)
}

/// How many live sessions and tokens each user has (administrators), by user id.
pub async fn session_counts(
    app: &App,
    actor: &Actor,
) -> Result<std::collections::HashMap<i64, i64>> {
    actor.require(actor.role == Role::Admin, "管理用户")?;
    let mut conn = app.db.acquire().await?;
    Ok(sessions::counts(&mut conn, &ts(Utc::now()))
        .await?
        .into_iter()
        .collect())
}

/// Ends every session and API token of a user, or the one named `id` (administrators);
/// recorded as an event of the user. How many ended; naming a session that is not the
/// user's (or no longer exists) is 404.
pub async fn revoke_sessions(
    app: &App,
    actor: &Actor,
    user_id: i64,
    id: Option<&str>,
) -> Result<u64> {
    actor.require(actor.role == Role::Admin, "管理用户")?;
    let mut tx = crate::audit::Tx::begin(app).await?;
    org::user(tx.conn(), user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let n = sessions::delete_of_user(tx.conn(), user_id, id).await?;
    if id.is_some() && n == 0 {
        return Err(Error::NotFound);
    }
    let after = serde_json::json!({"session": id, "revoked": n});
    tx.record(
        Some(actor),
        "user",
        user_id,
        "revoke_sessions",
        None::<&()>,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Builds the caller's scope from role and unit: leaders and admins see all,
/// informants and reviewers their own reports, everyone else the subtree of their unit's
/// jurisdiction (the nearest region, county or park at or above the unit).
pub async fn actor_for(conn: &mut fenglai_store::Conn, user: User) -> Result<Actor> {
    let role =
        Role::parse(&user.role).map_err(|_| Error::Internal(format!("bad role {}", user.role)))?;
    let scope = if role.sees_all() {
        Scope::All
    } else if matches!(role, Role::Informant | Role::Reviewer) {
        // A reviewer sees the leads they reported; the leads before their panels are
        // reached through the review itself (`review::lead_for_member`).
        Scope::Reporter(user.id)
    } else {
        let unit = org::unit(conn, user.unit_id)
            .await?
            .ok_or(Error::Unauthorized)?;
        let root = match unit.jurisdiction_id {
            Some(j) if j != unit.id => org::unit(conn, j).await?.unwrap_or(unit),
            _ => unit,
        };
        let _ = UnitKind::parse(&root.kind);
        Scope::Subtree(root.path)
    };
    Ok(Actor { user, role, scope })
}

/// The actor for a username (CLI and tests).
pub async fn actor_by_username(app: &App, username: &str) -> Result<Actor> {
    let mut conn = app.db.acquire().await?;
    let user = org::user_by_username(&mut conn, username)
        .await?
        .ok_or(Error::NotFound)?;
    actor_for(&mut conn, user).await
}

/// Removes expired sessions and login attempts older than a day. Safe to run on
/// several servers at once.
pub async fn sweep(app: &App) -> Result<u64> {
    let mut conn = app.db.acquire().await?;
    let now = Utc::now();
    let a = sessions::delete_expired(&mut conn, &ts(now)).await?;
    let b = sessions::delete_attempts_before(&mut conn, &ts(now - Duration::days(1))).await?;
    Ok(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_carries_the_documented_argon2id_parameters() {
        let h = hash_password("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        let parsed = PasswordHash::new(&h).unwrap();
        assert_eq!(parsed.salt.unwrap().len(), 22, "16 bytes of salt in B64");
        assert_eq!(parsed.hash.unwrap().len(), ARGON2_OUTPUT_LEN);
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horse ", &h));
        assert_ne!(h, hash_password("correct horse"), "a fresh salt each time");
    }

    #[test]
    fn the_parameters_are_the_crates_defaults_so_older_hashes_verify() {
        let d = Params::default();
        assert_eq!(
            (
                d.m_cost(),
                d.t_cost(),
                d.p_cost(),
                d.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)
            ),
            (
                ARGON2_MEMORY_KIB,
                ARGON2_ITERATIONS,
                ARGON2_PARALLELISM,
                ARGON2_OUTPUT_LEN
            )
        );
        let old = Argon2::default()
            .hash_password(b"demo", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_password("demo", &old));
    }
}
