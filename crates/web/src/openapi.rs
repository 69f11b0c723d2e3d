//! The OpenAPI document of every /api/v1 route.

use crate::{api, api_merges, api_review};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Fenglai 凤来 API", description = "招商引资全流程平台 JSON API. Errors: {\"error\":{\"code\",\"message\",\"field\"}}."),
    paths(
        api::token, api::list_leads, api::create_lead, api::get_lead, api::admit_lead,
        api::list_projects, api::get_project, api::edit_project, api::transition, api::project_history,
        api::project_events, api::pipeline, api::recent, api::leads_by_unit, api::quota_table, api::industries, api::regions, api::units, api::create_unit,
        api::users, api::create_user, api::edit_user, api::revoke_token, api::user_sessions,
        api::revoke_user_sessions, api::revoke_user_session,
        api_review::list_parks, api_review::get_park, api_review::save_profile, api_review::add_plot, api_review::edit_plot,
        api_review::list_panels, api_review::create_panel, api_review::update_panel, api_review::open_review,
        api_review::lead_reviews, api_review::list_reviews, api_review::get_review, api_review::submit_scores,
        api_review::decide, api_review::reopen, api_review::remind, api_review::lead_redlines,
        api_review::override_redlines, api_review::list_rules, api_review::add_rule, api_review::remove_rule,
        api_review::lead_ranking, api_review::lead_routings, api_review::route_lead, api_review::list_routings,
        api_review::accept, api_review::decline, api_review::routing_stats,
        api_merges::list_pairs, api_merges::check, api_merges::dismiss, api_merges::preview, api_merges::merge,
        api_merges::lead_merges, api_merges::undo, api_merges::credits
    ),
    modifiers(&Bearer)
)]
struct Doc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}

/// The whole document, as served at /api/v1/openapi.json.
pub fn spec() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    doc.merge(crate::api_ledgers::Doc::openapi());
    doc.merge(crate::api_delivery::Doc::openapi());
    doc.merge(crate::api_notify::Doc::openapi());
    doc.merge(crate::api_assess::Doc::openapi());
    doc.merge(crate::api_chains::Doc::openapi());
    doc
}
