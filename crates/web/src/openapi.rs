//! The OpenAPI document of every /api/v1 route.

use crate::{api, cockpit, intake, leads, merges, org, parks, projects};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

// Operations listed here carry the tags of the first API (`api`, `api_review`, `api_merges`),
// written on each path: generated clients group operations by tag, so a tag must not follow
// the module a handler lives in.
#[derive(OpenApi)]
#[openapi(
    info(title = "Fenglai 凤来 API", description = "招商引资全流程平台 JSON API. Errors: {\"error\":{\"code\",\"message\",\"field\"}}."),
    paths(
        api::token, leads::api::list_leads, leads::api::create_lead, leads::api::get_lead, leads::api::admit_lead,
        projects::api::list_projects, projects::api::get_project, projects::api::edit_project, projects::api::transition, projects::api::project_history,
        projects::api::project_events, cockpit::api::pipeline, cockpit::api::recent, cockpit::api::leads_by_unit, crate::assess::api::quota_table, api::industries, api::regions, org::api::units, org::api::create_unit,
        org::api::users, org::api::create_user, org::api::edit_user, api::revoke_token, org::api::user_sessions,
        org::api::revoke_user_sessions, org::api::revoke_user_session,
        parks::api::list_parks, parks::api::get_park, parks::api::save_profile, parks::api::add_plot, parks::api::edit_plot,
        intake::api::list_panels, intake::api::create_panel, intake::api::update_panel, intake::api::open_review,
        intake::api::lead_reviews, intake::api::list_reviews, intake::api::get_review, intake::api::submit_scores,
        intake::api::decide, intake::api::reopen, intake::api::remind, intake::api::lead_redlines,
        intake::api::override_redlines, intake::api::list_rules, intake::api::add_rule, intake::api::remove_rule,
        intake::api::lead_ranking, intake::api::lead_routings, intake::api::route_lead, intake::api::list_routings,
        intake::api::accept, intake::api::decline, intake::api::routing_stats,
        merges::api::list_pairs, merges::api::check, merges::api::dismiss, merges::api::preview, merges::api::merge,
        merges::api::lead_merges, merges::api::undo, merges::api::credits
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
    doc.merge(crate::ledgers::api::Doc::openapi());
    doc.merge(crate::delivery::api::Doc::openapi());
    doc.merge(crate::notify::api::Doc::openapi());
    doc.merge(crate::assess::api::Doc::openapi());
    doc.merge(crate::chains::api::Doc::openapi());
    doc
}
