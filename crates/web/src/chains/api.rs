//! JSON API of 产业链招商: chains and links, rankings and target lists, assignment and
//! conversion to leads, the 招商地图's data, and the chain settings.

use crate::chains::wire::{
    AssignInput, Chain, ChainInput, ChainSettings, ChainView, GenerateInput, Link, LinkInput,
    ListView, MapData, MapQuery, RankQuery, Ranked, TargetView,
};
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use crate::leads::wire::Lead;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fenglai_app::chains;
use fenglai_app::App;
use serde::Serialize;
use utoipa::OpenApi;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/chains", get(list_chains).post(create_chain))
        .route("/api/v1/chains/{id}", get(get_chain).put(update_chain))
        .route("/api/v1/chains/{id}/links", post(add_link))
        .route("/api/v1/chains/{id}/map", get(chain_map))
        .route("/api/v1/chain-links/{id}", put(edit_link))
        .route("/api/v1/chain-links/{id}/candidates", get(candidates))
        .route("/api/v1/chain-links/{id}/target-lists", post(generate))
        .route("/api/v1/target-lists/{id}", get(target_list))
        .route("/api/v1/targets/{id}/assign", post(assign))
        .route("/api/v1/targets/{id}/lead", post(convert))
        .route("/api/v1/chain-templates", get(templates))
        .route("/api/v1/chain-settings", get(settings).put(set_settings))
}

#[derive(OpenApi)]
#[openapi(paths(
    list_chains,
    create_chain,
    get_chain,
    update_chain,
    add_link,
    chain_map,
    edit_link,
    candidates,
    generate,
    target_list,
    assign,
    convert,
    templates,
    settings,
    set_settings
))]
pub struct Doc;

