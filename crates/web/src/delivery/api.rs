//! JSON API from signing to production: milestone plans and timelines, the week's due
//! nodes, overdue and at-risk lists, stall rules and lists, requests to departments and
//! their loop, the 督办 board and the "回音高于呼声" statistics, 一事一议 meetings,
//! evidence files, monthly realised figures, and the daily computation.

use crate::download::file_response;
use crate::download::xlsx;
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fenglai_app::delivery::milestones::{
    self, Alerts, DueQuery, NodeInput, PlanInput, RuleInput, StallList, StallQuery, Timeline, Week,
    WeekQuery,
};
use fenglai_app::delivery::realised::{self, AboveScaleInput, MonthlyInput, Realised};
use fenglai_app::delivery::requests::{
    self, Board, BoardQuery, ListQuery, Listing, MeetingInput, MeetingView, RaiseInput,
    RequestView, Stats, StatsQuery, TaskInput,
};
use fenglai_app::{delivery::alerts, delivery::evidence, App, Error};
use fenglai_store::evidence::Attachment;
use fenglai_store::milestones::{AlertRun, StallRuleRow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::OpenApi;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/api/v1/projects/{id}/attachments",
            get(list_attachments).post(attach),
        )
        .layer(DefaultBodyLimit::max(evidence::MAX_BYTES + 1024 * 1024))
        .route(
            "/api/v1/projects/{id}/milestones",
            get(timeline).put(schedule),
        )
        .route("/api/v1/projects/{id}/milestones/{node}", put(set_node))
        .route("/api/v1/milestones/alerts", get(milestone_alerts))
        .route("/api/v1/milestones/week", get(week))
        .route("/api/v1/stall-rules", get(stall_rules).put(save_stall_rule))
        .route("/api/v1/stalls", get(stalls))
        .route("/api/v1/stalls/export.xlsx", get(stalls_xlsx))
        .route("/api/v1/projects/{id}/requests", post(raise))
        .route("/api/v1/requests", get(list_requests))
        .route("/api/v1/requests/board", get(board))
        .route("/api/v1/requests/stats", get(stats))
        .route(
            "/api/v1/requests/deadlines",
            get(deadlines).put(set_deadlines),
        )
        .route("/api/v1/requests/{id}", get(get_request))
        .route("/api/v1/request-tasks/{id}", post(act))
        .route("/api/v1/request-meetings", post(meeting))
        .route("/api/v1/departments", get(departments))
        .route("/api/v1/attachments/{id}/file", get(download))
        .route("/api/v1/attachments/{id}/void", post(void))
        .route(
            "/api/v1/settings/evidence-required",
            get(evidence_required).put(set_evidence_required),
        )
        .route("/api/v1/projects/{id}/realised", get(realised_get))
        .route("/api/v1/projects/{id}/monthly", put(put_monthly))
        .route("/api/v1/projects/{id}/above-scale", put(above_scale))
        .route(
            "/api/v1/monthly-imports",
            post(import_monthly).layer(DefaultBodyLimit::max(evidence::MAX_BYTES)),
        )
        .route("/api/v1/alerts/run", post(run_alerts))
        .route("/api/v1/alerts/last", get(last_run))
        .route("/api/v1/stats/quota/export.xlsx", get(quota_xlsx))
}

/// The OpenAPI paths of this module, merged into the document in `openapi.rs`.
#[derive(OpenApi)]
#[openapi(paths(
    timeline,
    schedule,
    set_node,
    milestone_alerts,
    week,
    stall_rules,
    save_stall_rule,
    stalls,
    stalls_xlsx,
    raise,
    list_requests,
    board,
    stats,
    deadlines,
    set_deadlines,
    get_request,
    act,
    meeting,
    departments,
    list_attachments,
    attach,
    download,
    void,
    evidence_required,
    set_evidence_required,
    realised_get,
    put_monthly,
    above_scale,
    import_monthly,
    run_alerts,
    last_run,
    quota_xlsx
))]
pub struct Doc;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// YYYY-MM-DD, today by default
    pub as_of: Option<String>,
}

/// The plan as assessed on a day: each node's planned, actual and predicted dates and status.
#[utoipa::path(get, path = "/api/v1/projects/{id}/milestones", params(("id" = i64, Path), AsOfQuery),
    responses((status = 200, body = Timeline), (status = 404)), security(("bearer" = [])))]
