//! Project pages: the list, the stage board, a project's page, its transitions and edits.

use crate::delivery::pages::{project_done, project_refused};
use crate::pages::*;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/projects", get(project_list))
        .route("/projects/board", get(project_board))
        .route("/projects/{id}/transition", post(project_transition))
        .route("/projects/{id}/edit", post(project_edit))
}

// ---- projects ----

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectList {
    f: Frame,
    items: Vec<Project>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    stages: Vec<Opt>,
    prev_url: Option<String>,
    next_url: Option<String>,
}

fn project_url(q: &projects::ListQuery, page: i64) -> String {
    let filters = [
        ("stage", &q.stage),
        ("q", &q.q),
        ("park_id", &q.park_id),
        ("per_page", &q.per_page),
    ];
    paged_url("/projects", &filters, page)
}

async fn project_list(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<projects::ListQuery>,
) -> PageResult {
    let (items, total) = projects::list(&app, &s.actor, &q).await?;
    let (page, per_page) = leads::page_params(&q.page, &q.per_page).unwrap_or((1, 50));
    let pages = ((total + per_page - 1) / per_page).max(1);
    Ok(render(
        StatusCode::OK,
        &ProjectList {
            f: Frame::new(&s, "projects"),
            items,
            total,
            page,
            pages,
            prev_url: (page > 1).then(|| project_url(&q, page - 1)),
            next_url: (page < pages).then(|| project_url(&q, page + 1)),
            q: q.q.clone().unwrap_or_default(),
            stages: stage_opts(q.stage.as_deref()),
        },
    ))
}

pub struct BoardColumn {
    pub stage: &'static str,
    pub label: &'static str,
    pub total: i64,
    pub items: Vec<Project>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct Board {
    f: Frame,
    columns: Vec<BoardColumn>,
}

async fn project_board(State(app): State<App>, s: WebSession) -> PageResult {
    let mut columns = Vec::new();
    for st in Stage::ALL {
        let q = projects::ListQuery {
            stage: Some(st.as_str().into()),
            per_page: Some("20".into()),
            ..Default::default()
        };
        let (items, total) = projects::list(&app, &s.actor, &q).await?;
        columns.push(BoardColumn {
            stage: st.as_str(),
            label: st.label(),
            total,
            items,
        });
    }
    Ok(render(
        StatusCode::OK,
        &Board {
            f: Frame::new(&s, "board"),
            columns,
        },
    ))
}

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    amount_wan: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    correction: Option<String>,
}

async fn project_transition(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<TransitionForm>,
) -> PageResult {
    let amount = match form_wan(&f.amount_wan, "amount_wan", "") {
        Ok(a) => a,
        Err(e) => return project_refused(&app, &s, id, e).await,
    };
    let input = TransitionInput {
        to: f.to.clone(),
        date: nonempty(&f.date),
        amount_yuan: amount,
        reason: nonempty(&f.reason),
        correction: f.correction.is_some(),
    };
    let moved = projects::transition(&app, &s.actor, id, &input).await;
    project_done(&app, &s, id, "", moved).await
}

#[derive(Deserialize)]
struct ProjectEditForm {
    /// the version the form was filled from: a project changed since is not overwritten
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    park_id: String,
    #[serde(default)]
    responsible_user_id: String,
    #[serde(default)]
    responsible_leader_id: String,
    #[serde(default)]
    planned_investment_wan: String,
    #[serde(default)]
    foreign_capital_wan_usd: String,
    #[serde(default)]
    land_mu: String,
}

async fn project_edit(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ProjectEditForm>,
) -> PageResult {
    let input = (|| {
        Ok::<_, Error>(projects::EditInput {
            name: nonempty(&f.name),
            park_id: form_id(&f.park_id, "park_id")?,
            responsible_user_id: form_id(&f.responsible_user_id, "responsible_user_id")?,
            responsible_leader_id: form_id(&f.responsible_leader_id, "responsible_leader_id")?,
            planned_investment_yuan: form_wan(
                &f.planned_investment_wan,
                "planned_investment_wan",
                "计划投资",
            )?,
            foreign_capital_usd: form_amount(
                &f.foreign_capital_wan_usd,
                "foreign_capital_wan_usd",
                "外资",
                WAN,
                Currency::UsDollar,
            )?,
            land_mu: match nonempty(&f.land_mu) {
                Some(v) => Some(
                    v.parse::<f64>()
                        .map_err(|_| Error::invalid("land_mu", format!("用地“{v}”不是数字")))?,
                ),
                None => None,
            },
            version: form_version(&f.version)?,
        })
    })();
    let edited = match input {
        Ok(input) => projects::edit(&app, &s.actor, id, &input).await,
        Err(e) => Err(e),
    };
    project_done(&app, &s, id, "", edited).await
}

impl ProjectList {
    /// The list's filters, for its 导出Excel link.
    pub(crate) fn export_query(&self) -> String {
        let stage = self.stages.iter().find(|o| o.selected).map(|o| o.code);
        query_of(&[("q", Some(self.q.as_str())), ("stage", stage)])
    }
}
