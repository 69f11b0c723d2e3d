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
) -> PageResult {
    let (status, t, error) = match quota::table(&app, &s.actor, &q).await.shown_if(invalid)? {
        Ok(t) => (StatusCode::OK, Some(t), None),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())),
    };
    Ok(render(
        status,
        &QuotaPage {
            f: Frame::new(&s, "quota"),
            q,
            t,
            error,
        },
    ))
}

async fn quota_xlsx(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<QuotaQuery>,
) -> PageResult {
    let b = quota::table_xlsx(&app, &s.actor, &q).await?;
    Ok(crate::download::xlsx("月度报送.xlsx", b))
}
