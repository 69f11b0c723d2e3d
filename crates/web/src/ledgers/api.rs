//! The JSON API of ledgers in and out: uploads, previews, mappings and imports under
//! /api/v1/imports, and the lead and project lists as .xlsx.

use crate::download::xlsx;
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use crate::ledgers::wire::{CommitInput, ImportResult, MappingInput, Preview};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fenglai_app::ledgers::{self, MAX_FILE_BYTES};
use fenglai_app::{App, Error};
use serde::Deserialize;
use utoipa::OpenApi;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/imports", post(upload))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 1024 * 1024))
        .route("/api/v1/imports/{id}", get(get_import))
        .route("/api/v1/imports/{id}/mapping", put(set_mapping))
        .route("/api/v1/imports/{id}/commit", post(commit))
        .route("/api/v1/imports/{id}/errors.xlsx", get(errors_xlsx))
        .route("/api/v1/leads/export.xlsx", get(export_leads))
        .route("/api/v1/projects/export.xlsx", get(export_projects))
}

/// The OpenAPI paths of this module, merged into the document in `openapi.rs`.
#[derive(OpenApi)]
#[openapi(paths(
    upload,
    get_import,
    set_mapping,
    commit,
    errors_xlsx,
    export_leads,
    export_projects
))]
pub struct Doc;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// leads or projects
    pub kind: Option<String>,
    /// the file's name (for messages and the record); with a raw body
    pub file_name: Option<String>,
}

/// The file of an upload: a multipart form's `file` part (and its `kind` field), or
/// the raw request body.
async fn file_of(
    req: Request,
    app: &App,
    q: &UploadQuery,
) -> Result<(Option<String>, String, Vec<u8>), Error> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let too_big = |e: String| {
        if e.contains("length limit") || e.contains("too large") {
            Error::invalid(
                "file",
                format!("文件过大（上限 {} MB）", MAX_FILE_BYTES / 1024 / 1024),
            )
        } else {
            Error::invalid("file", format!("上传的内容无法读取：{e}"))
        }
    };
    if !multipart {
        let bytes = Bytes::from_request(req, app)
            .await
            .map_err(|e| too_big(e.body_text()))?;
        let name = q.file_name.clone().unwrap_or_else(|| "台账".into());
        return Ok((None, name, bytes.to_vec()));
    }
    let mut m = Multipart::from_request(req, app)
        .await
        .map_err(|e| too_big(e.body_text()))?;
    let (mut kind, mut file) = (None, None);
    while let Some(field) = m.next_field().await.map_err(|e| too_big(e.body_text()))? {
        match field.name() {
            Some("kind") => kind = Some(field.text().await.map_err(|e| too_big(e.body_text()))?),
            Some("file") => {
                let name = field.file_name().unwrap_or("台账").to_string();
                let bytes = field.bytes().await.map_err(|e| too_big(e.body_text()))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| Error::invalid("file", "请选择要导入的文件"))?;
    Ok((kind, name, bytes))
}

/// Upload a ledger (.xlsx, .xls, .csv in UTF-8/GBK/GB18030) and preview it: the header
/// found, the proposed mapping, the first rows and every row error with its cell. The
/// file is the raw body (with `?kind=&file_name=`) or a multipart `file` part (with a
/// `kind` field). Nothing is imported yet. Empty files, files that are not spreadsheets
/// and sheets without a recognisable header answer 422 with a message in Chinese.
#[utoipa::path(post, path = "/api/v1/imports", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the ledger file"),
    responses((status = 201, body = Preview), (status = 403, description = "may not import this kind"),
              (status = 422, description = "empty, unreadable, or no header found")), security(("bearer" = [])))]
