//! Activities: visits (走访/拜访), events (推介会, 座谈会, 洽谈会, roadshows) and meetings, with
//! who went and the leads they followed or produced. They count in assessment (走访企业,
//! 招商活动) and show on lead pages. Recorded once; a mistaken record is voided with a reason
//! (kept, and still counted in figures computed as of a moment before the voiding).

use crate::audit::Tx;
use crate::{Actor, App, Error, Result};
use fenglai_domain::{dates, RegionCode, Role};
use fenglai_store::assess::{self as store, Activity, ActivityFilter, NewActivity};
use serde::{Deserialize, Serialize};

/// The kinds of activity, with their Chinese names.
pub const KINDS: &[(&str, &str)] = &[
    ("visit", "走访企业"),
    ("event", "招商活动"),
    ("meeting", "会议"),
];

pub fn kind_label(k: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(c, _)| *c == k)
        .map(|(_, l)| *l)
        .unwrap_or("其他")
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// visit, event or meeting
    pub kind: String,
    /// 推介会, 座谈会, 洽谈会, 路演 …
    pub subkind: Option<String>,
    pub title: String,
    /// YYYY-MM-DD
    pub activity_date: String,
    pub place: Option<String>,
    /// GB/T 2260 code of where it took place (a roadshow in 深圳: 440300)
    pub region_code: Option<String>,
    /// whom: the company or person visited, the audience
    pub counterpart: Option<String>,
    pub outcome: Option<String>,
    pub attendees: Option<i64>,
    /// the unit it counts for (default: the recorder's)
    pub unit_id: Option<i64>,
    /// who went (user ids; default: the recorder)
    #[serde(default)]
    pub people: Vec<i64>,
    /// leads followed up
    #[serde(default)]
    pub lead_ids: Vec<i64>,
    /// leads the activity produced
    #[serde(default)]
    pub produced_lead_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityView {
    #[serde(flatten)]
    pub activity: Activity,
    pub kind_label: String,
    /// (lead id, company, produced)
    pub leads: Vec<LinkedLead>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedLead {
    pub lead_id: i64,
    pub company_name: String,
    pub produced: bool,
}

pub fn may_record(role: Role) -> bool {
    !matches!(role, Role::Informant | Role::Reviewer)
}

fn text(s: &Option<String>, field: &str, max: usize) -> Result<Option<String>> {
    let t = s.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if t.is_some_and(|t| t.chars().count() > max) {
        return Err(Error::invalid(field, format!("不能超过{max}个字")));
    }
    Ok(t.map(str::to_string))
}

pub async fn create(app: &App, actor: &Actor, input: &ActivityInput) -> Result<ActivityView> {
    actor.require(may_record(actor.role), "登记走访和活动")?;
    if !KINDS.iter().any(|(k, _)| *k == input.kind) {
        return Err(Error::invalid(
            "kind",
            format!(
                "类型“{}”不对：应为 visit（走访）、event（活动）或 meeting（会议）",
                input.kind
            ),
        ));
    }
    let title = input.title.trim();
    if title.is_empty() {
        return Err(Error::invalid("title", "请填写事由或活动名称"));
    }
    if title.chars().count() > 200 {
        return Err(Error::invalid("title", "事由不能超过200个字"));
    }
    let date = dates::parse(&input.activity_date, "activity_date")?;
    if date > crate::today() {
        return Err(Error::invalid("activity_date", "日期不能晚于今天"));
    }
    if date < crate::today() - chrono::Duration::days(3650) {
        return Err(Error::invalid("activity_date", "日期不能早于十年前"));
    }
    let region = match text(&input.region_code, "region_code", 12)? {
        Some(r) => Some(RegionCode::parse(&r)?.as_str().to_string()),
        None => None,
    };
    if input.attendees.is_some_and(|a| !(0..=100_000).contains(&a)) {
        return Err(Error::invalid("attendees", "参加人数应在0到10万之间"));
    }
    let mut tx = Tx::begin(app).await?;
    let unit_id = input.unit_id.unwrap_or(actor.user.unit_id);
    let unit = fenglai_store::org::unit(tx.conn(), unit_id)
        .await?
        .ok_or_else(|| Error::invalid("unit_id", format!("单位 {unit_id} 不存在")))?;
    if let fenglai_store::Scope::Subtree(path) = &actor.scope {
        if !unit.path.starts_with(path.as_str()) {
            return Err(Error::invalid(
                "unit_id",
                format!("“{}”不在您的管辖范围内", unit.name),
            ));
        }
    }
    let mut people = input.people.clone();
    if people.is_empty() {
        people.push(actor.id());
    }
    people.sort_unstable();
    people.dedup();
    if people.len() > 50 {
        return Err(Error::invalid("people", "参加人员不能超过50人"));
    }
    for p in &people {
        if fenglai_store::org::user(tx.conn(), *p).await?.is_none() {
            return Err(Error::invalid("people", format!("用户 {p} 不存在")));
        }
    }
    let mut leads: Vec<(i64, bool)> = input.lead_ids.iter().map(|l| (*l, false)).collect();
    leads.extend(input.produced_lead_ids.iter().map(|l| (*l, true)));
    leads.sort_unstable();
    leads.dedup_by_key(|l| l.0);
    for (l, _) in &leads {
        if crate::access::reach(tx.conn(), actor, *l).await.is_err() {
            return Err(Error::invalid("lead_ids", format!("线索 {l} 不存在")));
        }
    }
    let new = NewActivity {
        kind: input.kind.clone(),
        subkind: text(&input.subkind, "subkind", 20)?,
        title: title.to_string(),
        activity_date: date.to_string(),
        place: text(&input.place, "place", 100)?,
        region_code: region,
        counterpart: text(&input.counterpart, "counterpart", 200)?,
        outcome: text(&input.outcome, "outcome", 2000)?,
        attendees: input.attendees,
        unit_id,
        created_by: actor.id(),
    };
    let id = store::insert_activity(tx.conn(), &new, &people, &leads).await?;
    let a = store::activity(tx.conn(), id, &fenglai_store::Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record::<(), _>(Some(actor), "activity", id, "create", None, Some(&a))
        .await?;
    tx.commit().await?;
    get(app, actor, id).await
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ActivityView> {
    let mut c = app.db.acquire().await?;
    let a = store::activity(&mut c, id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    let leads = store::activity_leads(&mut c, id)
        .await?
        .into_iter()
        .map(|(lead_id, company_name, p)| LinkedLead {
            lead_id,
            company_name,
            produced: p != 0,
        })
        .collect();
    Ok(ActivityView {
        kind_label: kind_label(&a.kind).into(),
        activity: a,
        leads,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// visit, event or meeting
    pub kind: Option<String>,
    /// YYYY-MM-DD
    pub from: Option<String>,
    /// YYYY-MM-DD
    pub to: Option<String>,
    pub lead_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityListing {
    pub items: Vec<Activity>,
    pub total: i64,
}

pub async fn list(app: &App, actor: &Actor, q: &ListQuery) -> Result<ActivityListing> {
    let kind = q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(k) = kind {
        if !KINDS.iter().any(|(c, _)| *c == k) {
            return Err(Error::invalid("kind", format!("类型“{k}”不对")));
        }
    }
    let day = |s: &Option<String>, f: &'static str| -> Result<Option<String>> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => Ok(Some(dates::parse(d, f)?.to_string())),
            None => Ok(None),
        }
    };
    let per = q.per_page.unwrap_or(50);
    if !(1..=500).contains(&per) {
        return Err(Error::invalid("per_page", "每页条数应在1到500之间"));
    }
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(Error::invalid("page", "页码应在1到100000之间"));
    }
    let f = ActivityFilter {
        kind: kind.map(str::to_string),
        from: day(&q.from, "from")?,
        to: day(&q.to, "to")?,
        lead_id: q.lead_id,
        limit: per,
        offset: (page - 1) * per,
    };
    let mut c = app.db.acquire().await?;
    let (items, total) = store::activities(&mut c, &f, &actor.scope).await?;
    Ok(ActivityListing { items, total })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidInput {
    pub reason: String,
}

/// Voids an activity recorded by mistake (kept, with the reason).
pub async fn void(app: &App, actor: &Actor, id: i64, input: &VoidInput) -> Result<ActivityView> {
    actor.require(may_record(actor.role), "作废走访和活动记录")?;
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::invalid("reason", "请写明作废原因（500字以内）"));
    }
    let mut tx = Tx::begin(app).await?;
    let before = store::activity(tx.conn(), id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    if before.voided_at.is_some() {
        return Err(Error::Conflict("该记录已作废".into()));
    }
    store::void_activity(tx.conn(), id, reason).await?;
    let after = store::activity(tx.conn(), id, &fenglai_store::Scope::All).await?;
    tx.record(
        Some(actor),
        "activity",
        id,
        "void",
        Some(&before),
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, id).await
}
