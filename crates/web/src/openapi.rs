//! The OpenAPI document of every /api/v1 route.

use crate::api;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Fenglai 凤来 API", description = "招商引资全流程平台 JSON API. Errors: {\"error\":{\"code\",\"message\",\"field\"}}."),
    paths(
        api::token, api::list_leads, api::create_lead, api::get_lead, api::admit_lead,
        api::list_projects, api::get_project, api::edit_project, api::transition, api::project_history,
        api::project_events, api::pipeline, api::recent, api::leads_by_unit, api::industries, api::regions, api::units, api::create_unit,
        api::users, api::create_user, api::edit_user
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
    Json(Doc::openapi())
}
