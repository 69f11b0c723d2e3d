//! Lead pages: the list, the report form (全民招商), a lead's page, and admitting a lead.

use crate::pages::*;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/leads", get(lead_list).post(lead_create))
        .route("/leads/new", get(lead_new))
        .route("/leads/{id}", get(lead_show))
        .route("/leads/{id}/admit", post(lead_admit))
}

// ---- leads ----

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadList {
    f: Frame,
    q: ListQuery,
    items: Vec<Lead>,
    total: i64,
    total_capped: bool,
    page: i64,
    pages: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
    statuses: Vec<Opt>,
    units: Vec<Unit>,
    error: Option<String>,
}

fn page_url(q: &ListQuery, page: i64) -> String {
    let filters = [
        ("q", &q.q),
        ("status", &q.status),
        ("industry", &q.industry),
        ("unit_id", &q.unit_id),
        ("from", &q.from),
        ("to", &q.to),
        ("sort", &q.sort),
        ("per_page", &q.per_page),
    ];
    paged_url("/leads", &filters, page)
}

async fn lead_list(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let units = org::units(&app).await?;
    let statuses = opts(
        LeadStatus::ALL.iter().map(|s| (s.as_str(), s.label())),
        q.status.as_deref(),
    );
    let (items, total, capped, error) =
        match leads::list(&app, &s.actor, &q).await.shown_if(invalid)? {
            Ok(l) => (l.items, l.total, l.total_capped, None),
            Err(e) => (Vec::new(), 0, false, Some(e.to_string())),
        };
    let (page, per_page) = leads::page_params(&q.page, &q.per_page).unwrap_or((1, 50));
    let pages = ((total + per_page - 1) / per_page).max(1);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &LeadList {
            f: Frame::new(&s, "leads"),
            prev_url: (page > 1).then(|| page_url(&q, page - 1)),
            next_url: (page < pages).then(|| page_url(&q, page + 1)),
            q,
            items,
            total,
            total_capped: capped,
            page,
            pages,
            statuses,
            units,
            error,
        },
    ))
}

#[derive(Template)]
#[template(path = "lead_form.html")]
struct LeadForm {
    f: Frame,
    v: LeadFormData,
    errors: HashMap<String, String>,
    channels: Vec<Opt>,
    envs: Vec<Opt>,
    /// existing leads this report looks like: shown before saving
    dups: Vec<fenglai_app::merges::Lookalike>,
}

