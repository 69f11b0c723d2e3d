//! Pages for the intake of leads: sending a lead to a pre-review panel (预审) and
//! scoring and deciding it there; red-line overrides; routing a lead to a park and
//! the park's answer; the 两张皮 figures.

use crate::leads::pages::{env_opts, flag_rows, lead_page, FlagRow};
use crate::pages::*;
use fenglai_app::intake::review::{CardInput, DecisionInput, OpenInput, ReviewItem, ReviewView};
use fenglai_app::intake::routing::{AnswerInput, RouteInput, RoutingItem, RoutingStats};
use fenglai_app::redlines::OverrideInput;
use fenglai_store::Scope;
use std::collections::BTreeMap;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/leads/{id}/review", post(lead_open_review))
        .route("/leads/{id}/route", post(lead_route))
        .route("/leads/{id}/override", post(lead_override))
        .route("/reviews", get(review_list))
        .route("/reviews/{id}", get(review_show))
        .route("/reviews/{id}/score", post(review_score))
        .route("/reviews/{id}/decide", post(review_decide))
        .route("/reviews/{id}/remind", post(review_remind))
        .route("/reviews/{id}/reopen", post(review_reopen))
        .route("/routings", get(routing_list))
        .route("/routings/stats", get(routing_stats))
        .route("/routings/{id}/accept", post(routing_accept))
        .route("/routings/{id}/decline", post(routing_decline))
}

// ---- actions on a lead ----

#[derive(Deserialize)]
struct PanelForm {
    #[serde(default)]
    panel_id: String,
}

async fn lead_open_review(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<PanelForm>,
) -> PageResult {
    let result = match form_id(&f.panel_id, "panel_id") {
        Ok(Some(panel_id)) => review::open(&app, &s.actor, id, &OpenInput { panel_id }).await,
        Ok(None) => Err(Error::invalid("panel_id", "请选择预审专班")),
        Err(e) => Err(e),
    };
    match result.shown_if(explainable)? {
        Ok(r) => to(&format!("/reviews/{}", r.id)),
        Err(e) => lead_page(&app, &s, id, Some(e.to_string()), status_of(&e)).await,
    }
}

#[derive(Deserialize)]
struct ParkForm {
    #[serde(default)]
    park_id: String,
}

async fn lead_route(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ParkForm>,
) -> PageResult {
    let result = match form_id(&f.park_id, "park_id") {
        Ok(Some(park_id)) => routing::route(&app, &s.actor, id, &RouteInput { park_id }).await,
        Ok(None) => Err(Error::invalid("park_id", "请选择承接园区")),
        Err(e) => Err(e),
    };
    match result.shown_if(explainable)? {
        Ok(_) => to(&format!("/leads/{id}#routing")),
        Err(e) => lead_page(&app, &s, id, Some(e.to_string()), status_of(&e)).await,
    }
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn lead_override(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> PageResult {
    let input = OverrideInput {
        reason: f.reason.clone(),
        park_id: None,
    };
    match redlines::override_flags(&app, &s.actor, id, &input)
        .await
        .shown_if(explainable)?
    {
        Ok(_) => to(&format!("/leads/{id}#redlines")),
        Err(e) => lead_page(&app, &s, id, Some(e.to_string()), status_of(&e)).await,
    }
}

// ---- reviews ----

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewList {
    f: Frame,
    /// the caller sits on a panel
    is_member: bool,
    /// awaiting the caller's score
    mine: Vec<ReviewItem>,
    /// promoters, leaders, admins: every open review in scope
    sees_open: bool,
    open: Vec<ReviewItem>,
    overdue: usize,
    may_remind: bool,
    flash: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct FlashQuery {
    reminded: Option<String>,
}

async fn review_list_page(
    app: &App,
    s: &WebSession,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let is_member = review::panels(app)
        .await?
        .iter()
        .any(|p| p.members.iter().any(|m| m.user_id == s.actor.id()));
    let mine = if is_member {
        let q = review::ListQuery {
            mine: Some("true".into()),
            ..Default::default()
        };
        review::list(app, &s.actor, &q).await?
    } else {
        Vec::new()
    };
    let sees_open = matches!(s.actor.role, Role::Admin | Role::Promoter | Role::Leader);
    let mut open = if sees_open {
        let q = review::ListQuery {
            open: Some("true".into()),
            ..Default::default()
        };
        review::list(app, &s.actor, &q).await?
    } else {
        Vec::new()
    };
    // the overdue first, oldest deadline first
    open.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.review.due_date.cmp(&b.review.due_date))
    });
    Ok(render(
        status,
        &ReviewList {
            f: Frame::new(s, "reviews"),
            is_member,
            overdue: open.iter().filter(|i| i.overdue).count(),
            mine,
            sees_open,
            open,
            may_remind: sees_open,
            flash,
            error,
        },
    ))
}

