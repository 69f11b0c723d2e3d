//! Projects: lists, the stage machine, edits.

use crate::access::not_merged;
use crate::audit::Tx;
use crate::leads::page_params;
use crate::{today, Actor, App, Error, Result};
use fenglai_domain::stage::{self, HistoryKind, Request};
use fenglai_domain::{dates, names, Stage, TransitionError, TransitionKind, Yuan};
use fenglai_store::projects::{self, Filter, HistoryEntry, NewHistory, Project};
use fenglai_store::{org, Scope};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// negotiating, signed, started, completed, producing, at_capacity, dropped
    pub stage: Option<String>,
    pub park_id: Option<String>,
    /// fragment of the project or company name
    pub q: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub async fn list(app: &App, actor: &Actor, q: &ListQuery) -> Result<(Vec<Project>, i64)> {
    let (page, per_page) = page_params(&q.page, &q.per_page)?;
    let stage = match opt(&q.stage) {
        Some(s) => Some(Stage::parse(s).map_err(|e| Error::invalid("stage", e.message))?),
        None => None,
    };
    let park_id = match opt(&q.park_id) {
        Some(s) => Some(
            s.parse()
                .map_err(|_| Error::invalid("park_id", "park_id 应为整数"))?,
        ),
        None => None,
    };
    let f = Filter {
        stage,
        park_id,
        q: opt(&q.q).map(str::to_string),
        offset: (page - 1) * per_page,
        limit: per_page,
    };
    let mut c = app.db.acquire().await?;
    Ok(projects::list(&mut c, &f, &actor.scope).await?)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<Project> {
    let mut c = app.db.acquire().await?;
    projects::get(&mut c, id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn history(app: &App, actor: &Actor, id: i64) -> Result<Vec<HistoryEntry>> {
    get(app, actor, id).await?;
    let mut c = app.db.acquire().await?;
    Ok(projects::history(&mut c, id).await?)
}

/// A move to another stage.
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    /// the target stage
    pub to: String,
    /// effective date, YYYY-MM-DD; defaults to today
    pub date: Option<String>,
    /// contract amount on signing (required then); otherwise an optional figure for the record
    pub amount_yuan: Option<i64>,
    /// required when dropping or correcting
    pub reason: Option<String>,
    /// going back to an earlier stage: voids the later history entries
    pub correction: bool,
}

fn refused(e: TransitionError) -> Error {
    match e {
        TransitionError::AmountRequired => Error::invalid("amount_yuan", e.to_string()),
        TransitionError::ReasonRequired => Error::invalid("reason", e.to_string()),
        other => Error::Conflict(other.to_string()),
    }
}

pub async fn transition(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &TransitionInput,
) -> Result<Project> {
    let mut tx = Tx::begin(app).await?;
    let before = projects::get(tx.conn(), id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(actor.role.may_manage_projects(), "变更项目阶段")?;
    not_merged(&before)?;
    let to = Stage::parse(&input.to)?;
    let from = before.stage;
    let before_drop = before.before_drop_stage;
    if let Some(a) = input.amount_yuan {
        if !(0..=10_000_000_000_000).contains(&a) {
            return Err(Error::invalid(
                "amount_yuan",
                "金额应在0到10万亿元之间（单位：元）",
            ));
        }
    }
    let reason = opt(&input.reason);
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(Error::invalid("reason", "原因不能超过500个字"));
    }
    let kind = stage::check(Request {
        from,
        before_drop,
        to,
        correction: input.correction,
        reason,
        amount_yuan: input.amount_yuan,
    })
    .map_err(refused)?;
    let date = match opt(&input.date) {
        Some(d) => dates::parse(d, "date")?,
        None => today(),
    };
    if date > today() {
        return Err(Error::invalid("date", "生效日期不能晚于今天"));
    }
    if kind == TransitionKind::Advance {
        crate::delivery::evidence::check_transition(tx.conn(), id, to).await?;
    }
    let current_investment = before
        .contracted_investment_yuan
        .unwrap_or(before.planned_investment_yuan);
    match kind {
        TransitionKind::Advance | TransitionKind::Drop => {
            if date < before.stage_date {
                return Err(Error::invalid(
                    "date",
                    format!(
                        "生效日期不能早于当前阶段“{}”的日期 {}",
                        from.label(),
                        before.stage_date
                    ),
                ));
            }
            let (investment, contracted) = if to == Stage::Signed {
                (
                    Yuan(input.amount_yuan.unwrap_or(0)),
                    input.amount_yuan.map(Yuan),
                )
            } else {
                (current_investment, before.contracted_investment_yuan)
            };
            projects::append_history(
                tx.conn(),
                &NewHistory {
                    project: &before,
                    stage: to,
                    kind: if kind == TransitionKind::Drop {
                        HistoryKind::Drop
                    } else {
                        HistoryKind::Advance
                    },
                    effective_date: date,
                    amount_yuan: input.amount_yuan.map(Yuan),
                    investment_yuan: investment,
                    reason,
                    recorded_by: actor.id(),
                },
            )
            .await?;
            let (bd, dr) = if to == Stage::Dropped {
                (Some(from), reason)
            } else {
                (None, None)
            };
            projects::set_stage(tx.conn(), id, to, date, contracted, bd, dr).await?;
        }
        TransitionKind::Correction => {
            let history = projects::history(tx.conn(), id).await?;
            let target = history
                .iter()
                .rev()
                .find(|h| !h.voided && h.stage == to)
                .ok_or_else(|| {
                    Error::Conflict(format!(
                        "项目从未处于“{}”阶段，无法更正到该阶段",
                        to.label()
                    ))
                })?;
            let reason = reason.unwrap_or_default();
            projects::void_after(tx.conn(), id, target.id, reason).await?;
            let contracted = if to.rank() >= Stage::Signed.rank() {
                before.contracted_investment_yuan
            } else {
                None
            };
            projects::set_stage(
                tx.conn(),
                id,
                to,
                target.effective_date,
                contracted,
                None,
                None,
            )
            .await?;
        }
    }
    let correction = kind == TransitionKind::Correction;
    let entered = if correction {
        projects::get(tx.conn(), id, &Scope::All)
            .await?
            .map_or(date, |p| p.stage_date)
    } else {
        date
    };
    crate::delivery::milestones::on_transition(tx.conn(), id, to, entered, correction).await?;
    let after = projects::get(tx.conn(), id, &Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    let action = match kind {
        TransitionKind::Advance => format!("transition:{}", to.as_str()),
        TransitionKind::Drop => "drop".into(),
        TransitionKind::Correction => format!("correction:{}", to.as_str()),
    };
    tx.record(
        Some(actor),
        "project",
        id,
        &action,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Editable fields of a project.
#[derive(Debug, Clone, Default)]
pub struct EditInput {
    pub name: Option<String>,
    pub park_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub responsible_leader_id: Option<i64>,
    pub planned_investment_yuan: Option<i64>,
    pub foreign_capital_usd: Option<i64>,
    pub land_mu: Option<f64>,
    /// the version the edit is based on (as read); a stale one answers 409 and changes
    /// nothing; none applies the edit over whatever is there
    pub version: Option<i64>,
}

pub async fn edit(app: &App, actor: &Actor, id: i64, input: &EditInput) -> Result<Project> {
    let mut tx = Tx::begin(app).await?;
    let before = projects::get(tx.conn(), id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(actor.role.may_manage_projects(), "修改项目")?;
    not_merged(&before)?;
    crate::expect_version(input.version, before.version)?;
    let name = match names::visible(
        "name",
        "项目名称",
        input.name.as_deref().unwrap_or(""),
        false,
    )? {
        Some(n) if n.chars().count() > 100 => {
            return Err(Error::invalid("name", "项目名称不能超过100个字"))
        }
        Some(n) => n,
        None => before.name.clone(),
    };
    if let Some(pid) = input.park_id {
        if org::unit(tx.conn(), pid)
            .await?
            .is_none_or(|u| u.kind != fenglai_domain::UnitKind::Park)
        {
            return Err(Error::invalid("park_id", "承接园区不存在"));
        }
    }
    for (field, uid) in [
        ("responsible_user_id", input.responsible_user_id),
        ("responsible_leader_id", input.responsible_leader_id),
    ] {
        if let Some(uid) = uid {
            if org::user(tx.conn(), uid).await?.is_none() {
                return Err(Error::invalid(field, "用户不存在"));
            }
        }
    }
    for (field, v) in [
        ("planned_investment_yuan", input.planned_investment_yuan),
        ("foreign_capital_usd", input.foreign_capital_usd),
    ] {
        if v.is_some_and(|v| !(0..=10_000_000_000_000).contains(&v)) {
            return Err(Error::invalid(field, "金额应在0到10万亿之间"));
        }
    }
    if input
        .land_mu
        .is_some_and(|m| !m.is_finite() || !(0.0..=1_000_000.0).contains(&m))
    {
        return Err(Error::invalid("land_mu", "用地应为0到100万亩之间的数"));
    }
    let e = projects::ProjectEdit {
        name,
        park_id: input.park_id.or(before.park_id),
        responsible_user_id: input.responsible_user_id.or(before.responsible_user_id),
        responsible_leader_id: input.responsible_leader_id.or(before.responsible_leader_id),
        planned_investment_yuan: input
            .planned_investment_yuan
            .map_or(before.planned_investment_yuan, Yuan),
        foreign_capital_usd: input.foreign_capital_usd.or(before.foreign_capital_usd),
        land_mu: input.land_mu.or(before.land_mu),
    };
    projects::update(tx.conn(), id, &e).await?;
    let after = projects::get(tx.conn(), id, &Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "project",
        id,
        "edit",
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn parks(app: &App) -> Result<Vec<projects::Choice>> {
    let mut c = app.db.acquire().await?;
    Ok(projects::parks(&mut c).await?)
}
