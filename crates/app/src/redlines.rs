//! Red lines: flags on a lead from the negative list and the receiving park's
//! thresholds, and a leader's recorded override. A flag that no override covers
//! blocks admission.

use crate::audit::Tx;
use crate::{Actor, App, Error, Result};
use fenglai_domain::redline::{self, Flag, LeadFacts, NegativeRule, Thresholds};
use fenglai_domain::Role;
use fenglai_store::leads::Lead;
use fenglai_store::review::{self as store, Override, RedlineRule};
use fenglai_store::{parks, routing, Conn};
use serde::{Deserialize, Serialize};

/// Seeds the shipped negative list into an empty table.
pub async fn ensure_loaded(app: &App) -> Result<()> {
    let mut c = app.db.acquire().await?;
    if store::count_redline_rules(&mut c).await? == 0 {
        for (code, words, cat, name) in redline::DEFAULT_NEGATIVE_LIST {
            store::insert_redline_rule(&mut c, code, words, cat, name).await?;
        }
    }
    Ok(())
}

fn to_rule(r: &RedlineRule) -> NegativeRule {
    NegativeRule {
        id: r.id,
        code_prefix: r.code_prefix.clone(),
        keywords: r
            .keywords
            .split(['|', '、', ','])
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect(),
        category: r.category.clone(),
        name: r.name.clone(),
    }
}

pub fn facts(lead: &Lead) -> LeadFacts {
    LeadFacts {
        industry_code: lead.industry_code.clone(),
        text: format!(
            "{} {}",
            lead.company_name,
            lead.description.as_deref().unwrap_or("")
        ),
        planned_investment_yuan: lead.planned_investment_yuan.map(|y| y.0),
        land_mu: lead.land_mu,
        expected_tax_yuan: lead.expected_tax_yuan.map(|y| y.0),
        expected_output_yuan: lead.expected_output_yuan.map(|y| y.0),
        energy_tce: lead.energy_tce,
        env_category: lead.env_category.clone(),
    }
}

pub fn thresholds(p: &parks::Profile) -> Thresholds {
    Thresholds {
        park: p.park_name.clone(),
        min_intensity_yuan_per_mu: p.min_intensity_yuan_per_mu,
        min_tax_yuan_per_mu: p.min_tax_yuan_per_mu,
        max_energy_tce_per_10k: p.max_energy_tce_per_10k,
        env_categories: split_list(&p.env_categories),
    }
}

/// "a、b,c" → ["a", "b", "c"]
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', '|'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The park whose thresholds apply: the one that accepted the lead, else the one
/// it was last sent to.
pub async fn receiving_park(conn: &mut Conn, lead_id: i64) -> Result<Option<i64>> {
    let rs = routing::of_lead(conn, lead_id).await?;
    Ok(rs
        .iter()
        .rev()
        .find(|r| r.status == "accepted")
        .or_else(|| rs.iter().rev().find(|r| r.status == "pending"))
        .map(|r| r.park_id))
}

/// What the red lines say about a lead.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub lead_id: i64,
    /// the park whose thresholds were applied
    pub park_id: Option<i64>,
    #[schema(value_type = Vec<Object>)]
    pub flags: Vec<Flag>,
    /// flags that no leader's override covers: these block admission
    #[schema(value_type = Vec<Object>)]
    pub blocking: Vec<Flag>,
    pub overrides: Vec<Override>,
}

