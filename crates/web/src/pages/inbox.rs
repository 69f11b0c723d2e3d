//! The inbox page (站内消息): the caller's notices, unread first, and marking them read.

use super::*;
use fenglai_app::notify;
use fenglai_store::jobs::Notification;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/read-all", post(read_all))
        .route("/inbox/{id}/read", post(read_one))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    f: Frame,
    items: Vec<Notification>,
    unread: i64,
}

impl InboxPage {
    /// The notice's link when it is a path within Fenglai (nothing else is made a link).
    fn href<'a>(&self, n: &'a Notification) -> Option<&'a str> {
        n.link
            .as_deref()
            .filter(|l| l.starts_with('/') && !l.starts_with("//"))
    }
}

async fn inbox_page(State(app): State<App>, s: WebSession) -> Response {
    match notify::inbox(&app, &s.actor).await {
        Ok(inbox) => {
            let mut f = Frame::new(&s, "inbox");
            f.unread = inbox.unread;
            render(
                StatusCode::OK,
                &InboxPage {
                    f,
                    items: inbox.items,
                    unread: inbox.unread,
                },
            )
        }
        Err(e) => error_page(e),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn read_one(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, &form.csrf) {
        return r;
    }
    match notify::mark_read(&app, &s.actor, id).await {
        Ok(_) => Redirect::to("/inbox").into_response(),
        Err(e) => error_page(e),
    }
}

async fn read_all(State(app): State<App>, s: WebSession, Form(form): Form<CsrfOnly>) -> Response {
    if let Some(r) = csrf_rejection(&s, &form.csrf) {
        return r;
    }
    match notify::mark_all_read(&app, &s.actor).await {
        Ok(_) => Redirect::to("/inbox").into_response(),
        Err(e) => error_page(e),
    }
}
