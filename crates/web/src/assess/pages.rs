//! 考核与通报 pages: the leader cockpit (驾驶舱), rankings of a period, bulletins (draft,
//! publish, the printable page, verification), targets with their decomposition checks,
//! and activities (走访、活动、会议).

use crate::pages::*;
use fenglai_app::assess::activities::{
    self, ActivityInput, ActivityListing, ActivityView, ListQuery as ActQuery,
};
use fenglai_app::assess::bulletins::{
    self, BulletinView, CompetitionInput, TargetInput, Targets, Verification,
};
use fenglai_app::assess::quota::{self, QuotaQuery, QuotaTable};
use fenglai_app::assess::{AssessFigures, RankingBoard};
use fenglai_app::cockpit::{self};
use fenglai_domain::assess::{Measure, Metric, Scheme};
use fenglai_domain::Moment;
use fenglai_store::assess::Bulletin;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/assessment", get(rankings_page))
        .route("/bulletins", get(bulletins_page).post(publish))
        .route("/bulletins/draft", get(draft_page))
        .route("/bulletins/{id}", get(bulletin_page))
        .route("/bulletins/{id}/verify", get(verify_page))
        .route("/bulletins/{id}/export.docx", get(bulletin_docx))
        .route("/bulletins/{id}/export.xlsx", get(bulletin_xlsx))
        .route("/targets", get(targets_page).post(target_set))
        .route("/assessment/scheme", get(scheme_page).post(scheme_set))
        .route(
            "/competitions",
            get(competitions_page).post(competition_create),
        )
        .route("/lists/export.xlsx", get(lists_xlsx))
        .route("/activities", get(activities_page).post(activity_create))
        .merge(quota_routes())
}

// ---------------------------------------------------------------- shared views

/// A ranking table ready to draw.
pub struct Table {
    pub key: String,
    pub label: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub red: Vec<String>,
    pub black: Vec<String>,
    pub zero: Vec<String>,
}

pub(crate) fn tables(f: &AssessFigures) -> Vec<Table> {
    f.boards
        .iter()
        .map(|b: &RankingBoard| {
            let (headers, rows) = bulletins::ranking_table(f, b);
            Table {
                key: b.key.clone(),
                label: b.label.clone(),
                headers,
                rows,
                red: b.red.clone(),
                black: b.black.clone(),
                zero: b.zero.clone(),
            }
        })
        .collect()
}

pub(crate) fn progress(f: &AssessFigures) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    f.boards
        .iter()
        .find(|b| b.key == "units")
        .map(|b| bulletins::progress_table(f, b))
        .filter(|(_, r)| !r.is_empty())
}

pub(crate) fn this_month() -> String {
    let t = fenglai_app::today();
    format!("{}", t.format("%Y-%m"))
}

#[derive(Deserialize)]
pub(crate) struct PeriodQuery {
    period: Option<String>,
}

impl PeriodQuery {
    fn code(&self) -> String {
        self.period
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(this_month)
    }
}

// ---------------------------------------------------------------- rankings

#[derive(Template)]
#[template(path = "assessment.html")]
struct RankingsPage {
    f: Frame,
    period: String,
    figures: Option<AssessFigures>,
    tables: Vec<Table>,
    progress: Option<(Vec<String>, Vec<Vec<String>>)>,
    may_publish: bool,
    error: Option<String>,
}

async fn rankings_page(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let period = q.code();
    let may_publish = bulletins::may_steer(s.actor.role);
    let (status, figures, error) = match bulletins::figures(&app, &s.actor, &period, Moment::now())
        .await
        .shown_if(invalid)?
    {
        Ok(fig) => (StatusCode::OK, Some(fig), None),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())),
    };
    Ok(render(
        status,
        &RankingsPage {
            f: Frame::new(&s, "assessment"),
            tables: figures.as_ref().map(tables).unwrap_or_default(),
            progress: figures.as_ref().and_then(progress),
            figures,
            period,
            may_publish,
            error,
        },
    ))
}

// ---------------------------------------------------------------- bulletins

#[derive(Template)]
#[template(path = "bulletins.html")]
struct BulletinsPage {
    f: Frame,
    items: Vec<Bulletin>,
    period: String,
    may_publish: bool,
    error: Option<String>,
}

