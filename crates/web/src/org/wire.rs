//! The API's types of the organisation: units, users, their sessions and the token
//! exchange (the code lists' `CodeName` is in `crate::wire`, which pages use too). Mapped from store/app types; field names,
//! order and doc comments are the OpenAPI document's.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: String,
    pub region_code: Option<String>,
    /// `/1/4/9/`: the ids from the root down to this unit.
    pub path: String,
    /// The nearest region, county or park at or above this unit.
    pub jurisdiction_id: Option<i64>,
    pub active: i64,
}

impl From<fenglai_store::org::Unit> for Unit {
    fn from(u: fenglai_store::org::Unit) -> Unit {
        Unit {
            id: u.id,
            parent_id: u.parent_id,
            name: u.name,
            kind: u.kind.as_str().to_string(),
            region_code: u.region_code,
            path: u.path,
            jurisdiction_id: u.jurisdiction_id,
            active: u.active as i64,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub phone: Option<String>,
    pub active: i64,
}

impl From<fenglai_store::org::User> for User {
    fn from(u: fenglai_store::org::User) -> User {
        User {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role.as_str().to_string(),
            unit_id: u.unit_id,
            unit_name: u.unit_name,
            phone: u.phone,
            active: u.active as i64,
        }
    }
}

/// A user's live session or API token as an administrator sees it: never the token nor
/// its whole hash; `id`, the first 16 hex digits of the hash (SHA-256 of the token),
/// names it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub id: String,
    /// `web` (a browser session) or `api` (a bearer token)
    pub kind: String,
    pub created_at: String,
    pub expires_at: String,
}

impl From<fenglai_store::sessions::SessionInfo> for SessionInfo {
    fn from(s: fenglai_store::sessions::SessionInfo) -> SessionInfo {
        SessionInfo {
            id: s.id,
            kind: s.kind.as_str().to_string(),
            created_at: s.created_at.to_string(),
            expires_at: s.expires_at.to_string(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub user: User,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    pub name: String,
    /// region, county, park, department, office, channel
    pub kind: String,
    pub parent_id: Option<i64>,
    pub region_code: Option<String>,
}

impl From<UnitInput> for fenglai_app::org::UnitInput {
    fn from(i: UnitInput) -> Self {
        fenglai_app::org::UnitInput {
            name: i.name,
            kind: i.kind,
            parent_id: i.parent_id,
            region_code: i.region_code,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    /// admin, leader, promoter, informant, reviewer, receiver, collaborator
    pub role: String,
    pub unit_id: i64,
    pub password: String,
    pub phone: Option<String>,
}

impl From<UserInput> for fenglai_app::org::UserInput {
    fn from(i: UserInput) -> Self {
        fenglai_app::org::UserInput {
            username: i.username,
            display_name: i.display_name,
            role: i.role,
            unit_id: i.unit_id,
            password: i.password,
            phone: i.phone,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserEdit {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub unit_id: Option<i64>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

impl From<UserEdit> for fenglai_app::org::UserEdit {
    fn from(i: UserEdit) -> Self {
        fenglai_app::org::UserEdit {
            display_name: i.display_name,
            role: i.role,
            unit_id: i.unit_id,
            active: i.active,
            password: i.password,
        }
    }
}
