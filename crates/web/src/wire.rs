//! The API's own types: what clients receive, mapped from what app returns. A store
//! column or a domain type can change without changing these; the OpenAPI document
//! (`crates/web/openapi.json`, checked by a test) is generated from them.

use fenglai_domain::Yuan;
use serde::Serialize;

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn yuan(y: Option<Yuan>) -> Option<i64> {
    y.map(|y| y.0)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub lead_id: Option<i64>,
    pub company_name: String,
    pub uscc: Option<String>,
    pub industry_code: Option<String>,
    pub industry_name: Option<String>,
    pub park_id: Option<i64>,
    pub park_name: Option<String>,
    pub reporting_unit_id: i64,
    pub reporting_unit_name: String,
    pub reported_by: i64,
    pub responsible_user_id: Option<i64>,
    pub responsible_user_name: Option<String>,
    pub responsible_leader_id: Option<i64>,
    pub responsible_leader_name: Option<String>,
    pub planned_investment_yuan: i64,
    pub contracted_investment_yuan: Option<i64>,
    pub foreign_capital_usd: Option<i64>,
    pub land_mu: Option<f64>,
    /// negotiating, signed, started, completed, producing, at_capacity, dropped
    pub stage: String,
    /// The date the current stage took effect.
    pub stage_date: String,
    pub before_drop_stage: Option<String>,
    pub drop_reason: Option<String>,
    /// industrial, services, agriculture: decides the milestone template
    pub project_type: Option<String>,
    /// the target production date the milestones were scheduled back from
    pub target_production_date: Option<String>,
    /// the date it became an above-designated-size enterprise (上规)
    pub above_scale_date: Option<String>,
    /// the project this one was merged into (two reports of one company, both admitted):
    /// kept for its history, counted nowhere
    pub merged_into: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    /// bumped by every write; an edit that names an older one is refused (409)
    pub version: i64,
}

