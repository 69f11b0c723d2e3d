//! The monthly quota page of 全民招商: per unit and month, leads reported and valid.

use super::*;
use fenglai_app::quota::{self, QuotaQuery, QuotaTable};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/quota", get(quota_page))
        .route("/quota/export.xlsx", get(quota_xlsx))
}

#[derive(Template)]
#[template(path = "quota.html")]
struct QuotaPage {
    f: Frame,
    q: QuotaQuery,
    t: Option<QuotaTable>,
    error: Option<String>,
}

impl QuotaPage {
    fn from(&self) -> &str {
        self.q.from.as_deref().unwrap_or("")
    }
    fn to(&self) -> &str {
        self.q.to.as_deref().unwrap_or("")
    }
}

async fn quota_page(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<QuotaQuery>,
) -> Response {
    match quota::table(&app, &s.actor, &q).await {
        Ok(t) => render(
            StatusCode::OK,
            &QuotaPage {
                f: Frame::new(&s, "quota"),
                q,
                t: Some(t),
                error: None,
            },
        ),
        Err(e @ Error::Invalid { .. }) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &QuotaPage {
                f: Frame::new(&s, "quota"),
                q,
                t: None,
                error: Some(e.to_string()),
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn quota_xlsx(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<QuotaQuery>,
) -> Response {
    match quota::table_xlsx(&app, &s.actor, &q).await {
        Ok(b) => crate::api_ledgers::xlsx("月度报送.xlsx", b),
        Err(e) => error_page(e),
    }
}
