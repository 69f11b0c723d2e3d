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

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T: utoipa::ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    /// true when more rows match than `total`: counting stops at 10,000 for a name search and at 100,000 for a list
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_capped: bool,
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
