//! The inbox page (站内消息): the caller's notices, unread first, marking them read, and
//! the caller's own address for notices by email.

use crate::pages::*;
use fenglai_app::notify::{self, EmailInput};
use fenglai_store::jobs::Notification;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/read-all", post(read_all))
        .route("/inbox/{id}/read", post(read_one))
        .route("/inbox/email", post(set_email))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    f: Frame,
    items: Vec<Notification>,
    unread: i64,
    /// the address as saved, or as typed when refused
    email: String,
    error: Option<String>,
}

impl InboxPage {
    /// The notice's link when it is a path within Fenglai (nothing else is made a link).
    fn href<'a>(&self, n: &'a Notification) -> Option<&'a str> {
        n.link
            .as_deref()
            .filter(|l| l.starts_with('/') && !l.starts_with("//"))
    }
}

async fn inbox_page(State(app): State<App>, s: WebSession) -> PageResult {
    inbox_render(&app, &s, None, None).await
}

/// The page; `typed` and `error` after a refused address.
async fn inbox_render(
    app: &App,
    s: &WebSession,
    typed: Option<String>,
    error: Option<Error>,
) -> PageResult {
    let inbox = notify::inbox(app, &s.actor).await?;
    let email = match typed {
        Some(t) => t,
        None => notify::email(app, &s.actor, s.actor.id())
            .await?
            .email
            .unwrap_or_default(),
    };
    let mut f = Frame::new(s, "inbox");
    f.unread = inbox.unread;
    Ok(render(
        error.as_ref().map(status_of).unwrap_or(StatusCode::OK),
        &InboxPage {
            f,
            items: inbox.items,
            unread: inbox.unread,
            email,
            error: error.map(|e| e.to_string()),
        },
    ))
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn set_email(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> PageResult {
    let input = EmailInput {
        email: Some(form.email.clone()),
    };
    match notify::set_email(&app, &s.actor, s.actor.id(), &input)
        .await
        .shown_if(invalid)?
    {
        Ok(_) => to("/inbox"),
        Err(e) => inbox_render(&app, &s, Some(form.email), Some(e)).await,
    }
}

async fn read_one(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    _: CsrfForm<NoFields>,
) -> PageResult {
    notify::mark_read(&app, &s.actor, id).await?;
    to("/inbox")
}

async fn read_all(State(app): State<App>, s: WebSession, _: CsrfForm<NoFields>) -> PageResult {
    notify::mark_all_read(&app, &s.actor).await?;
    to("/inbox")
}