impl From<fenglai_store::projects::Project> for Project {
    fn from(p: fenglai_store::projects::Project) -> Project {
        Project {
            id: p.id,
            name: p.name,
            lead_id: p.lead_id,
            company_name: p.company_name,
            uscc: p.uscc.map(|u| u.as_str().into()),
            industry_code: p.industry_code,
            industry_name: p.industry_name,
            park_id: p.park_id,
            park_name: p.park_name,
            reporting_unit_id: p.reporting_unit_id,
            reporting_unit_name: p.reporting_unit_name,
            reported_by: p.reported_by,
            responsible_user_id: p.responsible_user_id,
            responsible_user_name: p.responsible_user_name,
            responsible_leader_id: p.responsible_leader_id,
            responsible_leader_name: p.responsible_leader_name,
            planned_investment_yuan: p.planned_investment_yuan.0,
            contracted_investment_yuan: yuan(p.contracted_investment_yuan),
            foreign_capital_usd: p.foreign_capital_usd,
            land_mu: p.land_mu,
            stage: p.stage.as_str().into(),
            stage_date: day(p.stage_date),
            before_drop_stage: p.before_drop_stage.map(|s| s.as_str().into()),
            drop_reason: p.drop_reason,
            project_type: p.project_type.map(|t| t.as_str().into()),
            target_production_date: p.target_production_date.map(day),
            above_scale_date: p.above_scale_date.map(day),
            merged_into: p.merged_into,
            created_at: p.created_at.to_string(),
            updated_at: p.updated_at.to_string(),
            version: p.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    pub project_id: i64,
    pub stage: String,
    /// admit, advance, drop, correction
    pub kind: String,
    pub effective_date: String,
    pub end_date: Option<String>,
    pub amount_yuan: Option<i64>,
    pub investment_yuan: i64,
    pub reason: Option<String>,
    pub recorded_by: i64,
    pub recorded_by_name: String,
    pub recorded_at: String,
    pub voided: i64,
    pub voided_reason: Option<String>,
}

impl From<fenglai_store::projects::HistoryEntry> for HistoryEntry {
    fn from(h: fenglai_store::projects::HistoryEntry) -> HistoryEntry {
        HistoryEntry {
            id: h.id,
            project_id: h.project_id,
            stage: h.stage.as_str().into(),
            kind: h.kind.as_str().into(),
            effective_date: day(h.effective_date),
            end_date: h.end_date.map(day),
            amount_yuan: yuan(h.amount_yuan),
            investment_yuan: h.investment_yuan.0,
            reason: h.reason,
            recorded_by: h.recorded_by,
            recorded_by_name: h.recorded_by_name,
            recorded_at: h.recorded_at.to_string(),
            voided: i64::from(h.voided),
            voided_reason: h.voided_reason,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionResult {
    pub review: ReviewView,
    /// the project created on admit
    pub project: Option<Project>,
}

impl From<fenglai_app::intake::review::DecisionResult> for DecisionResult {
    fn from(d: fenglai_app::intake::review::DecisionResult) -> DecisionResult {
        DecisionResult {
            review: d.review.into(),
            project: d.project.map(Project::from),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: i64,
    pub company_name: String,
    pub uscc: Option<String>,
    pub industry_code: Option<String>,
    pub industry_name: Option<String>,
    /// GB/T 4754 section letter of the industry
    pub industry_section: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<i64>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    pub channel: Option<String>,
    pub reported_by: i64,
    pub reporter_name: String,
    pub reporting_unit_id: i64,
    pub reporting_unit_name: String,
    /// `YYYY-MM-DD`
    pub reported_date: String,
    /// pending_review, in_review, admitted, rejected, merged
    pub status: String,
    pub project_id: Option<i64>,
    /// the lead this one was merged into (status `merged`)
    pub merged_into: Option<i64>,
    /// 环评类别: 报告书, 报告表 or 登记表
    pub env_category: Option<String>,
    /// expected annual tax when in production
    pub expected_tax_yuan: Option<i64>,
    /// expected annual output value when in production
    pub expected_output_yuan: Option<i64>,
    /// expected annual energy use, tonnes of standard coal (吨标准煤)
    pub energy_tce: Option<f64>,
    /// power needed, kVA
    pub power_kva: Option<i64>,
    /// 世界500强, 中国500强, 央企, 上市公司 as codes: `fortune500,listed`
    #[serde(default)]
    pub investor_tags: String,
    pub created_at: String,
    pub updated_at: String,
    /// bumped by every write; an edit that names an older one is refused (409)
    #[serde(default)]
    pub version: i64,
}

impl From<fenglai_store::leads::Lead> for Lead {
    fn from(l: fenglai_store::leads::Lead) -> Lead {
        Lead {
            id: l.id,
            company_name: l.company_name,
            uscc: l.uscc,
            industry_code: l.industry_code,
            industry_name: l.industry_name,
            industry_section: l.industry_section,
            region_code: l.region_code,
            region_name: l.region_name,
            contact_name: l.contact_name,
            contact_phone: l.contact_phone,
            description: l.description,
            planned_investment_yuan: yuan(l.planned_investment_yuan),
            land_mu: l.land_mu,
            expected_jobs: l.expected_jobs,
            channel: l.channel.map(|c| c.as_str().into()),
            reported_by: l.reported_by,
            reporter_name: l.reporter_name,
            reporting_unit_id: l.reporting_unit_id,
            reporting_unit_name: l.reporting_unit_name,
            reported_date: day(l.reported_date),
            status: l.status.as_str().into(),
            project_id: l.project_id,
            merged_into: l.merged_into,
            env_category: l.env_category,
            expected_tax_yuan: yuan(l.expected_tax_yuan),
            expected_output_yuan: yuan(l.expected_output_yuan),
            energy_tce: l.energy_tce,
            power_kva: l.power_kva,
            investor_tags: l.investor_tags,
            created_at: l.created_at,
            updated_at: l.updated_at,
            version: l.version,
        }
    }
}

/// A review as one caller may see it: others' scores stay hidden from a member
/// until they submit their own, and from everyone else until the quorum is reached.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub review: fenglai_store::review::Review,
    pub lead: Lead,
    pub panel: fenglai_store::review::Panel,
    pub criteria: Vec<fenglai_store::review::Criterion>,
    pub members: Vec<fenglai_app::intake::review::MemberStatus>,
    pub cards: Vec<fenglai_app::intake::review::CardView>,
    /// true when scores exist that this caller may not see yet
    pub scores_hidden: bool,
    /// what the rules say (only when the scores are visible)
    pub outcome: Option<fenglai_app::intake::review::OutcomeView>,
    pub redlines: fenglai_app::redlines::Report,
    pub is_member: bool,
    pub has_submitted: bool,
    pub may_decide: bool,
    pub overdue: bool,
}

impl From<fenglai_app::intake::review::ReviewView> for ReviewView {
    fn from(v: fenglai_app::intake::review::ReviewView) -> ReviewView {
        ReviewView {
            review: v.review,
            lead: v.lead.into(),
            panel: v.panel,
            criteria: v.criteria,
            members: v.members,
            cards: v.cards,
            scores_hidden: v.scores_hidden,
            outcome: v.outcome,
            redlines: v.redlines,
            is_member: v.is_member,
            has_submitted: v.has_submitted,
            may_decide: v.may_decide,
            overdue: v.overdue,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MergePreview)]
pub struct Preview {
    pub survivor: Lead,
    pub duplicate: Lead,
    pub fields: Vec<fenglai_app::merges::FieldPair>,
    /// when both leads have a project: which project survives (`project`), the projects'
    /// fields and the months both recorded figures for (`month.YYYY-MM`), side by side;
    /// keys of `keep` like the lead's fields
    pub project_fields: Vec<fenglai_app::merges::FieldPair>,
}

impl From<fenglai_app::merges::Preview> for Preview {
    fn from(p: fenglai_app::merges::Preview) -> Preview {
        Preview {
            survivor: p.survivor.into(),
            duplicate: p.duplicate.into(),
            fields: p.fields,
            project_fields: p.project_fields,
        }
    }
}

/// Wire forms of a list.
pub fn all<A, B: From<A>>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(B::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_written_in_full() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(day(d), "2026-03-05");
    }
}

// An event of the audit chain, as `GET …/events` lists it (no doc comment: the schema has
// no description).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<fenglai_store::audit::Event> for Event {
    fn from(e: fenglai_store::audit::Event) -> Event {
        Event {
            id: e.id,
            seq: e.seq,
            at: e.at.to_string(),
            actor_id: e.actor_id,
            actor: e.actor,
            entity: e.entity,
            entity_id: e.entity_id,
            action: e.action,
            before_json: e.before_json,
            after_json: e.after_json,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CodeName {
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent_code: Option<String>,
}

impl From<fenglai_store::reference::CodeName> for CodeName {
    fn from(c: fenglai_store::reference::CodeName) -> CodeName {
        CodeName {
            code: c.code,
            name: c.name,
            level: c.level,
            parent_code: c.parent_code,
        }
    }
}