async fn review_list(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    let flash = q
        .reminded
        .filter(|n| !n.is_empty())
        .map(|n| format!("已催办：{n}"));
    review_list_page(&app, &s, flash, None, StatusCode::OK).await
}

/// One criterion's input on the scoring form.
pub struct ScoreField {
    pub key: String,
    pub name: String,
    pub weight: i64,
    pub max: i64,
    pub veto_below: Option<i64>,
    pub value: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    f: Frame,
    v: ReviewView,
    flags: Vec<FlagRow>,
    fields: Vec<ScoreField>,
    comment: String,
    decisions: Vec<Opt>,
    reason: String,
    parks: Vec<IdOpt>,
    envs: Vec<Opt>,
    error: Option<String>,
}

/// What the member typed, kept when the form is re-rendered.
#[derive(Default)]
struct Typed {
    scores: HashMap<String, String>,
    comment: String,
    decision: String,
    reason: String,
    park_id: Option<i64>,
    env_category: String,
}

async fn review_page(
    app: &App,
    s: &WebSession,
    id: i64,
    typed: Typed,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let v = review::view(app, &s.actor, id).await?;
    let accepted_park = routing::of_lead(app, &s.actor, v.lead.id)
        .await?
        .iter()
        .rev()
        .find(|r| r.status == "accepted")
        .map(|r| r.park_id);
    let parks = projects::parks(app).await?;
    let pass = v.outcome.as_ref().is_none_or(|o| o.code == "pass");
    let decision = if typed.decision.is_empty() {
        if pass { "admit" } else { "reject" }.to_string()
    } else {
        typed.decision.clone()
    };
    Ok(render(
        status,
        &ReviewPage {
            f: Frame::new(s, "reviews"),
            flags: flag_rows(&v.redlines),
            fields: v
                .criteria
                .iter()
                .map(|c| ScoreField {
                    key: c.key.clone(),
                    name: c.name.clone(),
                    weight: c.weight,
                    max: c.max_score,
                    veto_below: c.veto_below,
                    value: typed.scores.get(&c.key).cloned().unwrap_or_default(),
                })
                .collect(),
            comment: typed.comment,
            decisions: opts(
                [
                    ("admit", "入库"),
                    ("reject", "未通过"),
                    ("more_info", "补充材料"),
                ]
                .into_iter(),
                Some(&decision),
            ),
            reason: typed.reason,
            parks: id_opts(
                parks.into_iter().map(|c| (c.id, c.name)),
                typed.park_id.or(accepted_park),
            ),
            envs: env_opts(&typed.env_category),
            v,
            error,
        },
    ))
}

async fn review_show(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    review_page(&app, &s, id, Typed::default(), None, StatusCode::OK).await
}

async fn review_score(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let typed = Typed {
        scores: form
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("score_").map(|k| (k.to_string(), v.clone())))
            .collect(),
        comment: form.get("comment").cloned().unwrap_or_default(),
        ..Default::default()
    };
    let input = (|| {
        let mut scores = BTreeMap::new();
        for (key, v) in &typed.scores {
            let t = v.trim();
            if t.is_empty() {
                continue; // the service names the missing criterion
            }
            let n = t.parse::<i64>().map_err(|_| {
                Error::invalid(&format!("score_{key}"), format!("评分“{t}”不是整数"))
            })?;
            scores.insert(key.clone(), n);
        }
        Ok::<_, Error>(CardInput {
            scores,
            comment: nonempty(&typed.comment),
        })
    })();
    let result = match input {
        Ok(input) => review::submit(&app, &s.actor, id, &input).await,
        Err(e) => Err(e),
    };
    match result.shown_if(explainable)? {
        Ok(_) => to(&format!("/reviews/{id}")),
        Err(e) => review_page(&app, &s, id, typed, Some(e.to_string()), status_of(&e)).await,
    }
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    park_id: String,
    #[serde(default)]
    env_category: String,
}

async fn review_decide(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<DecideForm>,
) -> PageResult {
    let park_id = form_id(&f.park_id, "park_id");
    let typed = Typed {
        decision: f.decision.clone(),
        reason: f.reason.clone(),
        park_id: park_id.as_ref().ok().copied().flatten(),
        env_category: f.env_category.clone(),
        ..Default::default()
    };
    let result = match park_id {
        Ok(park_id) => {
            let input = DecisionInput {
                decision: f.decision.clone(),
                reason: nonempty(&f.reason),
                park_id,
                env_category: nonempty(&f.env_category),
            };
            review::decide(&app, &s.actor, id, &input).await
        }
        Err(e) => Err(e),
    };
    match result.shown_if(explainable)? {
        Ok(d) => match d.project {
            Some(p) => to(&format!("/projects/{}", p.id)),
            None => to(&format!("/reviews/{id}")),
        },
        Err(e) => review_page(&app, &s, id, typed, Some(e.to_string()), status_of(&e)).await,
    }
}

