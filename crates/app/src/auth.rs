//! Passwords (argon2id), server-side sessions, API tokens, login rate limiting.

use crate::{Actor, App, Error, Result};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{Duration, Utc};
use fenglai_domain::{Moment, Role, SessionKind};
use fenglai_store::org::User;
use fenglai_store::sessions::SessionInfo;
use fenglai_store::{org, sessions, Scope};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Failed logins of one account from one address that lock that pair for the window.
pub const MAX_FAILURES: i64 = 5;
/// Failed logins from one address (any accounts) after which the address is slowed.
pub const ADDRESS_FAILURES: i64 = 50;
pub const WINDOW_MINUTES: i64 = 15;
/// The longest back-off of an account or an address, seconds.
pub const BACKOFF_CAP_SECS: i64 = 30;
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

/// Which kind of credential to issue.
pub type Kind = SessionKind;

pub struct Issued {
    pub token: String,
    pub csrf: String,
    pub user: User,
}

/// What login throttling lets an attempt do.
#[derive(Debug, PartialEq, Eq)]
enum Gate {
    Open,
    /// a clean source during the account's back-off: checked once the back-off is over
    Wait(std::time::Duration),
    /// refused without checking the password: retry after so many seconds
    Refuse(u64),
}

/// Seconds from `now` until `t`, rounded up, at least 1.
fn secs_until(t: chrono::DateTime<Utc>, now: chrono::DateTime<Utc>) -> u64 {
    let ms = (t - now).num_milliseconds().max(0);
    ((ms + 999) / 1000).max(1) as u64
}

/// The back-off after `n` failures counted against an account (or address) that slows
/// from `limit` failures on: 1 s, 2 s, 4 s … doubling to at most [`BACKOFF_CAP_SECS`].
fn backoff(n: i64, limit: i64) -> Duration {
    let over = (n - limit).clamp(0, 16) as u32;
    Duration::seconds((1i64 << over).min(BACKOFF_CAP_SECS))
}

