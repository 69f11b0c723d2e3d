//! Units (a tree with materialised paths) and users.

use crate::decode;
use crate::sql::{now, Sql};
use crate::{Conn, Result};
use fenglai_domain::{Role, UnitKind};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// A unit; serialized as the audit log's snapshot of it (`active` as 1/0).
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: UnitKind,
    pub region_code: Option<String>,
    /// `/1/4/9/`: the ids from the root down to this unit.
    pub path: String,
    /// The nearest region, county or park at or above this unit.
    pub jurisdiction_id: Option<i64>,
    #[serde(serialize_with = "flag_as_int")]
    pub active: bool,
}

impl<'r> FromRow<'r, AnyRow> for Unit {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<Unit> {
        Ok(Unit {
            id: r.try_get("id")?,
            parent_id: r.try_get("parent_id")?,
            name: r.try_get("name")?,
            kind: decode::coded(r, "kind", UnitKind::ALL, UnitKind::as_str)?,
            region_code: r.try_get("region_code")?,
            path: r.try_get("path")?,
            jurisdiction_id: r.try_get("jurisdiction_id")?,
            active: decode::flag(r, "active")?,
        })
    }
}

/// A user; serialized as the audit log's snapshot of them (never the password hash;
/// `active` as 1/0).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_name: String,
    pub phone: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    #[serde(serialize_with = "flag_as_int")]
    pub active: bool,
}

impl<'r> FromRow<'r, AnyRow> for User {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<User> {
        Ok(User {
            id: r.try_get("id")?,
            username: r.try_get("username")?,
            display_name: r.try_get("display_name")?,
            role: decode::coded(r, "role", Role::ALL, Role::as_str)?,
            unit_id: r.try_get("unit_id")?,
            unit_name: r.try_get("unit_name")?,
            phone: r.try_get("phone")?,
            password_hash: r.try_get("password_hash")?,
            active: decode::flag(r, "active")?,
        })
    }
}

/// A flag as the snapshots in the event log have always had it: 1 or 0.
pub(crate) fn flag_as_int<S: serde::Serializer>(
    v: &bool,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_i64(*v as i64)
}

const UNIT_COLS: &str = "id, parent_id, name, kind, region_code, path, jurisdiction_id, active";
const USER_SELECT: &str =
    "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, un.name AS unit_name, \
     u.phone, u.password_hash, u.active FROM users u JOIN units un ON un.id = u.unit_id";

pub async fn units(conn: &mut Conn) -> Result<Vec<Unit>> {
    Sql::new(&format!("SELECT {UNIT_COLS} FROM units ORDER BY path"))
        .fetch_all(conn)
        .await
}