pub async fn timeline(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> ApiResult<Json<Timeline>> {
    let on = crate::as_of::day(&q.as_of)?;
    Ok(Json(milestones::timeline(&app, &a, id, on).await?))
}

/// 倒排节点: schedules the plan backwards from the target production date.
#[utoipa::path(put, path = "/api/v1/projects/{id}/milestones", params(("id" = i64, Path)), request_body = PlanInput,
    responses((status = 200, body = Timeline), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn schedule(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PlanInput>,
) -> ApiResult<Json<Timeline>> {
    milestones::schedule(&app, &a, id, &input).await?;
    Ok(Json(
        milestones::timeline(&app, &a, id, fenglai_app::today()).await?,
    ))
}

/// The responsible person adjusts a node: planned date, actual date (not for stage nodes),
/// responsible person, note.
#[utoipa::path(put, path = "/api/v1/projects/{id}/milestones/{node}", params(("id" = i64, Path), ("node" = String, Path)),
    request_body = NodeInput,
    responses((status = 200, body = Timeline), (status = 403), (status = 404), (status = 409, description = "the project was merged into another"), (status = 422)), security(("bearer" = [])))]
pub async fn set_node(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path((id, node)): Path<(i64, String)>,
    ApiJson(input): ApiJson<NodeInput>,
) -> ApiResult<Json<Timeline>> {
    milestones::set_node(&app, &a, id, &node, &input).await?;
    Ok(Json(
        milestones::timeline(&app, &a, id, fenglai_app::today()).await?,
    ))
}

/// Overdue and at-risk nodes of the projects the caller sees, on a day.
#[utoipa::path(get, path = "/api/v1/milestones/alerts", params(DueQuery),
    responses((status = 200, body = Alerts), (status = 422)), security(("bearer" = [])))]
pub async fn milestone_alerts(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<DueQuery>,
) -> ApiResult<Json<Alerts>> {
    let on = crate::as_of::day(&q.as_of)?;
    Ok(Json(milestones::alerts(&app, &a, &q, on).await?))
}

/// The open nodes due in a week (Monday to Sunday), for a person or the caller's scope.
#[utoipa::path(get, path = "/api/v1/milestones/week", params(WeekQuery),
    responses((status = 200, body = Week), (status = 422)), security(("bearer" = [])))]
pub async fn week(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<WeekQuery>,
) -> ApiResult<Json<Week>> {
    Ok(Json(milestones::week(&app, &a, &q).await?))
}

/// The stall rules (三未/六未).
#[utoipa::path(get, path = "/api/v1/stall-rules", responses((status = 200, body = Vec<StallRuleRow>)), security(("bearer" = [])))]
pub async fn stall_rules(
    State(app): State<App>,
    ApiActor(_a): ApiActor,
) -> ApiResult<Json<Vec<StallRuleRow>>> {
    Ok(Json(milestones::rules(&app).await?))
}

/// Adds a stall rule or changes the one with the same code (administrators).
#[utoipa::path(put, path = "/api/v1/stall-rules", request_body = RuleInput,
    responses((status = 200, body = Vec<StallRuleRow>), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn save_stall_rule(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<Json<Vec<StallRuleRow>>> {
    Ok(Json(milestones::save_rule(&app, &a, &input).await?))
}

/// Stalled projects on a day, longest first, filterable by rule, unit, park and leader.
#[utoipa::path(get, path = "/api/v1/stalls", params(StallQuery),
    responses((status = 200, body = StallList), (status = 422)), security(("bearer" = [])))]
pub async fn stalls(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<StallQuery>,
) -> ApiResult<Json<StallList>> {
    let on = crate::as_of::day(&q.as_of)?;
    Ok(Json(milestones::stalled(&app, &a, &q, on).await?))
}

/// The stall list as .xlsx.
#[utoipa::path(get, path = "/api/v1/stalls/export.xlsx", params(StallQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 422)),
    security(("bearer" = [])))]
pub async fn stalls_xlsx(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<StallQuery>,
) -> ApiResult<Response> {
    let on = crate::as_of::day(&q.as_of)?;
    let bytes = milestones::stalled_xlsx(&app, &a, &q, on).await?;
    Ok(xlsx("停滞项目清单.xlsx", bytes))
}