/// Login throttling, by account *and* source so that nobody can lock another person out:
/// - an (account, address) pair with [`MAX_FAILURES`] failures in the window (since its
///   last success) is locked until the oldest of them leaves the window;
/// - an account with that many failures (from anywhere, since its last success) is only
///   slowed: after its latest failure comes a back-off of 1 s doubling per failure up to
///   [`BACKOFF_CAP_SECS`]; an address that already failed on the account is refused
///   meanwhile, a clean one (no failure on the account) waits it out and is then checked,
///   so the right password from a clean source always gets in;
/// - an address with [`ADDRESS_FAILURES`] failures (any accounts) is refused during a
///   like back-off after its latest failure (password spraying).
async fn gate(
    conn: &mut fenglai_store::Conn,
    username: &str,
    ip: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Gate> {
    let window = Duration::minutes(WINDOW_MINUTES);
    let start = Moment::from_utc(now - window);
    let after = |last_ok: Option<Moment>| last_ok.map_or(start, |ok| ok.max(start));
    let by_ip = sessions::failures(conn, None, Some(ip), start, ADDRESS_FAILURES + 16).await?;
    if by_ip.len() as i64 >= ADDRESS_FAILURES {
        if let Some(last) = by_ip.first().map(Moment::as_datetime) {
            let next = last + backoff(by_ip.len() as i64, ADDRESS_FAILURES);
            if next > now {
                return Ok(Gate::Refuse(secs_until(next, now)));
            }
        }
    }
    let since = after(sessions::last_success(conn, username, Some(ip)).await?);
    let pair = sessions::failures(conn, Some(username), Some(ip), since, MAX_FAILURES).await?;
    if pair.len() as i64 >= MAX_FAILURES {
        if let Some(oldest) = pair.last().map(Moment::as_datetime) {
            return Ok(Gate::Refuse(secs_until(oldest + window, now)));
        }
    }
    let since = after(sessions::last_success(conn, username, None).await?);
    let by_user = sessions::failures(conn, Some(username), None, since, MAX_FAILURES + 16).await?;
    if by_user.len() as i64 >= MAX_FAILURES {
        if let Some(last) = by_user.first().map(Moment::as_datetime) {
            let next = last + backoff(by_user.len() as i64, MAX_FAILURES);
            if next > now {
                return Ok(if pair.is_empty() {
                    Gate::Wait((next - now).to_std().unwrap_or_default())
                } else {
                    Gate::Refuse(secs_until(next, now))
                });
            }
        }
    }
    Ok(Gate::Open)
}

/// Checks a username and password and issues a session or token. Throttled by account
/// and source address ([`gate`]): a refused attempt answers `RateLimited` with the
/// seconds to wait, before the password is even checked.
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    ip: &str,
    kind: Kind,
) -> Result<Issued> {
    let username = username.trim();
    let mut conn = app.db.acquire().await?;
    // Attempts that wait out an account's back-off take turns (in this process), each
    // judged again once it has the turn: a burst of them would otherwise all be checked
    // the moment the back-off ends.
    let mut turn = None;
    loop {
        match gate(&mut conn, username, ip, Utc::now()).await? {
            Gate::Open => break,
            Gate::Refuse(retry_after) => return Err(Error::RateLimited { retry_after }),
            Gate::Wait(d) if turn.is_some() => {
                drop(conn);
                tokio::time::sleep(d).await;
                conn = app.db.acquire().await?;
                break;
            }
            Gate::Wait(_) => {
                drop(conn);
                turn = Some(app.login_turns.take(username).await);
                conn = app.db.acquire().await?;
            }
        }
    }
    let now = Moment::now();
    let user = org::user_by_username(&mut conn, username).await?;
    let pw = password.to_string();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    // Verify even for unknown users so timing does not reveal which names exist.
    let ok = tokio_free_verify(pw, hash).await && user.as_ref().is_some_and(|u| u.active);
    sessions::record_attempt(&mut conn, username, ip, Moment::now(), ok).await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(Error::Unauthorized);
    };
    let token = random_token();
    let csrf = random_token();
    let hours = match kind {
        Kind::Web => WEB_SESSION_HOURS,
        Kind::Api => API_TOKEN_HOURS,
    };
    sessions::insert(
        &mut conn,
        &token_hash(&token),
        user.id,
        kind,
        &csrf,
        now,
        now + Duration::hours(hours),
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
    let s = sessions::find(&mut conn, &token_hash(token), Moment::now())
        .await?
        .ok_or(Error::Unauthorized)?;
    if s.kind != kind {
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
    Ok(sessions::of_user(&mut conn, user_id, Moment::now()).await?)
}

/// Every user's live sessions and tokens (administrators), by user id.
pub async fn live_sessions(
    app: &App,
    actor: &Actor,
) -> Result<std::collections::HashMap<i64, Vec<SessionInfo>>> {
    actor.require(actor.role == Role::Admin, "管理用户")?;
    let mut conn = app.db.acquire().await?;
    let mut out: std::collections::HashMap<i64, Vec<SessionInfo>> = Default::default();
    for (user, s) in sessions::live(&mut conn, Moment::now()).await? {
        out.entry(user).or_default().push(s);
    }
    Ok(out)
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

/// Whose turn it is to wait out an account's back-off, per username (see [`login`]).
#[derive(Default)]
pub(crate) struct LoginTurns(
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
);

/// An account's turn; the account's entry goes when nobody else waits for it.
pub(crate) struct Turn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    key: String,
    turns: std::sync::Arc<LoginTurns>,
}

impl LoginTurns {
    async fn take(self: &std::sync::Arc<Self>, username: &str) -> Turn {
        let m = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(username.to_string()).or_default().clone()
        };
        Turn {
            _guard: m.lock_owned().await,
            key: username.to_string(),
            turns: self.clone(),
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut map = self.turns.0.lock().unwrap_or_else(|e| e.into_inner());
        // the map's reference and this guard's: nobody else is waiting
        if map
            .get(&self.key)
            .is_some_and(|m| std::sync::Arc::strong_count(m) <= 2)
        {
            map.remove(&self.key);
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed: addresses and CIDR ranges
/// (`--trusted-proxy 10.0.0.0/8,127.0.0.1`); none by default, so the header is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(std::net::IpAddr, u8)>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and `address/bits` ranges.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (addr, bits) = match part.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (part, None),
            };
            let ip: std::net::IpAddr = addr
                .parse()
                .map_err(|_| format!("not an IP address: {part}"))?;
            let ip = ip.to_canonical();
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("bad prefix length: {part}"))?,
                None => max,
            };
            out.push((ip, bits));
        }
        Ok(TrustedProxies(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|&(net, bits)| match (net, ip) {
            (std::net::IpAddr::V4(n), std::net::IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - bits as u32).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (std::net::IpAddr::V6(n), std::net::IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - bits as u32).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        })
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the
    /// right-most address of `X-Forwarded-For` (`forwarded`, the header's values in
    /// order) that is not a trusted proxy — entries to its left may be forged by the
    /// client. An entry that is not an address stops the walk at the proxy after it.
    pub fn client(&self, peer: std::net::IpAddr, forwarded: &[&str]) -> std::net::IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops = forwarded.iter().flat_map(|v| v.split(',')).map(str::trim);
        for hop in hops.collect::<Vec<_>>().into_iter().rev() {
            let Ok(ip) = hop.parse::<std::net::IpAddr>() else {
                return client;
            };
            client = ip.to_canonical();
            if !self.contains(client) {
                return client;
            }
        }
        client
    }
}

/// Builds the caller's scope from role and unit: leaders and admins see all,
/// informants and reviewers their own reports, everyone else the subtree of their unit's
/// jurisdiction (the nearest region, county or park at or above the unit).
pub async fn actor_for(conn: &mut fenglai_store::Conn, user: User) -> Result<Actor> {
    let role = user.role;
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
    let now = Moment::now();
    let a = sessions::delete_expired(&mut conn, now).await?;
    let b = sessions::delete_attempts_before(&mut conn, now - Duration::days(1)).await?;
    Ok(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_right_most_untrusted_forwarded_address() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &["1.2.3.4"]), ip("10.0.0.1"));
        let p = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5").unwrap();
        assert!(p.contains(ip("10.9.8.7")) && p.contains(ip("::ffff:10.1.1.1")));
        assert!(!p.contains(ip("11.0.0.1")) && !p.contains(ip("192.168.1.6")));
        // not from a proxy: the header is ignored
        assert_eq!(p.client(ip("8.8.8.8"), &["1.2.3.4"]), ip("8.8.8.8"));
        // forged entries on the left are skipped; proxies on the right too
        assert_eq!(
            p.client(ip("10.0.0.1"), &["6.6.6.6, 1.2.3.4", "192.168.1.5"]),
            ip("1.2.3.4")
        );
        // nothing forwarded, or only proxies: the last proxy seen
        assert_eq!(p.client(ip("10.0.0.1"), &[]), ip("10.0.0.1"));
        assert_eq!(p.client(ip("10.0.0.1"), &["10.0.0.2"]), ip("10.0.0.2"));
        assert_eq!(p.client(ip("10.0.0.1"), &["junk"]), ip("10.0.0.1"));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy").is_err());
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }

    #[test]
    fn the_back_off_doubles_to_its_cap() {
        let secs: Vec<i64> = (5..12).map(|n| backoff(n, 5).num_seconds()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 30, 30]);
    }

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
