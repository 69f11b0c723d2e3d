//! Units and users: administration.

use crate::audit::Tx;
use crate::{auth, Actor, App, Error, Result};
use fenglai_domain::{names, Role, UnitKind};
use fenglai_store::org::{self, NewUser, Unit, User};

pub async fn units(app: &App) -> Result<Vec<Unit>> {
    let mut c = app.db.acquire().await?;
    Ok(org::units(&mut c).await?)
}

pub async fn users(app: &App, actor: &Actor) -> Result<Vec<User>> {
    actor.require(actor.role == Role::Admin, "管理用户")?;
    let mut c = app.db.acquire().await?;
    Ok(org::users(&mut c).await?)
}

#[derive(Debug, Clone)]
pub struct UnitInput {
    pub name: String,
    /// region, county, park, department, office, channel
    pub kind: String,
    pub parent_id: Option<i64>,
    pub region_code: Option<String>,
}

/// Creates a unit. `actor` is `None` only for the command line and the demo.
pub async fn create_unit(app: &App, actor: Option<&Actor>, input: &UnitInput) -> Result<Unit> {
    if let Some(a) = actor {
        a.require(a.role == Role::Admin, "管理单位")?;
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::invalid("name", "单位名称须为1到60个字"));
    }
    let kind = UnitKind::parse(&input.kind)?;
    let mut tx = Tx::begin(app).await?;
    let parent = match input.parent_id {
        Some(p) => Some(
            org::unit(tx.conn(), p)
                .await?
                .ok_or_else(|| Error::invalid("parent_id", "上级单位不存在"))?,
        ),
        None => None,
    };
    if parent.is_none() && kind != UnitKind::Region {
        return Err(Error::invalid("parent_id", "只有市/区域可以没有上级单位"));
    }
    let region = input
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let unit = org::insert_unit(
        tx.conn(),
        parent.as_ref(),
        name,
        kind,
        region,
        kind.is_jurisdiction(),
    )
    .await
    .map_err(|e| match e {
        fenglai_store::StoreError::Conflict(_) => Error::invalid("name", "同一上级下已有同名单位"),
        other => other.into(),
    })?;
    tx.record::<(), _>(actor, "unit", unit.id, "create", None, Some(&unit))
        .await?;
    tx.commit().await?;
    Ok(unit)
}

#[derive(Debug, Clone)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    /// admin, leader, promoter, informant, reviewer, receiver, collaborator
    pub role: String,
    pub unit_id: i64,
    pub password: String,
    pub phone: Option<String>,
}

pub async fn create_user(app: &App, actor: Option<&Actor>, input: &UserInput) -> Result<User> {
    if let Some(a) = actor {
        a.require(a.role == Role::Admin, "管理用户")?;
    }
    let username = input.username.trim();
    if username.len() < 2
        || username.len() > 32
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
    {
        return Err(Error::invalid(
            "username",
            "用户名须为2到32位字母、数字、下划线、点或横线",
        ));
    }
    let display =
        names::visible("display_name", "姓名", &input.display_name, false)?.unwrap_or_default();
    let display = display.as_str();
    if display.is_empty() || display.chars().count() > 30 {
        return Err(Error::invalid("display_name", "姓名须为1到30个字"));
    }
    let role = Role::parse(&input.role)?;
    app.password_policy().check(&input.password)?;
    let hash = auth::hash_password(&input.password);
    insert_user(
        app,
        actor,
        username,
        display,
        role,
        input.unit_id,
        input.phone.as_deref(),
        &hash,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_user(
    app: &App,
    actor: Option<&Actor>,
    username: &str,
    display: &str,
    role: Role,
    unit_id: i64,
    phone: Option<&str>,
    hash: &str,
) -> Result<User> {
    let mut tx = Tx::begin(app).await?;
    if org::unit(tx.conn(), unit_id).await?.is_none() {
        return Err(Error::invalid("unit_id", "所属单位不存在"));
    }
    let id = org::insert_user(
        tx.conn(),
        &NewUser {
            username,
            display_name: display,
            role,
            unit_id,
            phone,
            password_hash: hash,
        },
    )
    .await
    .map_err(|e| match e {
        fenglai_store::StoreError::Conflict(_) => {
            Error::invalid("username", format!("用户名“{username}”已存在"))
        }
        other => other.into(),
    })?;
    let user = org::user(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record::<(), _>(actor, "user", id, "create", None, Some(&user))
        .await?;
    tx.commit().await?;
    Ok(user)
}

#[derive(Debug, Clone)]
pub struct UserEdit {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub unit_id: Option<i64>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

pub async fn edit_user(app: &App, actor: &Actor, id: i64, input: &UserEdit) -> Result<User> {
    actor.require(actor.role == Role::Admin, "管理用户")?;
    let mut tx = Tx::begin(app).await?;
    let before = org::user(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    let role = match &input.role {
        Some(r) => Role::parse(r)?,
        None => before.role,
    };
    let unit_id = input.unit_id.unwrap_or(before.unit_id);
    if org::unit(tx.conn(), unit_id).await?.is_none() {
        return Err(Error::invalid("unit_id", "所属单位不存在"));
    }
    let display = match input.display_name.as_deref() {
        Some(d) => names::visible("display_name", "姓名", d, false)?.unwrap_or_default(),
        None => before.display_name.clone(),
    };
    let display = display.as_str();
    if display.is_empty() {
        return Err(Error::invalid("display_name", "请填写姓名"));
    }
    let active = input.active.unwrap_or(before.active);
    if id == actor.id() && !active {
        return Err(Error::invalid("active", "不能停用自己的账号"));
    }
    org::update_user(tx.conn(), id, display, role, unit_id, active).await?;
    let new_password = input.password.as_deref().filter(|p| !p.is_empty());
    if let Some(p) = new_password {
        app.password_policy().check(p)?;
        org::set_password(tx.conn(), id, &auth::hash_password(p)).await?;
    }
    // A new password, role or unit (what the sessions were granted under), or a
    // deactivation, ends every session and API token of the user, in the same transaction.
    if new_password.is_some()
        || role != before.role
        || unit_id != before.unit_id
        || (!active && before.active)
    {
        fenglai_store::sessions::delete_of_user(tx.conn(), id, None).await?;
    }
    let after = org::user(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record(Some(actor), "user", id, "edit", Some(&before), Some(&after))
        .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn unit_by_name(app: &App, name: &str) -> Result<Option<Unit>> {
    let mut c = app.db.acquire().await?;
    Ok(org::unit_by_name(&mut c, name).await?)
}

/// Active users who may be named responsible for projects (责任人 / 责任领导).
pub async fn responsible_choices(app: &App) -> Result<(Vec<User>, Vec<User>)> {
    let mut c = app.db.acquire().await?;
    let people =
        org::users_with_roles(&mut c, &[Role::Promoter, Role::Receiver, Role::Admin]).await?;
    let leaders = org::users_with_roles(&mut c, &[Role::Leader]).await?;
    Ok((people, leaders))
}
