//! Duplicate pages: the 疑似重复 queue, two leads side by side to merge, undoing a merge.

use crate::pages::*;
use fenglai_app::merges::{self, MergeInput, Preview};
use fenglai_store::merges::Pair;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/duplicates", get(queue_page))
        .route("/duplicates/{id}/dismiss", post(dismiss))
        .route("/leads/{id}/merge", get(merge_page).post(merge_do))
        .route("/merges/{id}/undo", post(undo))
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct QueuePage {
    f: Frame,
    pairs: Vec<Pair>,
    may_merge: bool,
    error: Option<String>,
}

fn may_merge(s: &WebSession) -> bool {
    matches!(s.actor.role, Role::Admin | Role::Promoter)
}

async fn queue_render(app: &App, s: &WebSession, error: Option<Error>) -> PageResult {
    let pairs = merges::queue(app, &s.actor).await?;
    Ok(render(
        error.as_ref().map(status_of).unwrap_or(StatusCode::OK),
        &QueuePage {
            f: Frame::new(s, "duplicates"),
            pairs,
            may_merge: may_merge(s),
            error: error.map(|e| e.to_string()),
        },
    ))
}

async fn queue_page(State(app): State<App>, s: WebSession) -> PageResult {
    queue_render(&app, &s, None).await
}

async fn dismiss(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    _: CsrfForm<NoFields>,
) -> PageResult {
    match merges::dismiss(&app, &s.actor, id)
        .await
        .shown_if(|e| matches!(e, Error::Conflict(_) | Error::Forbidden(_)))?
    {
        Ok(_) => to("/duplicates"),
        Err(e) => queue_render(&app, &s, Some(e)).await,
    }
}

#[derive(Template)]
#[template(path = "merge.html")]
struct MergePage {
    f: Frame,
    p: Preview,
    error: Option<String>,
}

#[derive(Deserialize)]
struct WithQuery {
    with: Option<String>,
}

fn with_id(q: &Option<String>) -> Result<i64, Error> {
    q.as_deref()
        .and_then(|w| w.trim().parse().ok())
        .ok_or_else(|| Error::invalid("with", "请给出要合并进来的线索编号"))
}

async fn merge_render(
    app: &App,
    s: &WebSession,
    id: i64,
    with: i64,
    error: Option<Error>,
) -> PageResult {
    let p = merges::preview(app, &s.actor, id, with).await?;
    Ok(render(
        error.as_ref().map(status_of).unwrap_or(StatusCode::OK),
        &MergePage {
            f: Frame::new(s, "duplicates"),
            p,
            error: error.map(|e| e.to_string()),
        },
    ))
}

async fn merge_page(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Query(q): Query<WithQuery>,
) -> PageResult {
    let with = with_id(&q.with)?;
    merge_render(&app, &s, id, with, None).await
}

async fn merge_do(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let with = with_id(&form.get("with").cloned())?;
    // radio buttons named keep_<field>
    let keep = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("keep_").map(|f| (f.to_string(), v.clone())))
        .collect();
    let input = MergeInput {
        duplicate_id: with,
        keep,
    };
    match merges::merge(&app, &s.actor, id, &input)
        .await
        .shown_if(|e| matches!(e, Error::Invalid { .. } | Error::Conflict(_)))?
    {
        Ok(_) => to(&format!("/leads/{id}#merges")),
        Err(e) => merge_render(&app, &s, id, with, Some(e)).await,
    }
}

async fn undo(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    _: CsrfForm<NoFields>,
) -> PageResult {
    let lead = merges::undo(&app, &s.actor, id).await?;
    to(&format!("/leads/{}#merges", lead.id))
}