async fn review_remind(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    _: CsrfForm<NoFields>,
) -> PageResult {
    match review::remind(&app, &s.actor, id)
        .await
        .shown_if(explainable)?
    {
        Ok(waiting) => {
            let names: Vec<&str> = waiting.iter().map(|m| m.display_name.as_str()).collect();
            let who = if names.is_empty() {
                "成员均已评分".to_string()
            } else {
                names.join("、")
            };
            let q = serde_urlencoded::to_string([("reminded", who)]).unwrap_or_default();
            to(&format!("/reviews?{q}"))
        }
        Err(e) => review_list_page(&app, &s, None, Some(e.to_string()), status_of(&e)).await,
    }
}

async fn review_reopen(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    _: CsrfForm<NoFields>,
) -> PageResult {
    match review::reopen(&app, &s.actor, id)
        .await
        .shown_if(explainable)?
    {
        Ok(_) => to(&format!("/reviews/{id}")),
        Err(e) => {
            review_page(
                &app,
                &s,
                id,
                Typed::default(),
                Some(e.to_string()),
                status_of(&e),
            )
            .await
        }
    }
}

// ---- routings ----

#[derive(Template)]
#[template(path = "routings.html")]
struct RoutingList {
    f: Frame,
    /// sent to the caller's park
    inbox: Vec<RoutingItem>,
    is_receiver: bool,
    /// sent by the caller or within their scope, to other parks
    sent: Vec<RoutingItem>,
    error: Option<String>,
    /// the routing the error is about
    error_id: i64,
    reason: String,
}

/// Whether a routing was sent to the caller's own park.
fn to_my_park(s: &WebSession, r: &Routing) -> bool {
    s.actor.role == Role::Receiver
        && match &s.actor.scope {
            Scope::All => true,
            Scope::Subtree(path) => r.park_path.starts_with(path.as_str()),
            Scope::Reporter(_) => false,
        }
}

async fn routing_list_page(
    app: &App,
    s: &WebSession,
    error: Option<(i64, String, String)>,
    status: StatusCode,
) -> PageResult {
    let items = routing::list(app, &s.actor, &routing::ListQuery::default()).await?;
    let (mut inbox, mut sent): (Vec<_>, Vec<_>) =
        items.into_iter().partition(|i| to_my_park(s, &i.routing));
    // the ones awaiting an answer first, then the newest
    let order = |a: &RoutingItem, b: &RoutingItem| {
        (b.routing.status == "pending")
            .cmp(&(a.routing.status == "pending"))
            .then(b.routing.id.cmp(&a.routing.id))
    };
    inbox.sort_by(order);
    sent.sort_by(order);
    let (error_id, error, reason) = match error {
        Some((id, e, reason)) => (id, Some(e), reason),
        None => (0, None, String::new()),
    };
    Ok(render(
        status,
        &RoutingList {
            f: Frame::new(s, "routings"),
            is_receiver: s.actor.role == Role::Receiver,
            inbox,
            sent,
            error,
            error_id,
            reason,
        },
    ))
}

async fn routing_list(State(app): State<App>, s: WebSession) -> PageResult {
    routing_list_page(&app, &s, None, StatusCode::OK).await
}

async fn routing_answer(
    app: &App,
    s: &WebSession,
    id: i64,
    accept: bool,
    f: ReasonForm,
) -> PageResult {
    let input = AnswerInput {
        reason: nonempty(&f.reason),
    };
    match routing::answer(app, &s.actor, id, accept, &input)
        .await
        .shown_if(explainable)?
    {
        Ok(_) => to("/routings"),
        Err(e) => {
            routing_list_page(app, s, Some((id, e.to_string(), f.reason)), status_of(&e)).await
        }
    }
}

async fn routing_accept(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> PageResult {
    routing_answer(&app, &s, id, true, f).await
}

async fn routing_decline(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> PageResult {
    routing_answer(&app, &s, id, false, f).await
}

#[derive(Template)]
#[template(path = "routing_stats.html")]
struct StatsPage {
    f: Frame,
    st: RoutingStats,
}

async fn routing_stats(State(app): State<App>, s: WebSession) -> PageResult {
    let st = routing::stats(&app, &s.actor).await?;
    Ok(render(
        StatusCode::OK,
        &StatsPage {
            f: Frame::new(&s, "routings"),
            st,
        },
    ))
}