async fn bulletins_page(State(app): State<App>, s: WebSession) -> PageResult {
    let items = bulletins::list(&app, &s.actor).await?;
    Ok(render(
        StatusCode::OK,
        &BulletinsPage {
            f: Frame::new(&s, "bulletins"),
            items,
            period: this_month(),
            may_publish: bulletins::may_steer(s.actor.role),
            error: None,
        },
    ))
}

#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    title: String,
}

async fn publish(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> PageResult {
    let input = bulletins::PublishInput {
        period: form.period.trim().to_string(),
        title: Some(form.title.clone()),
    };
    match bulletins::publish(&app, &s.actor, &input)
        .await
        .shown_if(|e| matches!(e, Error::Invalid { .. } | Error::NotFound))?
    {
        Ok(v) => to(&format!("/bulletins/{}", v.id.unwrap_or(0))),
        Err(e) => {
            let items = bulletins::list(&app, &s.actor).await.unwrap_or_default();
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &BulletinsPage {
                    f: Frame::new(&s, "bulletins"),
                    items,
                    period: form.period,
                    may_publish: true,
                    error: Some(match e {
                        Error::NotFound => "没有这个竞赛".into(),
                        e => e.to_string(),
                    }),
                },
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    f: Frame,
    v: BulletinView,
    tables: Vec<Table>,
    progress: Option<(Vec<String>, Vec<Vec<String>>)>,
    may_publish: bool,
}

impl BulletinPage {
    fn short_hash(&self) -> &str {
        &self.v.hash[..16.min(self.v.hash.len())]
    }
}

fn bulletin_view(s: &WebSession, v: BulletinView) -> PageResult {
    let page = BulletinPage {
        f: Frame::new(s, "bulletins"),
        tables: tables(&v.figures),
        progress: progress(&v.figures),
        may_publish: bulletins::may_steer(s.actor.role),
        v,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn bulletin_page(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    bulletin_view(&s, bulletins::get(&app, &s.actor, id).await?)
}

async fn draft_page(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    bulletin_view(&s, bulletins::draft(&app, &s.actor, &q.code()).await?)
}

#[derive(Template)]
#[template(path = "bulletin_verify.html")]
struct VerifyPage {
    f: Frame,
    title: String,
    v: Verification,
}

async fn verify_page(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    let title = bulletins::get(&app, &s.actor, id).await?.title;
    let (v, _) = bulletins::verify(&app, &s.actor, id).await?;
    Ok(render(
        StatusCode::OK,
        &VerifyPage {
            f: Frame::new(&s, "bulletins"),
            title,
            v,
        },
    ))
}

async fn bulletin_docx(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    let v = bulletins::get(&app, &s.actor, id).await?;
    Ok(crate::download::docx_response(
        &v.title,
        bulletins::docx(&v)?,
    ))
}

async fn bulletin_xlsx(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    let v = bulletins::get(&app, &s.actor, id).await?;
    let b = bulletins::xlsx(&v)?;
    Ok(crate::download::xlsx(&format!("{}.xlsx", v.title), b))
}

// ---------------------------------------------------------------- targets

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    f: Frame,
    t: Option<Targets>,
    year: i64,
    metrics: Vec<(&'static str, &'static str)>,
    units: Vec<Unit>,
    may_set: bool,
    form: TargetForm,
    error: Option<String>,
}

impl TargetsPage {
    fn is_owner(&self, id: &i64) -> bool {
        self.form.owner == format!("u:{id}")
    }
    fn is_metric(&self, code: &str) -> bool {
        self.form.metric == code
    }
}

#[derive(Deserialize, Default, Clone)]
struct TargetForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
}

fn year_of(y: Option<&str>) -> Result<i64, Error> {
    match y.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(chrono::Datelike::year(&fenglai_app::today()) as i64),
        Some(s) => s
            .parse()
            .map_err(|_| Error::invalid("year", format!("年度“{s}”应为四位数字"))),
    }
}

async fn targets_render(
    app: &App,
    s: &WebSession,
    year: i64,
    form: TargetForm,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let t = match bulletins::targets(app, &s.actor, year).await {
        Ok(t) => Some(t),
        Err(e @ Error::Forbidden(_)) => return Err(e.into()),
        Err(_) => None,
    };
    let units = org::units(app).await.unwrap_or_default();
    Ok(render(
        status,
        &TargetsPage {
            f: Frame::new(s, "targets"),
            t,
            year,
            metrics: fenglai_domain::assess::Metric::ALL
                .iter()
                .map(|m| (m.code(), m.label()))
                .collect(),
            units,
            may_set: bulletins::may_steer(s.actor.role),
            form,
            error,
        },
    ))
}

async fn targets_page(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = year_of(q.year.as_deref())?;
    targets_render(&app, &s, year, TargetForm::default(), None, StatusCode::OK).await
}

async fn target_set(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(form): CsrfForm<TargetForm>,
) -> PageResult {
    let year = match year_of(Some(&form.year)) {
        Ok(y) => y,
        Err(e) => {
            return targets_render(
                &app,
                &s,
                0,
                form,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let result = async {
        let (unit_id, user_id) = match form.owner.split_once(':') {
            Some(("u", id)) => (id.parse().ok(), None),
            Some(("p", id)) => (None, id.parse().ok()),
            _ => return Err(Error::invalid("owner", "请选择单位")),
        };
        let metric = fenglai_domain::assess::Metric::parse(&form.metric)?;
        // amounts are entered in 万元 (万美元 for foreign capital), counts as they are
        let raw = form.value.trim();
        let amount = |currency| {
            form_amount(raw, "value", "目标值", WAN, currency)?
                .ok_or_else(|| Error::invalid("value", "请填写目标值"))
        };
        let value = match metric.measure() {
            Measure::Count => raw
                .parse::<i64>()
                .map_err(|_| Error::invalid("value", format!("目标值“{raw}”应为整数")))?,
            Measure::Yuan => amount(Currency::Yuan)?,
            Measure::Usd => amount(Currency::UsDollar)?,
        };
        bulletins::set_target(
            &app,
            &s.actor,
            &TargetInput {
                year,
                metric: metric.code().into(),
                unit_id,
                user_id,
                value,
                reason: Some(form.reason.clone()),
            },
        )
        .await
    }
    .await;
    match result.shown_if(invalid)? {
        Ok(_) => to(&format!("/targets?year={year}")),
        Err(e) => {
            targets_render(
                &app,
                &s,
                year,
                form,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- scheme and competitions

/// A metric's points as the form shows them.
struct PointField {
    code: &'static str,
    label: &'static str,
    value: String,
}

/// The points of every metric, from the form's `pt_<code>` fields or from a scheme.
fn point_fields(points: impl Fn(Metric) -> String) -> Vec<PointField> {
    Metric::ALL
        .iter()
        .map(|m| PointField {
            code: m.code(),
            label: m.label(),
            value: points(*m),
        })
        .collect()
}

/// Reads the `pt_<code>` fields: metrics left empty get no points.
fn points_of(fields: &[(String, String)]) -> Result<Vec<(Metric, f64)>, Error> {
    let mut out = Vec::new();
    for m in Metric::ALL {
        let Some((_, v)) = fields
            .iter()
            .find(|(k, _)| *k == format!("pt_{}", m.code()))
        else {
            continue;
        };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let p: f64 = v
            .parse()
            .map_err(|_| Error::invalid("points", format!("“{}”的分值“{v}”应为数字", m.label())))?;
        out.push((*m, p));
    }
    Ok(out)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

#[derive(Template)]
#[template(path = "scheme.html")]
struct SchemePage {
    f: Frame,
    year: i64,
    /// the form's values: the scheme standing, or what was sent
    values: Vec<(String, String)>,
    points: Vec<PointField>,
    may_set: bool,
    error: Option<String>,
}

impl SchemePage {
    fn value(&self, name: &str) -> &str {
        field(&self.values, name)
    }
    fn rule_is(&self, rule: &str) -> bool {
        self.value("credit_rule") == rule
    }
}

/// A scheme as the form's fields.
fn scheme_fields(s: &Scheme) -> Vec<(String, String)> {
    [
        ("fortune500", s.fortune500.to_string()),
        ("china500", s.china500.to_string()),
        ("central_soe", s.central_soe.to_string()),
        ("listed", s.listed.to_string()),
        ("high_tech", s.high_tech.to_string()),
        ("redline_override", s.redline_override.to_string()),
        ("high_tech_divisions", s.high_tech_divisions.join(",")),
        ("cap", s.cap.to_string()),
        ("credit_rule", s.credit_rule.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .chain(
        s.points
            .iter()
            .map(|(m, p)| (format!("pt_{}", m.code()), p.to_string())),
    )
    .collect()
}

/// The scheme the form describes (every field required but the points).
fn scheme_from(fields: &[(String, String)]) -> Result<Scheme, Error> {
    let num = |name: &str, label: &str| -> Result<f64, Error> {
        let v = field(fields, name);
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| Error::invalid(name, format!("{label}“{v}”应为数字")))
    };
    Ok(Scheme {
        fortune500: num("fortune500", "世界500强权重")?,
        china500: num("china500", "中国500强权重")?,
        central_soe: num("central_soe", "央企权重")?,
        listed: num("listed", "上市公司权重")?,
        high_tech: num("high_tech", "高新技术权重")?,
        redline_override: num("redline_override", "红线特批权重")?,
        high_tech_divisions: field(fields, "high_tech_divisions")
            .split([',', '，', ' ', '、'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect(),
        points: points_of(fields)?,
        cap: num("cap", "单项封顶")?,
        credit_rule: field(fields, "credit_rule").to_string(),
    })
}

async fn scheme_render(
    app: &App,
    s: &WebSession,
    year: i64,
    sent: Option<Vec<(String, String)>>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let values = match sent {
        Some(v) => v,
        None => scheme_fields(&bulletins::scheme(app, &s.actor, year).await?),
    };
    let points = point_fields(|m| field(&values, &format!("pt_{}", m.code())).to_string());
    Ok(render(
        status,
        &SchemePage {
            f: Frame::new(s, "assessment"),
            year,
            values,
            points,
            may_set: bulletins::may_steer(s.actor.role),
            error,
        },
    ))
}

async fn scheme_page(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = year_of(q.year.as_deref())?;
    scheme_render(&app, &s, year, None, None, StatusCode::OK).await
}

async fn scheme_set(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let result = async {
        let year = year_of(Some(field(&fields, "year")))?;
        let scheme = scheme_from(&fields)?;
        bulletins::set_scheme(&app, &s.actor, year, &scheme).await?;
        Ok::<i64, Error>(year)
    }
    .await;
    match result.shown_if(invalid)? {
        Ok(year) => to(&format!("/assessment/scheme?year={year}&saved=1")),
        Err(e) => {
            let year = year_of(Some(field(&fields, "year"))).unwrap_or(0);
            scheme_render(
                &app,
                &s,
                year,
                Some(fields),
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "competitions.html")]
struct CompetitionsPage {
    f: Frame,
    items: Vec<CompetitionRow>,
    may_set: bool,
    values: Vec<(String, String)>,
    points: Vec<PointField>,
    error: Option<String>,
}

impl CompetitionsPage {
    fn value(&self, name: &str) -> &str {
        field(&self.values, name)
    }
}

struct CompetitionRow {
    id: i64,
    name: String,
    start_date: String,
    end_date: String,
    points: String,
}

async fn competitions_render(
    app: &App,
    s: &WebSession,
    values: Vec<(String, String)>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let list = bulletins::competitions(app, &s.actor).await?;
    let items = list
        .into_iter()
        .map(|c| {
            let pts: Vec<(Metric, f64)> = serde_json::from_str(&c.points).unwrap_or_default();
            CompetitionRow {
                id: c.id,
                name: c.name,
                start_date: c.start_date,
                end_date: c.end_date,
                points: pts
                    .iter()
                    .map(|(m, p)| format!("{}{}分", m.label(), p))
                    .collect::<Vec<_>>()
                    .join("、"),
            }
        })
        .collect();
    let points = point_fields(|m| field(&values, &format!("pt_{}", m.code())).to_string());
    Ok(render(
        status,
        &CompetitionsPage {
            f: Frame::new(s, "assessment"),
            items,
            may_set: bulletins::may_steer(s.actor.role),
            values,
            points,
            error,
        },
    ))
}

async fn competitions_page(State(app): State<App>, s: WebSession) -> PageResult {
    competitions_render(&app, &s, Vec::new(), None, StatusCode::OK).await
}

async fn competition_create(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let result = async {
        let input = CompetitionInput {
            name: field(&fields, "name").to_string(),
            start_date: field(&fields, "start_date").to_string(),
            end_date: field(&fields, "end_date").to_string(),
            points: points_of(&fields)?
                .into_iter()
                .map(|(m, p)| (m.code().to_string(), p))
                .collect(),
        };
        bulletins::create_competition(&app, &s.actor, &input).await
    }
    .await;
    match result.shown_if(invalid)? {
        Ok(c) => to(&format!("/assessment?period=c{}", c.id)),
        Err(e) => {
            competitions_render(
                &app,
                &s,
                fields,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn lists_xlsx(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = year_of(q.year.as_deref())?;
    let b = cockpit::three_lists(&app, &s.actor, year).await?;
    Ok(crate::download::xlsx(&format!("{year}年三张清单.xlsx"), b))
}

// ---------------------------------------------------------------- activities

#[derive(Template)]
#[template(path = "activities.html")]
struct ActivitiesPage {
    f: Frame,
    list: Option<ActivityListing>,
    kind: String,
    form: ActivityForm,
    error: Option<String>,
    created: Option<ActivityView>,
    may_record: bool,
}

impl ActivitiesPage {
    fn kinds(&self) -> Vec<Opt> {
        opts(
            activities::KINDS.iter().copied(),
            Some(self.form.kind.as_str()),
        )
    }
    fn kind_label(&self, k: &str) -> &'static str {
        activities::kind_label(k)
    }
    fn is_kind(&self, k: &str) -> bool {
        self.kind == k
    }
}

#[derive(Deserialize, Default, Clone)]
struct ActivityForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    subkind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    activity_date: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    counterpart: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    lead_id: String,
}

fn nonempty_s(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

async fn activities_render(
    app: &App,
    s: &WebSession,
    q: ActQuery,
    form: ActivityForm,
    error: Option<String>,
    created: Option<ActivityView>,
    status: StatusCode,
) -> Response {
    let kind = q.kind.clone().unwrap_or_default();
    let list = activities::list(app, &s.actor, &q).await.ok();
    render(
        status,
        &ActivitiesPage {
            f: Frame::new(s, "activities"),
            list,
            kind,
            form,
            error,
            created,
            may_record: activities::may_record(s.actor.role),
        },
    )
}

async fn activities_page(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<ActQuery>,
) -> Response {
    let form = ActivityForm {
        kind: "visit".into(),
        activity_date: fenglai_app::today().to_string(),
        lead_id: q.lead_id.map(|l| l.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    activities_render(&app, &s, q, form, None, None, StatusCode::OK).await
}

async fn activity_create(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> PageResult {
    let parsed = (|| -> Result<ActivityInput, String> {
        let int = |v: &str, what: &str| {
            nonempty_s(v)
                .map(|x| x.parse::<i64>().map_err(|_| format!("{what}“{x}”应为整数")))
                .transpose()
        };
        Ok(ActivityInput {
            kind: form.kind.clone(),
            subkind: nonempty_s(&form.subkind),
            title: form.title.clone(),
            activity_date: form.activity_date.clone(),
            place: nonempty_s(&form.place),
            counterpart: nonempty_s(&form.counterpart),
            outcome: nonempty_s(&form.outcome),
            attendees: int(&form.attendees, "参加人数")?,
            lead_ids: int(&form.lead_id, "线索编号")?.into_iter().collect(),
            ..Default::default()
        })
    })();
    let input = match parsed {
        Ok(i) => i,
        Err(e) => {
            return Ok(activities_render(
                &app,
                &s,
                ActQuery::default(),
                form,
                Some(e),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await)
        }
    };
    Ok(
        match activities::create(&app, &s.actor, &input)
            .await
            .shown_if(invalid)?
        {
            Ok(v) => {
                let fresh = ActivityForm {
                    kind: form.kind.clone(),
                    activity_date: form.activity_date.clone(),
                    ..Default::default()
                };
                activities_render(
                    &app,
                    &s,
                    ActQuery::default(),
                    fresh,
                    None,
                    Some(v),
                    StatusCode::OK,
                )
                .await
            }
            Err(e) => {
                activities_render(
                    &app,
                    &s,
                    ActQuery::default(),
                    form,
                    Some(e.to_string()),
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        },
    )
}

// ---------------------------------------------------------------- the monthly quota of 全民招商

fn quota_routes() -> Router<App> {
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
