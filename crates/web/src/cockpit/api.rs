//! JSON API of the headline figures: the pipeline as of a day, recent changes, leads by unit.

use crate::extract::ApiActor;
use crate::leads::wire::UnitCount;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use fenglai_app::{cockpit::stats, App, Error};
use fenglai_store::stats::RecentChange;
use serde::{Deserialize, Serialize};

use crate::api::ApiResult;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/stats/pipeline", get(pipeline))
        .route("/api/v1/stats/recent", get(recent))
        .route("/api/v1/stats/leads-by-unit", get(leads_by_unit))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PipelineQuery {
    /// YYYY-MM-DD; defaults to today
    pub as_of: Option<String>,
    /// `park` or `unit` to add per-group figures
    pub by: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PipelineResponse {
    pub as_of: String,
    pub stages: Vec<stats::StageStat>,
    /// 策划对接项目 N 个、计划总投资 X 亿元；已签约 …；已开工 …
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<stats::GroupPipeline>>,
}

/// Per stage, count and investment as of a date, from the stage history.
#[utoipa::path(tag = "api", get, path = "/api/v1/stats/pipeline", params(PipelineQuery),
    responses((status = 200, body = PipelineResponse), (status = 422)), security(("bearer" = [])))]
pub async fn pipeline(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<PipelineQuery>,
) -> ApiResult<Json<PipelineResponse>> {
    let as_of = crate::as_of::day(&q.as_of)?;
    let p = stats::pipeline(&app, &a, as_of).await?;
    let groups = match q.by.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("park") => Some(stats::pipeline_by(&app, &a, as_of, true).await?),
        Some("unit") => Some(stats::pipeline_by(&app, &a, as_of, false).await?),
        Some(_) => return Err(Error::invalid("by", "by 可用：park、unit").into()),
    };
    Ok(Json(PipelineResponse {
        summary: p.summary(),
        as_of: p.as_of.to_string(),
        stages: p.stages,
        groups,
    }))
}

/// The latest stage changes in the caller's scope (the dashboard's 最近变动).
#[utoipa::path(tag = "api", get, path = "/api/v1/stats/recent", responses((status = 200, body = Vec<RecentChange>)), security(("bearer" = [])))]
pub async fn recent(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<RecentChange>>> {
    Ok(Json(stats::recent(&app, &a, 50).await?))
}

/// Leads reported and admitted per reporting unit, in the caller's scope.
#[utoipa::path(tag = "api", get, path = "/api/v1/stats/leads-by-unit", responses((status = 200, body = Vec<UnitCount>)), security(("bearer" = [])))]
pub async fn leads_by_unit(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<UnitCount>>> {
    Ok(Json(crate::wire::all(stats::lead_counts(&app, &a).await?)))
}
