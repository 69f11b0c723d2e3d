//! The API's own types for projects: the list filters, edits and moves clients send.
//! (The project and its history as answered stay in `crate::wire`: a review's decision
//! answers the admitted project, and this module reaches the OpenAPI document, which
//! reaches every feature that names `crate::wire`.)

use fenglai_app::projects as app;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// negotiating, signed, started, completed, producing, at_capacity, dropped
    pub stage: Option<String>,
    pub park_id: Option<String>,
    /// fragment of the project or company name
    pub q: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl From<ListQuery> for app::ListQuery {
    fn from(q: ListQuery) -> app::ListQuery {
        app::ListQuery {
            stage: q.stage,
            park_id: q.park_id,
            q: q.q,
            page: q.page,
            per_page: q.per_page,
        }
    }
}

/// A move to another stage.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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
    #[serde(default)]
    pub correction: bool,
}

impl From<TransitionInput> for app::TransitionInput {
    fn from(t: TransitionInput) -> app::TransitionInput {
        app::TransitionInput {
            to: t.to,
            date: t.date,
            amount_yuan: t.amount_yuan,
            reason: t.reason,
            correction: t.correction,
        }
    }
}

/// Editable fields of a project.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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

impl From<EditInput> for app::EditInput {
    fn from(e: EditInput) -> app::EditInput {
        app::EditInput {
            name: e.name,
            park_id: e.park_id,
            responsible_user_id: e.responsible_user_id,
            responsible_leader_id: e.responsible_leader_id,
            planned_investment_yuan: e.planned_investment_yuan,
            foreign_capital_usd: e.foreign_capital_usd,
            land_mu: e.land_mu,
            version: e.version,
        }
    }
}