impl LeadForm {
    fn err(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
struct LeadFormData {
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    industry_code: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    planned_investment_wan: String,
    #[serde(default)]
    land_mu: String,
    #[serde(default)]
    expected_jobs: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    reported_date: String,
    #[serde(default)]
    env_category: String,
    /// 世界500强, 中国500强, 央企, 上市公司
    #[serde(default)]
    investor_tags: String,
    /// "1" once the reporter has seen the duplicate warning and reports anyway
    #[serde(default)]
    confirm_duplicate: String,
    #[serde(default)]
    expected_tax_wan: String,
    #[serde(default)]
    expected_output_wan: String,
    #[serde(default)]
    energy_tce: String,
    #[serde(default)]
    power_kva: String,
}

impl LeadFormData {
    /// Converts the form's units (万元) into the service input, naming bad fields.
    fn to_input(&self) -> Result<LeadInput, Error> {
        let planned = form_wan(
            &self.planned_investment_wan,
            "planned_investment_wan",
            "计划投资",
        )?;
        let land = match nonempty(&self.land_mu) {
            Some(v) => Some(v.parse::<f64>().map_err(|_| {
                Error::invalid("land_mu", format!("用地“{v}”不是数字（单位：亩）"))
            })?),
            None => None,
        };
        let jobs =
            match nonempty(&self.expected_jobs) {
                Some(v) => Some(v.parse::<i64>().map_err(|_| {
                    Error::invalid("expected_jobs", format!("就业人数“{v}”不是整数"))
                })?),
                None => None,
            };
        let energy =
            match nonempty(&self.energy_tce) {
                Some(v) => Some(v.parse::<f64>().ok().filter(|e| e.is_finite()).ok_or_else(
                    || {
                        Error::invalid(
                            "energy_tce",
                            format!("年综合能耗“{v}”不是数字（单位：吨标煤）"),
                        )
                    },
                )?),
                None => None,
            };
        let power = match nonempty(&self.power_kva) {
            Some(v) => Some(v.parse::<i64>().map_err(|_| {
                Error::invalid("power_kva", format!("用电需求“{v}”不是整数（单位：kVA）"))
            })?),
            None => None,
        };
        Ok(LeadInput {
            company_name: self.company_name.clone(),
            uscc: nonempty(&self.uscc),
            industry_code: nonempty(&self.industry_code),
            region_code: nonempty(&self.region_code),
            contact_name: nonempty(&self.contact_name),
            contact_phone: nonempty(&self.contact_phone),
            description: nonempty(&self.description),
            planned_investment_yuan: planned,
            land_mu: land,
            expected_jobs: jobs,
            channel: nonempty(&self.channel),
            reported_date: nonempty(&self.reported_date),
            env_category: nonempty(&self.env_category),
            expected_tax_yuan: form_wan(&self.expected_tax_wan, "expected_tax_wan", "预计年税收")?,
            expected_output_yuan: form_wan(
                &self.expected_output_wan,
                "expected_output_wan",
                "预计年产值",
            )?,
            energy_tce: energy,
            power_kva: power,
            investor_tags: nonempty(&self.investor_tags),
        })
    }
}

/// The 环评类别 options.
pub(crate) fn env_opts(current: &str) -> Vec<Opt> {
    opts(
        fenglai_domain::redline::ENV_CATEGORIES
            .iter()
            .map(|c| (*c, *c)),
        Some(current),
    )
}

fn channels(current: &str) -> Vec<Opt> {
    opts(
        Channel::ALL.iter().map(|c| (c.as_str(), c.label())),
        Some(current),
    )
}

async fn lead_new(s: WebSession) -> PageResult {
    if !s.actor.role.may_report_leads() {
        return Err(Error::Forbidden("当前角色无权报送线索".into()).into());
    }
    Ok(render(
        StatusCode::OK,
        &LeadForm {
            f: Frame::new(&s, "new"),
            v: LeadFormData::default(),
            errors: HashMap::new(),
            channels: channels(""),
            envs: env_opts(""),
            dups: Vec::new(),
        },
    ))
}

async fn lead_create(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(v): CsrfForm<LeadFormData>,
) -> PageResult {
    let input = v.to_input();
    if let (Ok(input), true) = (&input, v.confirm_duplicate.is_empty()) {
        let dups = fenglai_app::merges::lookalikes(
            &app,
            &s.actor,
            &input.company_name,
            input.uscc.as_deref(),
        )
        .await?;
        if !dups.is_empty() {
            return Ok(render(
                StatusCode::OK,
                &LeadForm {
                    f: Frame::new(&s, "new"),
                    channels: channels(&v.channel),
                    envs: env_opts(&v.env_category),
                    v,
                    errors: HashMap::new(),
                    dups,
                },
            ));
        }
    }
    let created = match input {
        Ok(input) => leads::create(&app, &s.actor, &input).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(lead) => to(&format!("/leads/{}", lead.id)),
        Err(Error::Invalid { field, message }) => {
            let field = match field.as_str() {
                "planned_investment_yuan" => "planned_investment_wan".to_string(),
                "expected_tax_yuan" => "expected_tax_wan".to_string(),
                "expected_output_yuan" => "expected_output_wan".to_string(),
                other => other.to_string(),
            };
            let errors = HashMap::from([(field, message)]);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &LeadForm {
                    f: Frame::new(&s, "new"),
                    channels: channels(&v.channel),
                    envs: env_opts(&v.env_category),
                    v,
                    errors,
                    dups: Vec::new(),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    f: Frame,
    lead: Lead,
    may_admit: bool,
    parks: Vec<Choice>,
    today: String,
    /// the park that accepted the lead, proposed in the admit form
    accepted_park: Option<i64>,
    /// 首报 and co-reporters with their shares; merges the lead took part in
    credits: Vec<fenglai_app::merges::Credit>,
    merges: Vec<fenglai_store::merges::Merge>,
    may_merge: bool,
    events: Vec<fenglai_store::audit::HistoryLine>,
    error: Option<String>,
    envs: Vec<Opt>,
    flags: Vec<FlagRow>,
    blocking: usize,
    overrides: Vec<Override>,
    is_leader: bool,
    reviews: Vec<Review>,
    may_open_review: bool,
    panels: Vec<IdOpt>,
    ranking: Vec<Fit>,
    may_route: bool,
    route_parks: Vec<IdOpt>,
    routings: Vec<Routing>,
    /// visits and events that followed this lead or produced it
    activities: Vec<fenglai_store::assess::Activity>,
}

impl LeadPage {
    fn accepted(&self, park: &i64) -> bool {
        self.accepted_park == Some(*park)
    }
}

/// A red-line flag and whether it still blocks admission.
pub struct FlagRow {
    pub message: String,
    pub blocking: bool,
}

pub(crate) fn flag_rows(r: &Report) -> Vec<FlagRow> {
    r.flags
        .iter()
        .map(|f| FlagRow {
            message: f.message.clone(),
            blocking: r.blocking.contains(f),
        })
        .collect()
}

pub(crate) async fn lead_page(
    app: &App,
    s: &WebSession,
    id: i64,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let lead = leads::get(app, &s.actor, id).await?;
    let parks = projects::parks(app).await?;
    let report = redlines::report(app, &s.actor, id, None).await?;
    let reviews = review::of_lead(app, &s.actor, id).await?;
    let routings = routing::of_lead(app, &s.actor, id).await?;
    // a lead imported from a project ledger is recorded in its project's import event
    let records: Vec<(&str, i64)> = std::iter::once(("lead", id))
        .chain(lead.project_id.map(|p| ("project", p)))
        .chain(reviews.iter().map(|r| ("review", r.id)))
        .chain(routings.iter().map(|r| ("routing", r.id)))
        .collect();
    let events = fenglai_app::audit::history(app, &records).await?;
    let credits = fenglai_app::merges::credits(app, &s.actor, id).await?;
    let merges = fenglai_app::merges::of_lead(app, &s.actor, id).await?;
    let activities = fenglai_app::assess::activities::list(
        app,
        &s.actor,
        &fenglai_app::assess::activities::ListQuery {
            lead_id: Some(id),
            ..Default::default()
        },
    )
    .await?
    .items;
    // the ranking is for those who reach the lead in their own scope
    let ranking = match routing::ranking(app, &s.actor, id).await {
        Ok(r) => r,
        Err(Error::NotFound) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let sender = matches!(s.actor.role, Role::Admin | Role::Promoter);
    let open_status = matches!(lead.status.as_str(), "pending_review" | "in_review");
    let admissible = open_status;
    let routed = routings
        .iter()
        .any(|r| r.status == "pending" || r.status == "accepted");
    let declined = |park: i64| {
        routings
            .iter()
            .any(|r| r.status == "declined" && r.park_id == park)
    };
    let best = ranking
        .iter()
        .find(|f| f.fits && !declined(f.park_id))
        .map(|f| f.park_id);
    let route_parks = id_opts(
        ranking.iter().filter(|f| !declined(f.park_id)).map(|f| {
            (
                f.park_id,
                format!(
                    "{}（{}分，{}）",
                    f.park,
                    f.score,
                    if f.fits { "符合" } else { "不符合" }
                ),
            )
        }),
        best,
    );
    let panels = review::panels(app)
        .await?
        .into_iter()
        .map(|p| (p.panel.id, p.panel.name))
        .collect::<Vec<_>>();
    let first_panel = panels.first().map(|p| p.0);
    Ok(render(
        status,
        &LeadPage {
            f: Frame::new(s, "leads"),
            may_admit: admissible && sender,
            may_open_review: sender
                && lead.status == LeadStatus::PendingReview
                && !ranking.is_empty(),
            may_route: sender
                && !routed
                && !ranking.is_empty()
                && !matches!(lead.status.as_str(), "rejected" | "merged"),
            panels: id_opts(panels.into_iter(), first_panel),
            is_leader: s.actor.role == Role::Leader,
            flags: flag_rows(&report),
            blocking: report.blocking.len(),
            overrides: report.overrides,
            envs: env_opts(""),
            lead,
            parks,
            today: fenglai_app::today().to_string(),
            accepted_park: routings
                .iter()
                .find(|r| r.status == "accepted")
                .map(|r| r.park_id),
            credits,
            merges,
            may_merge: sender,
            events,
            error,
            reviews,
            ranking,
            route_parks,
            routings,
            activities,
        },
    ))
}

async fn lead_show(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    lead_page(&app, &s, id, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct AdmitForm {
    #[serde(default)]
    park_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    env_category: String,
}

async fn lead_admit(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<AdmitForm>,
) -> PageResult {
    let park_id = match nonempty(&f.park_id).map(|p| p.parse::<i64>()) {
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            return lead_page(
                &app,
                &s,
                id,
                Some("承接园区无效".into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        None => None,
    };
    let input = AdmitInput {
        park_id,
        date: nonempty(&f.date),
        env_category: nonempty(&f.env_category),
        ..Default::default()
    };
    match leads::admit(&app, &s.actor, id, &input)
        .await
        .shown_if(explainable)?
    {
        Ok(p) => to(&format!("/projects/{}", p.id)),
        Err(e) => lead_page(&app, &s, id, Some(e.to_string()), status_of(&e)).await,
    }
}

impl LeadList {
    /// The list's filters, for its 导出Excel link.
    pub(crate) fn export_query(&self) -> String {
        let q = &self.q;
        query_of(&[
            ("q", q.q.as_deref()),
            ("status", q.status.as_deref()),
            ("industry", q.industry.as_deref()),
            ("unit_id", q.unit_id.as_deref()),
            ("from", q.from.as_deref()),
            ("to", q.to.as_deref()),
            ("sort", q.sort.as_deref()),
        ])
    }
}
