//! Routing leads to parks: the ranking with reasons, sending, the park's answer
//! within a deadline, re-routing after a decline, and the 两张皮 figures.

use crate::access::{reach, Access};
use crate::audit::Tx;
use crate::{today, Actor, App, Error, Result};
use fenglai_domain::review::add_working_days;
use fenglai_domain::routing::{rank, Fit, Need};
use fenglai_domain::{LeadStatus, Role};
use fenglai_store::leads::{self as lead_store, Lead};
use fenglai_store::routing::{self as store, NewRouting, Routing};
use fenglai_store::{org, Conn, Scope};
use serde::{Deserialize, Serialize};

/// Working days a park has to accept or decline; overridden by the setting
/// `routing_deadline_days`.
pub const DEFAULT_DEADLINE_DAYS: i64 = 3;

pub fn need(lead: &Lead) -> Need {
    Need {
        industry_code: lead.industry_code.clone(),
        industry_section: lead.industry_section.clone(),
        text: format!(
            "{} {}",
            lead.company_name,
            lead.description.as_deref().unwrap_or("")
        ),
        land_mu: lead.land_mu,
        planned_investment_yuan: lead.planned_investment_yuan.map(|y| y.0),
        expected_tax_yuan: lead.expected_tax_yuan.map(|y| y.0),
        power_kva: lead.power_kva,
        env_category: lead.env_category.clone(),
    }
}

/// Every park ranked for a lead: those that fit first, with reasons and blockers.
pub async fn ranking(app: &App, actor: &Actor, lead_id: i64) -> Result<Vec<Fit>> {
    let mut c = app.db.acquire().await?;
    let (lead, access) = reach(&mut c, actor, lead_id).await?;
    if access != Access::Scope {
        return Err(Error::NotFound);
    }
    let need = need(&lead);
    let offers = crate::parks::offers(app, &mut c).await?;
    Ok(rank(&need, &offers))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    pub park_id: i64,
}

async fn deadline_days(c: &mut Conn) -> Result<i64> {
    Ok(org::setting(c, "routing_deadline_days")
        .await?
        .and_then(|v| v.parse().ok())
        .filter(|d| (1..=60).contains(d))
        .unwrap_or(DEFAULT_DEADLINE_DAYS))
}