/// The chains the caller sees: 管理员, 领导, the chain's chief, and those whose jurisdiction
/// holds its office.
#[utoipa::path(get, path = "/api/v1/chains", responses((status = 200, body = Vec<Chain>)), security(("bearer" = [])))]
pub async fn list_chains(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<Chain>>> {
    Ok(Json(
        chains::list(&app, &a)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Creates a chain (管理员, 领导, 招商人), with a shipped template's links when `template`
/// names one (see `/api/v1/chain-templates`).
#[utoipa::path(post, path = "/api/v1/chains", request_body = ChainInput,
    responses((status = 201, body = ChainView), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_chain(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<ChainInput>,
) -> ApiResult<(StatusCode, Json<ChainView>)> {
    Ok((
        StatusCode::CREATED,
        Json(chains::create(&app, &a, &input.into()).await?.into()),
    ))
}

/// A chain: every link classed 强 / 弱 / 缺 with its local strength (enterprises, output,
/// tax), pipeline, conversion figures (targets → leads → projects → started → producing)
/// and whether a producing project filled its gap.
#[utoipa::path(get, path = "/api/v1/chains/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ChainView), (status = 404)), security(("bearer" = [])))]
pub async fn get_chain(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ChainView>> {
    Ok(Json(chains::get(&app, &a, id).await?.into()))
}

/// Edits a chain's name, description, chief and office.
#[utoipa::path(put, path = "/api/v1/chains/{id}", params(("id" = i64, Path)), request_body = ChainInput,
    responses((status = 200, body = ChainView), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn update_chain(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ChainInput>,
) -> ApiResult<Json<ChainView>> {
    Ok(Json(
        chains::update(&app, &a, id, &input.into()).await?.into(),
    ))
}

/// Adds a link to a chain.
#[utoipa::path(post, path = "/api/v1/chains/{id}/links", params(("id" = i64, Path)), request_body = LinkInput,
    responses((status = 201, body = Link), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn add_link(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LinkInput>,
) -> ApiResult<(StatusCode, Json<Link>)> {
    Ok((
        StatusCode::CREATED,
        Json(chains::add_link(&app, &a, id, &input.into()).await?.into()),
    ))
}

/// The 招商地图's data: targets per province (of one link with `link`), the city's parks
/// with the links they host, and the targets of `province`.
#[utoipa::path(get, path = "/api/v1/chains/{id}/map", params(("id" = i64, Path), MapQuery),
    responses((status = 200, body = MapData), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn chain_map(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<MapQuery>,
) -> ApiResult<Json<MapData>> {
    Ok(Json(chains::map(&app, &a, id, &q.into()).await?.into()))
}

/// Edits a link: name, tier, codes, keywords and the links it supplies.
#[utoipa::path(put, path = "/api/v1/chain-links/{id}", params(("id" = i64, Path)), request_body = LinkInput,
    responses((status = 200, body = Link), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit_link(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LinkInput>,
) -> ApiResult<Json<Link>> {
    Ok(Json(
        chains::edit_link(&app, &a, id, &input.into()).await?.into(),
    ))
}

/// Ranks the registry's companies outside the city for a link, best first, each score
/// explained; companies already in the pipeline are left out. Nothing is saved.
#[utoipa::path(get, path = "/api/v1/chain-links/{id}/candidates", params(("id" = i64, Path), RankQuery),
    responses((status = 200, body = Vec<Ranked>), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn candidates(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<RankQuery>,
) -> ApiResult<Json<Vec<Ranked>>> {
    Ok(Json(
        chains::rank(&app, &a, id, &q.into())
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Ranks and saves a target list for a link.
#[utoipa::path(post, path = "/api/v1/chain-links/{id}/target-lists", params(("id" = i64, Path)), request_body = GenerateInput,
    responses((status = 201, body = ListView), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn generate(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<GenerateInput>,
) -> ApiResult<(StatusCode, Json<ListView>)> {
    let input: fenglai_app::chains::GenerateInput = input.into();
    let q = fenglai_app::chains::RankQuery::from(&input);
    Ok((
        StatusCode::CREATED,
        Json(chains::generate(&app, &a, id, &q).await?.into()),
    ))
}

/// A saved target list with every target's score explained, its assignee and its lead.
#[utoipa::path(get, path = "/api/v1/target-lists/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ListView), (status = 404)), security(("bearer" = [])))]
pub async fn target_list(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ListView>> {
    Ok(Json(chains::target_list(&app, &a, id).await?.into()))
}

/// Assigns a target to a 招商人 (`user_id`) or a unit such as a stationed office (`unit_id`).
#[utoipa::path(post, path = "/api/v1/targets/{id}/assign", params(("id" = i64, Path)), request_body = AssignInput,
    responses((status = 200, body = TargetView), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn assign(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<TargetView>> {
    Ok(Json(
        chains::assign(&app, &a, id, &input.into()).await?.into(),
    ))
}

/// Turns a target into a lead reported by the caller; the lead remembers the link. 409 if
/// the target already became a lead.
#[utoipa::path(post, path = "/api/v1/targets/{id}/lead", params(("id" = i64, Path)),
    responses((status = 201, body = Lead), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn convert(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<Lead>)> {
    Ok((
        StatusCode::CREATED,
        Json(chains::convert(&app, &a, id).await?.into()),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TemplateInfo {
    pub name: String,
    pub description: String,
    /// link names, upstream first
    pub links: Vec<String>,
}

/// The chain templates shipped with Fenglai.
#[utoipa::path(get, path = "/api/v1/chain-templates", responses((status = 200, body = Vec<TemplateInfo>)), security(("bearer" = [])))]
pub async fn templates(ApiActor(_): ApiActor) -> Json<Vec<TemplateInfo>> {
    Json(
        chains::templates()
            .into_iter()
            .map(|t| TemplateInfo {
                links: t.links.iter().map(|l| l.name.clone()).collect(),
                name: t.name,
                description: t.description,
            })
            .collect(),
    )
}

/// The rules of 强 / 弱 / 缺, the key regions and the city's own region prefix.
#[utoipa::path(get, path = "/api/v1/chain-settings", responses((status = 200, body = ChainSettings)), security(("bearer" = [])))]
pub async fn settings(
    State(app): State<App>,
    ApiActor(_): ApiActor,
) -> ApiResult<Json<ChainSettings>> {
    Ok(Json(chains::settings(&app).await?.into()))
}

/// Sets the rules, key regions and home region (管理员, 领导).
#[utoipa::path(put, path = "/api/v1/chain-settings", request_body = ChainSettings,
    responses((status = 200, body = ChainSettings), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn set_settings(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<ChainSettings>,
) -> ApiResult<Json<ChainSettings>> {
    Ok(Json(
        chains::set_settings(&app, &a, &input.into()).await?.into(),
    ))
}