pub async fn upload(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<UploadQuery>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Preview>)> {
    let (kind, name, bytes) = file_of(req, &app, &q).await?;
    let kind = ledgers::parse_kind(kind.or(q.kind.clone()).as_deref().unwrap_or(""))?;
    let p = ledgers::upload(&app, &a, kind, &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// The preview of an upload (the caller's own; 404 otherwise), with the result once imported.
#[utoipa::path(get, path = "/api/v1/imports/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Preview), (status = 404)), security(("bearer" = [])))]
pub async fn get_import(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Preview>> {
    Ok(Json(ledgers::preview(&app, &a, id).await?.into()))
}

/// Say what columns hold (field key or null, and the unit of amounts); answers the new preview.
#[utoipa::path(put, path = "/api/v1/imports/{id}/mapping", params(("id" = i64, Path)), request_body = MappingInput,
    responses((status = 200, body = Preview), (status = 404), (status = 409, description = "already imported"),
              (status = 422, description = "unknown field or unit, or a required column left unmapped")), security(("bearer" = [])))]
pub async fn set_mapping(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MappingInput>,
) -> ApiResult<Json<Preview>> {
    Ok(Json(
        ledgers::set_mapping(&app, &a, id, &input.into())
            .await?
            .into(),
    ))
}

/// Import an upload in one transaction: all-or-nothing (422 and nothing written when any
/// row has errors) or, with `skip_bad_rows`, the good rows (the bad ones are in errors.xlsx).
#[utoipa::path(post, path = "/api/v1/imports/{id}/commit", params(("id" = i64, Path)), request_body = CommitInput,
    responses((status = 200, body = ImportResult), (status = 404), (status = 409, description = "already imported, or being imported right now"),
              (status = 403, description = "reporting unit outside the caller's scope"),
              (status = 422, description = "rows with errors and skip_bad_rows not set: nothing written")), security(("bearer" = [])))]
pub async fn commit(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CommitInput>,
) -> ApiResult<Json<ImportResult>> {
    Ok(Json(
        ledgers::commit_detached(&app, &a, id, &input.into())
            .await?
            .into(),
    ))
}

/// The rows of an upload that have errors or were skipped, as .xlsx (行号, 单元格, 字段, 问题).
#[utoipa::path(get, path = "/api/v1/imports/{id}/errors.xlsx", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the error report"),
              (status = 404)), security(("bearer" = [])))]
pub async fn errors_xlsx(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (name, bytes) = ledgers::error_report(&app, &a, id).await?;
    Ok(xlsx(&name, bytes))
}

/// The lead list (same filters as GET /api/v1/leads, the caller's scope; page ignored) as a
/// ledger .xlsx with Chinese headers and units, which the import reads back.
#[utoipa::path(get, path = "/api/v1/leads/export.xlsx", params(crate::leads::wire::ListQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "线索台账"),
              (status = 422, description = "bad filter, or more than 100,000 rows")), security(("bearer" = [])))]
pub async fn export_leads(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<crate::leads::wire::ListQuery>,
) -> ApiResult<Response> {
    let bytes = ledgers::export_leads(&app, &a, &q.into()).await?;
    Ok(xlsx(
        &format!("线索台账-{}.xlsx", fenglai_app::today()),
        bytes,
    ))
}

/// The filters of GET /api/v1/projects, as the export takes them (the projects feature's
/// own type is not named here: its routes reach this module through the document).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectsQuery {
    /// negotiating, signed, started, completed, producing, at_capacity, dropped
    pub stage: Option<String>,
    pub park_id: Option<String>,
    /// fragment of the project or company name
    pub q: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl From<ProjectsQuery> for fenglai_app::projects::ListQuery {
    fn from(q: ProjectsQuery) -> Self {
        fenglai_app::projects::ListQuery {
            stage: q.stage,
            park_id: q.park_id,
            q: q.q,
            page: q.page,
            per_page: q.per_page,
        }
    }
}

/// The project list (same filters as GET /api/v1/projects, the caller's scope) as a ledger .xlsx.
#[utoipa::path(get, path = "/api/v1/projects/export.xlsx", params(ProjectsQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "项目台账"),
              (status = 422, description = "bad filter, or more than 100,000 rows")), security(("bearer" = [])))]
pub async fn export_projects(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<ProjectsQuery>,
) -> ApiResult<Response> {
    let bytes = ledgers::export_projects(&app, &a, &q.into()).await?;
    Ok(xlsx(
        &format!("项目台账-{}.xlsx", fenglai_app::today()),
        bytes,
    ))
}