pub async fn unit(conn: &mut Conn, id: i64) -> Result<Option<Unit>> {
    let mut s = Sql::new(&format!("SELECT {UNIT_COLS} FROM units WHERE id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

pub async fn unit_by_name(conn: &mut Conn, name: &str) -> Result<Option<Unit>> {
    let mut s = Sql::new(&format!("SELECT {UNIT_COLS} FROM units WHERE name = "));
    s.bind(name).push(" ORDER BY id LIMIT 1");
    s.fetch_optional(conn).await
}

/// Inserts a unit under `parent`, computing its path and jurisdiction.
pub async fn insert_unit(
    conn: &mut Conn,
    parent: Option<&Unit>,
    name: &str,
    kind: UnitKind,
    region_code: Option<&str>,
    is_jurisdiction: bool,
) -> Result<Unit> {
    crate::parks::bump_version(conn).await?;
    let mut s = Sql::new(
        "INSERT INTO units (parent_id, name, kind, region_code, path, jurisdiction_id, active, created_at) VALUES (",
    );
    s.bind(parent.map(|p| p.id))
        .push(", ")
        .bind(name)
        .push(", ")
        .bind(kind)
        .push(", ");
    s.bind(region_code)
        .push(", '', NULL, 1, ")
        .bind(now())
        .push(") RETURNING id");
    let id = s.fetch_i64(conn).await?;
    let path = format!("{}{id}/", parent.map(|p| p.path.as_str()).unwrap_or("/"));
    let jurisdiction = if is_jurisdiction {
        Some(id)
    } else {
        parent.and_then(|p| p.jurisdiction_id)
    };
    let mut u = Sql::new("UPDATE units SET path = ");
    u.bind(path)
        .push(", jurisdiction_id = ")
        .bind(jurisdiction)
        .push(" WHERE id = ")
        .bind(id);
    u.execute(conn).await?;
    unit(conn, id).await?.ok_or(crate::StoreError::NotFound)
}

pub async fn rename_unit(conn: &mut Conn, id: i64, name: &str, active: bool) -> Result<()> {
    crate::parks::bump_version(conn).await?;
    let mut s = Sql::new("UPDATE units SET name = ");
    s.bind(name)
        .push(", active = ")
        .bind(active as i64)
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

/// The city's investment-promotion bureau (市招商局), whom people are sent to about records
/// they may not see: the department directly under the root unit (the city) with the most
/// active 招商人, the first such by id; `None` when no department under the root has one.
pub async fn city_bureau(conn: &mut Conn) -> Result<Option<Unit>> {
    Sql::new(&format!(
        "SELECT {UNIT_COLS} FROM units un WHERE un.active = 1 AND un.kind = 'department' \
         AND un.parent_id = (SELECT r.id FROM units r WHERE r.parent_id IS NULL ORDER BY r.id LIMIT 1) \
         AND EXISTS (SELECT 1 FROM users u WHERE u.unit_id = un.id AND u.role = 'promoter' AND u.active = 1) \
         ORDER BY (SELECT COUNT(*) FROM users u WHERE u.unit_id = un.id AND u.role = 'promoter' AND u.active = 1) DESC, \
         un.id LIMIT 1"
    ))
    .fetch_optional(conn)
    .await
}

/// The root of the unit tree (the city), the first by id if there are several.
pub async fn root_unit(conn: &mut Conn) -> Result<Option<Unit>> {
    Sql::new(&format!(
        "SELECT {UNIT_COLS} FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1"
    ))
    .fetch_optional(conn)
    .await
}

pub async fn users(conn: &mut Conn) -> Result<Vec<User>> {
    Sql::new(&format!("{USER_SELECT} ORDER BY un.path, u.username"))
        .fetch_all(conn)
        .await
}

pub async fn user(conn: &mut Conn, id: i64) -> Result<Option<User>> {
    let mut s = Sql::new(&format!("{USER_SELECT} WHERE u.id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

pub async fn user_by_username(conn: &mut Conn, username: &str) -> Result<Option<User>> {
    let mut s = Sql::new(&format!("{USER_SELECT} WHERE u.username = "));
    s.bind(username);
    s.fetch_optional(conn).await
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub unit_id: i64,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
}

pub async fn insert_user(conn: &mut Conn, u: &NewUser<'_>) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO users (username, display_name, role, unit_id, phone, password_hash, active, created_at) VALUES (",
    );
    s.bind(u.username)
        .push(", ")
        .bind(u.display_name)
        .push(", ")
        .bind(u.role)
        .push(", ");
    s.bind(u.unit_id)
        .push(", ")
        .bind(u.phone)
        .push(", ")
        .bind(u.password_hash);
    s.push(", 1, ").bind(now()).push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn update_user(
    conn: &mut Conn,
    id: i64,
    display_name: &str,
    role: Role,
    unit_id: i64,
    active: bool,
) -> Result<()> {
    let mut s = Sql::new("UPDATE users SET display_name = ");
    s.bind(display_name)
        .push(", role = ")
        .bind(role)
        .push(", unit_id = ")
        .bind(unit_id);
    s.push(", active = ")
        .bind(active as i64)
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

pub async fn set_password(conn: &mut Conn, id: i64, hash: &str) -> Result<()> {
    let mut s = Sql::new("UPDATE users SET password_hash = ");
    s.bind(hash).push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

/// Users of the given units' subtree with one of `roles` (for pickers).
pub async fn users_with_roles(conn: &mut Conn, roles: &[Role]) -> Result<Vec<User>> {
    let mut s = Sql::new(&format!("{USER_SELECT} WHERE u.active = 1 AND u.role IN ("));
    for (i, r) in roles.iter().enumerate() {
        if i > 0 {
            s.push(", ");
        }
        s.bind(*r);
    }
    s.push(") ORDER BY u.display_name");
    s.fetch_all(conn).await
}

pub async fn setting(conn: &mut Conn, key: &str) -> Result<Option<String>> {
    #[derive(sqlx::FromRow)]
    struct V {
        value: String,
    }
    let mut s = Sql::new("SELECT value FROM settings WHERE key = ");
    s.bind(key);
    Ok(s.fetch_optional::<V>(conn).await?.map(|v| v.value))
}

pub async fn set_setting(conn: &mut Conn, key: &str, value: &str) -> Result<()> {
    let mut d = Sql::new("DELETE FROM settings WHERE key = ");
    d.bind(key);
    d.execute(conn).await?;
    let mut s = Sql::new("INSERT INTO settings (key, value) VALUES (");
    s.bind(key).push(", ").bind(value).push(")");
    s.execute(conn).await.map(|_| ())
}