/// A promoter sends a lead to a park; one pending routing at a time, and never
/// twice to a park that declined it.
pub async fn route(app: &App, actor: &Actor, lead_id: i64, input: &RouteInput) -> Result<Routing> {
    let mut tx = Tx::begin(app).await?;
    let lead = lead_store::get(tx.conn(), lead_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(
        matches!(actor.role, Role::Admin | Role::Promoter),
        "分派线索",
    )?;
    let status = lead.status;
    if matches!(status, LeadStatus::Rejected | LeadStatus::Merged) {
        return Err(Error::Conflict(format!(
            "线索状态为“{}”，不能分派",
            status.label()
        )));
    }
    let park = org::unit(tx.conn(), input.park_id)
        .await?
        .filter(|u| u.kind == fenglai_domain::UnitKind::Park && u.active)
        .ok_or_else(|| Error::invalid("park_id", "承接园区不存在"))?;
    let earlier = store::of_lead(tx.conn(), lead.id).await?;
    if let Some(r) = earlier.iter().find(|r| r.status == "pending") {
        return Err(Error::Conflict(format!(
            "线索已分派给{}，等待其答复",
            r.park_name
        )));
    }
    if let Some(r) = earlier.iter().find(|r| r.status == "accepted") {
        return Err(Error::Conflict(format!("线索已由{}承接", r.park_name)));
    }
    if earlier
        .iter()
        .any(|r| r.status == "declined" && r.park_id == park.id)
    {
        return Err(Error::Conflict(format!(
            "{}已退回过该线索，请分派给其他园区",
            park.name
        )));
    }
    let need = need(&lead);
    let offers = crate::parks::offers(app, tx.conn()).await?;
    let fit = offers
        .iter()
        .find(|o| o.park_id == park.id)
        .map(|o| fenglai_domain::routing::fit(&need, o).score);
    let days = deadline_days(tx.conn()).await?;
    let id = store::insert(
        tx.conn(),
        &NewRouting {
            lead_id: lead.id,
            park_id: park.id,
            sent_by: actor.id(),
            sent_unit_id: actor.user.unit_id,
            due_date: add_working_days(today(), days).to_string(),
            fit_score: fit,
        },
    )
    .await?;
    let r = store::get(tx.conn(), id, &Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record::<(), _>(Some(actor), "routing", id, "route", None, Some(&r))
        .await?;
    tx.commit().await?;
    Ok(r)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// required to decline; a note when accepting
    pub reason: Option<String>,
}

/// The receiving park accepts or declines (with a reason) a routing sent to it.
pub async fn answer(
    app: &App,
    actor: &Actor,
    id: i64,
    accept: bool,
    input: &AnswerInput,
) -> Result<Routing> {
    let mut tx = Tx::begin(app).await?;
    let r = store::get(tx.conn(), id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    let own_park = match &actor.scope {
        Scope::All => true,
        Scope::Subtree(path) => r.park_path.starts_with(path.as_str()),
        Scope::Reporter(_) => false,
    };
    actor.require(
        own_park && matches!(actor.role, Role::Admin | Role::Receiver),
        if accept {
            "承接该线索（须为受派园区的承接人）"
        } else {
            "退回该线索（须为受派园区的承接人）"
        },
    )?;
    if r.status != "pending" {
        return Err(Error::Conflict(format!(
            "该分派已{}，不能重复答复",
            if r.status == "accepted" {
                "承接"
            } else {
                "退回"
            }
        )));
    }
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if !accept && reason.is_none_or(|s| s.chars().count() < 2) {
        return Err(Error::invalid("reason", "请写明退回的理由"));
    }
    if reason.is_some_and(|s| s.chars().count() > 1000) {
        return Err(Error::invalid("reason", "理由不能超过1000个字"));
    }
    let status = if accept { "accepted" } else { "declined" };
    if !store::respond(tx.conn(), id, status, actor.id(), reason).await? {
        return Err(Error::Conflict("该分派已答复".into()));
    }
    let after = store::get(tx.conn(), id, &Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "routing",
        id,
        if accept { "accept" } else { "decline" },
        Some(&r),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// pending, accepted, declined
    pub status: Option<String>,
    pub park_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoutingItem {
    #[serde(flatten)]
    pub routing: Routing,
    /// pending past its deadline
    pub overdue: bool,
}

pub async fn list(app: &App, actor: &Actor, q: &ListQuery) -> Result<Vec<RoutingItem>> {
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s @ ("pending" | "accepted" | "declined")) => Some(s),
        Some(other) => {
            return Err(Error::invalid(
                "status",
                format!("状态“{other}”不对：应为 pending、accepted 或 declined"),
            ))
        }
    };
    let mut c = app.db.acquire().await?;
    let t = today().to_string();
    Ok(store::list(&mut c, status, q.park_id, &actor.scope)
        .await?
        .into_iter()
        .map(|r| RoutingItem {
            overdue: r.status == "pending" && r.due_date < t,
            routing: r,
        })
        .collect())
}

pub async fn of_lead(app: &App, actor: &Actor, lead_id: i64) -> Result<Vec<Routing>> {
    let mut c = app.db.acquire().await?;
    reach(&mut c, actor, lead_id).await?;
    Ok(store::of_lead(&mut c, lead_id).await?)
}

/// Routing figures for one park or one sending unit.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RateRow {
    pub id: i64,
    pub name: String,
    pub sent: i64,
    pub accepted: i64,
    pub declined: i64,
    pub pending: i64,
    /// declined / answered, 0-1; None before any answer
    pub decline_rate: Option<f64>,
    /// median hours from sending to acceptance
    pub median_hours_to_accept: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoFit {
    pub lead_id: i64,
    pub company_name: String,
    pub industry_code: Option<String>,
    pub land_mu: Option<f64>,
    /// the closest park's blockers
    pub closest_park: Option<String>,
    pub blockers: Vec<String>,
}

/// The 两张皮 figures: answers, decline rates, time to accept, and the open leads
/// that no park fits.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoutingStats {
    pub sent: i64,
    pub accepted: i64,
    pub declined: i64,
    pub pending: i64,
    /// declined / answered over everything in scope (the 两张皮 rate)
    pub decline_rate: Option<f64>,
    pub median_hours_to_accept: Option<f64>,
    pub by_park: Vec<RateRow>,
    pub by_sending_unit: Vec<RateRow>,
    /// open leads (待预审/预审中, newest 1,000 in scope) with no fitting park
    pub no_fit: Vec<NoFit>,
    pub open_leads_checked: i64,
}

fn hours(from: &str, to: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(from).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(to).ok()?;
    Some((b - a).num_seconds() as f64 / 3600.0)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((m * 10.0).round() / 10.0)
}

fn rate_row(id: i64, name: &str, facts: &[&store::Fact]) -> RateRow {
    let count = |s: &str| facts.iter().filter(|f| f.status == s).count() as i64;
    let (accepted, declined) = (count("accepted"), count("declined"));
    RateRow {
        id,
        name: name.to_string(),
        sent: facts.len() as i64,
        accepted,
        declined,
        pending: count("pending"),
        decline_rate: (accepted + declined > 0)
            .then(|| declined as f64 / (accepted + declined) as f64),
        median_hours_to_accept: median(
            facts
                .iter()
                .filter(|f| f.status == "accepted")
                .filter_map(|f| hours(&f.sent_at, f.responded_at.as_deref()?))
                .collect(),
        ),
    }
}

fn group<'a>(facts: &'a [store::Fact], key: impl Fn(&store::Fact) -> (i64, &str)) -> Vec<RateRow> {
    let mut ids: Vec<(i64, String)> = Vec::new();
    for f in facts {
        let (id, name) = key(f);
        if !ids.iter().any(|(i, _)| *i == id) {
            ids.push((id, name.to_string()));
        }
    }
    let mut rows: Vec<RateRow> = ids
        .iter()
        .map(|(id, name)| {
            let mine: Vec<&'a store::Fact> = facts.iter().filter(|f| key(f).0 == *id).collect();
            rate_row(*id, name, &mine)
        })
        .collect();
    rows.sort_by(|a, b| b.sent.cmp(&a.sent).then(a.name.cmp(&b.name)));
    rows
}

pub async fn stats(app: &App, actor: &Actor) -> Result<RoutingStats> {
    let mut c = app.db.acquire().await?;
    let facts = store::facts(&mut c, &actor.scope).await?;
    let all: Vec<&store::Fact> = facts.iter().collect();
    let total = rate_row(0, "", &all);
    let offers = crate::parks::offers(app, &mut c).await?;
    let open = lead_store::open_recent(&mut c, &actor.scope, 1000).await?;
    let mut no_fit = Vec::new();
    for lead in &open {
        let need = need(lead);
        let ranked = rank(&need, &offers);
        if !ranked.iter().any(|f| f.fits) {
            let closest = ranked.first();
            no_fit.push(NoFit {
                lead_id: lead.id,
                company_name: lead.company_name.clone(),
                industry_code: lead.industry_code.clone(),
                land_mu: lead.land_mu,
                closest_park: closest.map(|f| f.park.clone()),
                blockers: closest.map(|f| f.blockers.clone()).unwrap_or_default(),
            });
        }
    }
    Ok(RoutingStats {
        sent: total.sent,
        accepted: total.accepted,
        declined: total.declined,
        pending: total.pending,
        decline_rate: total.decline_rate,
        median_hours_to_accept: total.median_hours_to_accept,
        by_park: group(&facts, |f| (f.park_id, f.park_name.as_str())),
        by_sending_unit: group(&facts, |f| (f.sent_unit_id, f.sent_unit_name.as_str())),
        open_leads_checked: open.len() as i64,
        no_fit,
    })
}
