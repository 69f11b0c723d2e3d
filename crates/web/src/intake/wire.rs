//! The API's types of pre-review: what clients receive, mapped from app's.

use crate::leads::wire::Lead;
use crate::wire::Project;
use serde::Serialize;

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