/// Raises a request (诉求) for a project, routed to one or more departments.
#[utoipa::path(post, path = "/api/v1/projects/{id}/requests", params(("id" = i64, Path)), request_body = RaiseInput,
    responses((status = 201, body = RequestView), (status = 403), (status = 404), (status = 409, description = "the project was merged into another"), (status = 422)), security(("bearer" = [])))]
pub async fn raise(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RaiseInput>,
) -> ApiResult<(StatusCode, Json<RequestView>)> {
    Ok((
        StatusCode::CREATED,
        Json(requests::raise(&app, &a, id, &input).await?),
    ))
}

/// Requests the caller sees (their scope's projects, and their department's).
#[utoipa::path(get, path = "/api/v1/requests", params(ListQuery),
    responses((status = 200, body = Listing), (status = 422)), security(("bearer" = [])))]
pub async fn list_requests(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Listing>> {
    Ok(Json(requests::list(&app, &a, &q).await?))
}

/// 督办: department parts overdue on the day, and parts reopened after an unsatisfied rating.
#[utoipa::path(get, path = "/api/v1/requests/board", params(BoardQuery),
    responses((status = 200, body = Board), (status = 422)), security(("bearer" = [])))]
pub async fn board(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<BoardQuery>,
) -> ApiResult<Json<Board>> {
    let on = crate::as_of::day(&q.as_of)?;
    Ok(Json(requests::board(&app, &a, on).await?))
}

/// 回音高于呼声: per department and category, count, on-time rate, median response and
/// resolution hours, satisfaction.
#[utoipa::path(get, path = "/api/v1/requests/stats", params(StatsQuery),
    responses((status = 200, body = Stats), (status = 422)), security(("bearer" = [])))]