/// Flags for `lead` against the negative list and `park_id`'s thresholds (or the
/// receiving park's when None), and which of them still block.
pub async fn report_in(conn: &mut Conn, lead: &Lead, park_id: Option<i64>) -> Result<Report> {
    let park_id = match park_id {
        Some(p) => Some(p),
        None => receiving_park(conn, lead.id).await?,
    };
    let rules: Vec<NegativeRule> = store::redline_rules(conn)
        .await?
        .iter()
        .map(to_rule)
        .collect();
    let park = match park_id {
        Some(p) => parks::profile(conn, p).await?.map(|p| thresholds(&p)),
        None => None,
    };
    let flags = redline::check(&facts(lead), &rules, park.as_ref());
    let overrides = store::overrides(conn, lead.id).await?;
    let covered: Vec<Flag> = overrides
        .iter()
        .flat_map(|o| serde_json::from_str::<Vec<FlagRow>>(&o.flags_json).unwrap_or_default())
        .map(|f| Flag {
            kind: "",
            message: f.message,
        })
        .collect();
    let blocking = flags
        .iter()
        .filter(|f| !covered.iter().any(|c| c.message == f.message))
        .cloned()
        .collect();
    Ok(Report {
        lead_id: lead.id,
        park_id,
        flags,
        blocking,
        overrides,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
struct FlagRow {
    message: String,
}

pub async fn report(
    app: &App,
    actor: &Actor,
    lead_id: i64,
    park_id: Option<i64>,
) -> Result<Report> {
    let mut c = app.db.acquire().await?;
    let (lead, _) = crate::access::reach(&mut c, actor, lead_id).await?;
    report_in(&mut c, &lead, park_id).await
}

/// The refusal when red lines block admission.
pub fn blocked(r: &Report) -> Error {
    let list: Vec<&str> = r.blocking.iter().map(|f| f.message.as_str()).collect();
    Error::Conflict(format!(
        "触碰红线，须领导说明理由后解除方可入库：{}",
        list.join("；")
    ))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    pub reason: String,
    /// the park whose thresholds are overridden; defaults to the receiving park
    pub park_id: Option<i64>,
}

/// A leader lifts the lead's current red lines, with a recorded reason.
pub async fn override_flags(
    app: &App,
    actor: &Actor,
    lead_id: i64,
    input: &OverrideInput,
) -> Result<Report> {
    let mut tx = Tx::begin(app).await?;
    let (lead, _) = crate::access::reach(tx.conn(), actor, lead_id).await?;
    actor.require(actor.role == Role::Leader, "解除红线（须领导）")?;
    let reason = input.reason.trim();
    if reason.chars().count() < 4 {
        return Err(Error::invalid(
            "reason",
            "请写明解除红线的理由（至少4个字）",
        ));
    }
    let r = report_in(tx.conn(), &lead, input.park_id).await?;
    if r.blocking.is_empty() {
        return Err(Error::Conflict("该线索没有待解除的红线".into()));
    }
    let flags_json = serde_json::to_string(&r.blocking).unwrap_or_default();
    let id = store::insert_override(tx.conn(), lead.id, actor.id(), reason, &flags_json).await?;
    tx.record::<(), _>(
        Some(actor),
        "lead",
        lead.id,
        "redline_override",
        None,
        Some(&serde_json::json!({"override_id": id, "reason": reason, "flags": r.blocking})),
    )
    .await?;
    let after = report_in(tx.conn(), &lead, input.park_id).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn rules(app: &App) -> Result<Vec<RedlineRule>> {
    let mut c = app.db.acquire().await?;
    Ok(store::redline_rules(&mut c).await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RedlineRuleInput)]
pub struct RuleInput {
    /// GB/T 4754 code or prefix; may be empty when keywords are given
    pub code_prefix: Option<String>,
    /// keywords separated by "|" or "、"
    pub keywords: Option<String>,
    /// 淘汰 or 限制
    pub category: String,
    pub name: String,
}

pub async fn add_rule(app: &App, actor: &Actor, input: &RuleInput) -> Result<RedlineRule> {
    actor.require(actor.role == Role::Admin, "维护负面清单")?;
    let code = input.code_prefix.as_deref().unwrap_or("").trim();
    if !code.is_empty() && (code.len() > 4 || !code.bytes().all(|b| b.is_ascii_digit())) {
        return Err(Error::invalid(
            "code_prefix",
            "行业代码前缀应为1到4位数字（GB/T 4754-2017）",
        ));
    }
    let words = split_list(input.keywords.as_deref().unwrap_or("")).join("|");
    if code.is_empty() && words.is_empty() {
        return Err(Error::invalid("keywords", "行业代码和关键词至少填一项"));
    }
    if !matches!(input.category.trim(), "淘汰" | "限制") {
        return Err(Error::invalid("category", "类别应为“淘汰”或“限制”"));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::invalid("name", "名称须为1到60个字"));
    }
    let mut tx = Tx::begin(app).await?;
    let id =
        store::insert_redline_rule(tx.conn(), code, &words, input.category.trim(), name).await?;
    let rule = RedlineRule {
        id,
        code_prefix: code.into(),
        keywords: words,
        category: input.category.trim().into(),
        name: name.into(),
    };
    tx.record::<(), _>(Some(actor), "redline_rule", id, "create", None, Some(&rule))
        .await?;
    tx.commit().await?;
    Ok(rule)
}

pub async fn remove_rule(app: &App, actor: &Actor, id: i64) -> Result<()> {
    actor.require(actor.role == Role::Admin, "维护负面清单")?;
    let mut tx = Tx::begin(app).await?;
    if store::deactivate_redline_rule(tx.conn(), id).await? == 0 {
        return Err(Error::NotFound);
    }
    tx.record::<(), ()>(Some(actor), "redline_rule", id, "deactivate", None, None)
        .await?;
    tx.commit().await
}
