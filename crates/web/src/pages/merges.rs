//! Duplicate pages: the 疑似重复 queue, two leads side by side to merge, undoing a merge.

use super::*;
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

async fn queue_render(app: &App, s: &WebSession, error: Option<Error>) -> Response {
    match merges::queue(app, &s.actor).await {
        Ok(pairs) => render(
            error
                .as_ref()
                .map(|e| status_and_code(e).0)
                .unwrap_or(StatusCode::OK),
            &QueuePage {
                f: Frame::new(s, "duplicates"),
                pairs,
                may_merge: may_merge(s),
                error: error.map(|e| e.to_string()),
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn queue_page(State(app): State<App>, s: WebSession) -> Response {
    queue_render(&app, &s, None).await
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn dismiss(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, &f.csrf) {
        return r;
    }
    match merges::dismiss(&app, &s.actor, id).await {
        Ok(_) => Redirect::to("/duplicates").into_response(),
        Err(e @ (Error::Conflict(_) | Error::Forbidden(_))) => {
            queue_render(&app, &s, Some(e)).await
        }
        Err(e) => error_page(e),
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
) -> Response {
    match merges::preview(app, &s.actor, id, with).await {
        Ok(p) => render(
            error
                .as_ref()
                .map(|e| status_and_code(e).0)
                .unwrap_or(StatusCode::OK),
            &MergePage {
                f: Frame::new(s, "duplicates"),
                p,
                error: error.map(|e| e.to_string()),
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn merge_page(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Query(q): Query<WithQuery>,
) -> Response {
    match with_id(&q.with) {
        Ok(with) => merge_render(&app, &s, id, with, None).await,
        Err(e) => error_page(e),
    }
}

async fn merge_do(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, form.get("csrf").map(String::as_str).unwrap_or("")) {
        return r;
    }
    let with = match with_id(&form.get("with").cloned()) {
        Ok(w) => w,
        Err(e) => return error_page(e),
    };
    // radio buttons named keep_<field>
    let keep = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("keep_").map(|f| (f.to_string(), v.clone())))
        .collect();
    let input = MergeInput {
        duplicate_id: with,
        keep,
    };
    match merges::merge(&app, &s.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/leads/{id}#merges")).into_response(),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_))) => {
            merge_render(&app, &s, id, with, Some(e)).await
        }
        Err(e) => error_page(e),
    }
}

async fn undo(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, &f.csrf) {
        return r;
    }
    match merges::undo(&app, &s.actor, id).await {
        Ok(lead) => Redirect::to(&format!("/leads/{}#merges", lead.id)).into_response(),
        Err(e) => error_page(e),
    }
}