pub async fn stats(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Json<Stats>> {
    let on = crate::as_of::day(&q.as_of)?;
    Ok(Json(requests::stats(&app, &a, &q, on).await?))
}

/// Days each category has to be answered in.
#[utoipa::path(get, path = "/api/v1/requests/deadlines", responses((status = 200, body = BTreeMap<String, i64>)), security(("bearer" = [])))]
pub async fn deadlines(
    State(app): State<App>,
    ApiActor(_a): ApiActor,
) -> ApiResult<Json<BTreeMap<String, i64>>> {
    Ok(Json(requests::deadlines(&app).await?))
}

/// Sets the days categories have to be answered in (administrators).
#[utoipa::path(put, path = "/api/v1/requests/deadlines", request_body = BTreeMap<String, i64>,
    responses((status = 200, body = BTreeMap<String, i64>), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn set_deadlines(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<BTreeMap<String, i64>>,
) -> ApiResult<Json<BTreeMap<String, i64>>> {
    Ok(Json(requests::set_deadlines(&app, &a, &input).await?))
}

/// One request with each department's part.
#[utoipa::path(get, path = "/api/v1/requests/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 404)), security(("bearer" = [])))]
pub async fn get_request(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<RequestView>> {
    Ok(Json(requests::get(&app, &a, id).await?))
}

/// A step of one department's part: accept (受理), answer (答复), rate (评价; unsatisfied reopens).
#[utoipa::path(post, path = "/api/v1/request-tasks/{id}", params(("id" = i64, Path)), request_body = TaskInput,
    responses((status = 200, body = RequestView), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn act(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TaskInput>,
) -> ApiResult<Json<RequestView>> {
    Ok(Json(requests::act(&app, &a, id, &input).await?))
}

/// Records a 一事一议 meeting and answers the parts it settled (leaders, administrators).
#[utoipa::path(post, path = "/api/v1/request-meetings", request_body = MeetingInput,
    responses((status = 201, body = MeetingView), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn meeting(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<MeetingInput>,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    Ok((
        StatusCode::CREATED,
        Json(requests::meeting(&app, &a, &input).await?),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: i64,
    pub name: String,
}

/// Departments a request can be routed to.
#[utoipa::path(get, path = "/api/v1/departments", responses((status = 200, body = Vec<Department>)), security(("bearer" = [])))]
pub async fn departments(
    State(app): State<App>,
    ApiActor(_a): ApiActor,
) -> ApiResult<Json<Vec<Department>>> {
    Ok(Json(
        requests::departments(&app)
            .await?
            .into_iter()
            .map(|(id, name)| Department { id, name })
            .collect(),
    ))
}

/// A project's evidence files.
#[utoipa::path(get, path = "/api/v1/projects/{id}/attachments", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 404)), security(("bearer" = [])))]
pub async fn list_attachments(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(evidence::list(&app, &a, id).await?))
}

/// Reads a multipart upload: `kind`, `file`, and optionally `request_id`.
pub async fn read_upload(
    req: Request,
    app: &App,
) -> Result<(String, String, Vec<u8>, Option<i64>), Error> {
    let bad = |e: String| {
        if e.contains("length limit") || e.contains("too large") {
            Error::invalid(
                "file",
                format!("文件不能超过{} MB", evidence::MAX_BYTES / 1024 / 1024),
            )
        } else {
            Error::invalid(
                "file",
                "请以 multipart/form-data 上传文件（字段 kind、file）",
            )
        }
    };
    let mut m = Multipart::from_request(req, app)
        .await
        .map_err(|e| bad(e.body_text()))?;
    let (mut kind, mut file, mut request_id) = (None, None, None);
    while let Some(field) = m.next_field().await.map_err(|e| bad(e.body_text()))? {
        match field.name() {
            Some("kind") => kind = Some(field.text().await.map_err(|e| bad(e.body_text()))?),
            Some("request_id") => {
                let t = field.text().await.map_err(|e| bad(e.body_text()))?;
                if !t.trim().is_empty() {
                    request_id = Some(
                        t.trim()
                            .parse()
                            .map_err(|_| Error::invalid("request_id", "request_id 应为整数"))?,
                    );
                }
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| bad(e.body_text()))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let kind = kind.ok_or_else(|| Error::invalid("kind", "请选择材料类型"))?;
    let (name, bytes) = file.ok_or_else(|| Error::invalid("file", "请选择要上传的文件"))?;
    Ok((kind, name, bytes, request_id))
}

/// Attaches an evidence file (multipart: `kind`, `file`, optional `request_id`). PDF, JPEG,
/// PNG and Office/OFD files up to 20 MB, recognised by content.
#[utoipa::path(post, path = "/api/v1/projects/{id}/attachments", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "multipart/form-data", description = "kind, file, request_id"),
    responses((status = 201, body = Attachment), (status = 403), (status = 404), (status = 409, description = "the project was merged into another"), (status = 422)), security(("bearer" = [])))]
pub async fn attach(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let (kind, name, bytes, request_id) = read_upload(req, &app).await?;
    let att = evidence::attach(
        &app,
        &a,
        id,
        &evidence::Upload {
            kind: &kind,
            filename: &name,
            bytes: &bytes,
            request_id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(att)))
}

/// The file of an attachment.
#[utoipa::path(get, path = "/api/v1/attachments/{id}/file", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)), security(("bearer" = [])))]
pub async fn download(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (att, bytes) = evidence::download(&app, &a, id).await?;
    Ok(file_response(&att, bytes))
}

/// Voids an attachment (kept, no longer counted).
#[utoipa::path(post, path = "/api/v1/attachments/{id}/void", params(("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn void(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    evidence::void(&app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The evidence each stage change requires: stage → kinds.
#[utoipa::path(get, path = "/api/v1/settings/evidence-required",
    responses((status = 200, body = BTreeMap<String, Vec<String>>)), security(("bearer" = [])))]
pub async fn evidence_required(
    State(app): State<App>,
    ApiActor(_a): ApiActor,
) -> ApiResult<Json<BTreeMap<String, Vec<String>>>> {
    Ok(Json(evidence::required(&app).await?))
}

/// Sets the evidence each stage change requires, e.g. `{"signed": ["contract"]}` (administrators).
#[utoipa::path(put, path = "/api/v1/settings/evidence-required", request_body = BTreeMap<String, Vec<String>>,
    responses((status = 200, body = BTreeMap<String, Vec<String>>), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn set_evidence_required(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<BTreeMap<String, Vec<String>>>,
) -> ApiResult<Json<BTreeMap<String, Vec<String>>>> {
    Ok(Json(evidence::set_required(&app, &a, &input).await?))
}

/// Contracted against realised: capital arrived, fixed assets, output, tax, employment,
/// 上规 date, and the per-亩 figures against the park's thresholds.
#[utoipa::path(get, path = "/api/v1/projects/{id}/realised", params(("id" = i64, Path)),
    responses((status = 200, body = Realised), (status = 404)), security(("bearer" = [])))]
pub async fn realised_get(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Realised>> {
    Ok(Json(realised::get(&app, &a, id).await?))
}

/// Records or corrects one month's figures.
#[utoipa::path(put, path = "/api/v1/projects/{id}/monthly", params(("id" = i64, Path)), request_body = MonthlyInput,
    responses((status = 200, body = Realised), (status = 403), (status = 404), (status = 409, description = "the project was merged into another"), (status = 422)), security(("bearer" = [])))]
pub async fn put_monthly(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MonthlyInput>,
) -> ApiResult<Json<Realised>> {
    Ok(Json(realised::put(&app, &a, id, &input).await?))
}

/// Sets (or clears) the date the enterprise became 规上.
#[utoipa::path(put, path = "/api/v1/projects/{id}/above-scale", params(("id" = i64, Path)), request_body = AboveScaleInput,
    responses((status = 200, body = Realised), (status = 403), (status = 404), (status = 409, description = "the project was merged into another"), (status = 422)), security(("bearer" = [])))]
pub async fn above_scale(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AboveScaleInput>,
) -> ApiResult<Json<Realised>> {
    Ok(Json(realised::set_above_scale(&app, &a, id, &input).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// the file's name, whose extension (.xlsx, .xls, .csv) helps tell the format
    pub file_name: Option<String>,
}

/// Imports a sheet of monthly figures (项目编号 or 项目名称, 月份, 到资, 完成固投, 产值, 税收,
/// 用工, 实际利用外资; amounts in the header's unit, 万元 by default, foreign capital 万美元)
/// as the raw request body: every row or none; errors name their cells. A row changes only
/// the figures it fills in (blank cells and absent columns keep what is stored); a project
/// merged into another is refused.
#[utoipa::path(post, path = "/api/v1/monthly-imports", params(FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the sheet"),
    responses((status = 200, body = realised::ImportSummary), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn import_monthly(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<FileQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<realised::ImportSummary>> {
    let name = q.file_name.unwrap_or_else(|| "月度数据.xlsx".into());
    Ok(Json(realised::import(&app, &a, &name, &body).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    /// YYYY-MM-DD, today by default
    pub as_of: Option<String>,
}

/// Runs the daily computation now (administrators): overdue and at-risk nodes, stalled
/// projects, overdue requests, escalations.
#[utoipa::path(post, path = "/api/v1/alerts/run", request_body = RunInput,
    responses((status = 200, body = AlertRun), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn run_alerts(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<RunInput>,
) -> ApiResult<Json<AlertRun>> {
    a.require(a.role == fenglai_domain::Role::Admin, "运行每日计算")?;
    let on = crate::as_of::day(&input.as_of)?;
    Ok(Json(alerts::compute(&app, on).await?.0))
}

/// The last daily computation's city-wide figures (null before the first): leaders and
/// administrators.
#[utoipa::path(get, path = "/api/v1/alerts/last",
    responses((status = 200, body = Option<AlertRun>), (status = 403)), security(("bearer" = [])))]
pub async fn last_run(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Option<AlertRun>>> {
    a.require(a.role.sees_all(), "查看全市的每日计算结果")?;
    Ok(Json(alerts::last_run(&app).await?))
}

/// The monthly quota table (全民招商) as .xlsx, for the same query as /api/v1/stats/quota.
#[utoipa::path(get, path = "/api/v1/stats/quota/export.xlsx", params(fenglai_app::assess::quota::QuotaQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 422)),
    security(("bearer" = [])))]
pub async fn quota_xlsx(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<fenglai_app::assess::quota::QuotaQuery>,
) -> ApiResult<Response> {
    let bytes = fenglai_app::assess::quota::table_xlsx(&app, &a, &q).await?;
    Ok(xlsx("月度报送.xlsx", bytes))
}
