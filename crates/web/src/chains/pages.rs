//! 产业链招商 pages: the chains, a chain's links classed 强 / 弱 / 缺 with their strength,
//! pipeline and conversion figures (and the editor), target lists with assignment and
//! one-step conversion to a lead, and the 招商地图.

use crate::pages::*;
use fenglai_app::chains::{
    self, AssignInput, ChainInput, ChainSettings, ChainView, ClassRulesDto, KeyRegionDto,
    LinkInput, LinkView, ListView, MapData, MapQuery, RankQuery,
};
use fenglai_store::chains::Chain;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/chains", get(chain_list).post(chain_create))
        .route("/chain-settings", post(settings_save))
        .route("/chains/{id}", get(chain_show).post(chain_edit))
        .route("/chains/{id}/links", post(link_add))
        .route("/chains/{id}/map", get(chain_map))
        .route("/chain-links/{id}", post(link_edit))
        .route("/chain-links/{id}/targets", post(targets_generate))
        .route("/target-lists/{id}", get(list_show))
        .route("/target-lists/{id}/assign", post(list_assign))
        .route("/targets/{id}/lead", post(target_convert))
}

/// A form whose fields may repeat (check boxes).
type Fields = Vec<(String, String)>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn all<'a>(f: &'a Fields, name: &str) -> Vec<&'a str> {
    f.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// An optional id from a form: empty is none; anything else must be a number.
fn opt_id(f: &Fields, name: &str, what: &str) -> Result<Option<i64>, Error> {
    match field(f, name).trim() {
        "" => Ok(None),
        s => s
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid(name, format!("{what}“{s}”不对"))),
    }
}

#[derive(Template)]
#[template(path = "chains.html")]
struct ChainsPage {
    f: Frame,
    chains: Vec<Chain>,
    templates: Vec<String>,
    leaders: Vec<User>,
    may_create: bool,
    settings: ChainSettings,
    may_set: bool,
    error: Option<String>,
}

impl ChainsPage {
    /// The strong threshold's output in words ("10亿元").
    fn strong_output_yi(&self) -> String {
        Yuan(self.settings.class_rules.strong_min_output_yuan).to_string()
    }

    /// The strong threshold's output in 亿元, exactly, as the form shows it ("10").
    fn strong_output_yi_typed(&self) -> String {
        Yuan(self.settings.class_rules.strong_min_output_yuan).in_unit(money::YI)
    }

    /// The key regions one a line: 名称：11,12,13
    fn regions_text(&self) -> String {
        self.settings
            .key_regions
            .iter()
            .map(|k| format!("{}：{}", k.name, k.prefixes.join(",")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

async fn chains_page(
    app: &App,
    s: &WebSession,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let chains = chains::list(app, &s.actor).await?;
    let (_, leaders) = org::responsible_choices(app).await?;
    let settings = chains::settings(app).await?;
    Ok(render(
        status,
        &ChainsPage {
            f: Frame::new(s, "chains"),
            chains,
            templates: chains::templates().into_iter().map(|t| t.name).collect(),
            leaders,
            may_create: matches!(s.actor.role, Role::Admin | Role::Leader | Role::Promoter),
            settings,
            may_set: matches!(s.actor.role, Role::Admin | Role::Leader),
            error,
        },
    ))
}

async fn chain_list(State(app): State<App>, s: WebSession) -> PageResult {
    chains_page(&app, &s, StatusCode::OK, None).await
}

fn chain_input(f: &Fields) -> Result<ChainInput, Error> {
    let text = |n: &str| Some(field(f, n).to_string()).filter(|v| !v.trim().is_empty());
    Ok(ChainInput {
        name: field(f, "name").to_string(),
        description: text("description"),
        chief_user_id: opt_id(f, "chief_user_id", "链长")?,
        office_unit_id: opt_id(f, "office_unit_id", "链办单位")?,
        template: text("template"),
    })
}

async fn chain_create(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(f): CsrfForm<Fields>,
) -> PageResult {
    let made = match chain_input(&f) {
        Ok(input) => chains::create(&app, &s.actor, &input).await,
        Err(e) => Err(e),
    };
    let to = made.map(|v| format!("/chains/{}", v.chain.id));
    after_list(&app, &s, to).await
}

/// After a form on the chain list: on, or the list again with the error.
async fn after_list(app: &App, s: &WebSession, r: Result<String, Error>) -> PageResult {
    match r.shown_if(invalid)? {
        Ok(path) => to(&path),
        Err(e) => {
            chains_page(
                app,
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.to_string()),
            )
            .await
        }
    }
}

/// The rules of 强 / 弱 / 缺, the key regions (one a line, 名称：11,12,13) and the city's prefix.
fn settings_input(f: &Fields) -> Result<ChainSettings, Error> {
    let count = |name: &str, what: &str| -> Result<i64, Error> {
        let v = field(f, name).trim();
        v.parse::<i64>()
            .map_err(|_| Error::invalid(name, format!("{what}“{v}”应为整数")))
    };
    let output = form_amount(
        field(f, "strong_min_output_yi"),
        "class_rules",
        "“强”的最低年产值",
        money::YI,
        Currency::Yuan,
    )?
    .ok_or_else(|| Error::invalid("class_rules", "请填写“强”的最低年产值（亿元）"))?;
    let mut key_regions = Vec::new();
    for line in field(f, "key_regions")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let (name, codes) = line.split_once(['：', ':']).ok_or_else(|| {
            Error::invalid(
                "key_regions",
                format!("重点区域“{line}”应写作 名称：省级代码,…（如 长三角：31,32,33,34）"),
            )
        })?;
        key_regions.push(KeyRegionDto {
            name: name.trim().to_string(),
            prefixes: codes
                .split([',', '，', '、', ' '])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    Ok(ChainSettings {
        class_rules: ClassRulesDto {
            strong_min_enterprises: count("strong_min_enterprises", "“强”的最少企业数")?,
            strong_min_output_yuan: output,
            weak_min_enterprises: count("weak_min_enterprises", "“弱”的最少企业数")?,
        },
        key_regions,
        home_region: Some(field(f, "home_region").to_string()),
    })
}

async fn settings_save(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(f): CsrfForm<Fields>,
) -> PageResult {
    let r = match settings_input(&f) {
        Ok(input) => chains::set_settings(&app, &s.actor, &input).await,
        Err(e) => Err(e),
    };
    after_list(&app, &s, r.map(|_| "/chains".to_string())).await
}

/// Links of one tier, for the chain page's columns.
struct TierColumn<'a> {
    label: &'static str,
    links: Vec<&'a LinkView>,
}

#[derive(Template)]
#[template(path = "chain.html")]
struct ChainPage {
    f: Frame,
    v: ChainView,
    region_names: Vec<String>,
    leaders: Vec<User>,
    units: Vec<Unit>,
    error: Option<String>,
}

impl ChainPage {
    fn is_office(&self, u: &Unit) -> bool {
        self.v.chain.office_unit_id == u.id
    }

    fn columns(&self) -> Vec<TierColumn<'_>> {
        fenglai_chains::Tier::ALL
            .iter()
            .map(|t| TierColumn {
                label: t.label(),
                links: self
                    .v
                    .links
                    .iter()
                    .filter(|l| l.link.tier == t.as_str())
                    .collect(),
            })
            .collect()
    }

    fn link_name(&self, id: &i64) -> String {
        self.v
            .links
            .iter()
            .find(|l| l.link.id == *id)
            .map(|l| l.link.name.clone())
            .unwrap_or_default()
    }

    fn supplies(&self, l: &LinkView, other: &i64) -> bool {
        l.next.contains(other)
    }

    fn flag_names(&self) -> Vec<&'static str> {
        fenglai_chains::target::FLAGS
            .iter()
            .map(|(_, l, _)| *l)
            .collect()
    }

    fn is_chief(&self, u: &User) -> bool {
        self.v.chain.chief_user_id == Some(u.id)
    }

    fn tier_is(&self, code: &str, l: &LinkView) -> bool {
        l.link.tier == code
    }

    fn tiers(&self) -> Vec<(&'static str, &'static str)> {
        fenglai_chains::Tier::ALL
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect()
    }
}

async fn chain_page(
    app: &App,
    s: &WebSession,
    id: i64,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let v = chains::get(app, &s.actor, id).await?;
    let settings = chains::settings(app).await?;
    let (_, leaders) = org::responsible_choices(app).await?;
    let units = org::units(app).await?;
    let units = units.into_iter().filter(|u| u.active).collect();
    Ok(render(
        status,
        &ChainPage {
            f: Frame::new(s, "chains"),
            v,
            region_names: settings.key_regions.into_iter().map(|k| k.name).collect(),
            leaders,
            units,
            error,
        },
    ))
}

async fn chain_show(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    chain_page(&app, &s, id, StatusCode::OK, None).await
}

/// After a form on the chain page: back to it, or the page again with the error.
async fn after(app: &App, s: &WebSession, chain_id: i64, r: Result<String, Error>) -> PageResult {
    match r.shown_if(invalid)? {
        Ok(path) => to(&path),
        Err(e) => {
            chain_page(
                app,
                s,
                chain_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.to_string()),
            )
            .await
        }
    }
}

async fn chain_edit(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> PageResult {
    let r = match chain_input(&f) {
        Ok(input) => chains::update(&app, &s.actor, id, &input)
            .await
            .map(|_| format!("/chains/{id}")),
        Err(e) => Err(e),
    };
    after(&app, &s, id, r).await
}

fn link_input(f: &Fields) -> Result<LinkInput, Error> {
    let next = all(f, "next")
        .into_iter()
        .map(|n| {
            n.parse::<i64>()
                .map_err(|_| Error::invalid("next", format!("下游环节“{n}”不对")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LinkInput {
        name: field(f, "name").to_string(),
        tier: field(f, "tier").to_string(),
        codes: field(f, "codes").to_string(),
        keywords: Some(field(f, "keywords").to_string()),
        next: Some(next),
    })
}

async fn link_add(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> PageResult {
    let r = match link_input(&f) {
        Ok(input) => chains::add_link(&app, &s.actor, id, &input)
            .await
            .map(|l| format!("/chains/{id}#link-{}", l.id)),
        Err(e) => Err(e),
    };
    after(&app, &s, id, r).await
}

async fn link_edit(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> PageResult {
    let chain_id = chains::chain_of_link(&app, &s.actor, id).await?;
    let r = match link_input(&f) {
        Ok(input) => chains::edit_link(&app, &s.actor, id, &input)
            .await
            .map(|l| format!("/chains/{}#link-{}", l.chain_id, l.id)),
        Err(e) => Err(e),
    };
    after(&app, &s, chain_id, r).await
}

async fn targets_generate(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> PageResult {
    let chain_id = chains::chain_of_link(&app, &s.actor, id).await?;
    let q = RankQuery {
        regions: Some(all(&f, "region").join(",")),
        flags: Some(all(&f, "flag").join("|")),
        limit: Some(field(&f, "limit").to_string()),
        name: Some(field(&f, "list_name").to_string()),
    };
    let r = chains::generate(&app, &s.actor, id, &q)
        .await
        .map(|l| format!("/target-lists/{}", l.list.id));
    after(&app, &s, chain_id, r).await
}

#[derive(Template)]
#[template(path = "target_list.html")]
struct ListPage {
    f: Frame,
    v: ListView,
    promoters: Vec<User>,
    units: Vec<Unit>,
    may_work: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ListQueryParams {
    converted: Option<i64>,
    assigned: Option<i64>,
}

async fn list_page(
    app: &App,
    s: &WebSession,
    id: i64,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let v = chains::target_list(app, &s.actor, id).await?;
    let may_work = chains::get(app, &s.actor, v.chain.id).await?.may_work;
    let (people, _) = org::responsible_choices(app).await?;
    let units = org::units(app).await?;
    Ok(render(
        status,
        &ListPage {
            f: Frame::new(s, "chains"),
            v,
            promoters: people
                .into_iter()
                .filter(|u| u.role == Role::Promoter)
                .collect(),
            units: units
                .into_iter()
                .filter(|u| u.active && matches!(u.kind, UnitKind::Office | UnitKind::Department))
                .collect(),
            may_work,
            notice,
            error,
        },
    ))
}

async fn list_show(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Query(q): Query<ListQueryParams>,
) -> PageResult {
    let notice = match (q.converted, q.assigned) {
        (Some(lead), _) => Some(format!("已转为线索 #{lead}")),
        (_, Some(n)) => Some(format!("已指派 {n} 个目标")),
        _ => None,
    };
    list_page(&app, &s, id, StatusCode::OK, notice, None).await
}

async fn list_assign(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> PageResult {
    // the list first: out of reach is 404 whatever the form says
    let list = chains::target_list(&app, &s.actor, id).await?;
    let run = async {
        let input = AssignInput {
            user_id: opt_id(&f, "user_id", "招商人")?,
            unit_id: opt_id(&f, "unit_id", "单位")?,
        };
        let chosen = all(&f, "target");
        if chosen.is_empty() {
            return Err(Error::invalid("target", "请勾选要指派的目标"));
        }
        for t in &chosen {
            let tid: i64 = t
                .parse()
                .ok()
                .filter(|t| list.targets.iter().any(|x| x.target.id == *t))
                .ok_or_else(|| Error::invalid("target", format!("目标“{t}”不在本名单中")))?;
            chains::assign(&app, &s.actor, tid, &input).await?;
        }
        Ok(chosen.len())
    };
    match run.await.shown_if(invalid)? {
        Ok(n) => to(&format!("/target-lists/{id}?assigned={n}")),
        Err(e) => {
            list_page(
                &app,
                &s,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(e.to_string()),
            )
            .await
        }
    }
}

async fn target_convert(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    _: CsrfForm<NoFields>,
) -> PageResult {
    let list_id = chains::list_of_target(&app, &s.actor, id).await?;
    let lead = chains::convert(&app, &s.actor, id).await?;
    to(&format!("/target-lists/{list_id}?converted={}", lead.id))
}

/// One province on the map.
struct MapShape {
    code: String,
    name: String,
    d: &'static str,
    x: i64,
    y: i64,
    count: i64,
    fill: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "chain_map.html")]
struct MapPage {
    f: Frame,
    m: MapData,
    links: Vec<(i64, String)>,
    shapes: Vec<MapShape>,
    abroad: Vec<(String, i64)>,
    width: i64,
    height: i64,
    error: Option<String>,
}

impl MapPage {
    /// The link of this page's query, for building links.
    fn link_param(&self) -> String {
        self.m
            .link_id
            .map(|l| format!("link={l}&"))
            .unwrap_or_default()
    }

    fn link_on(&self, id: &i64) -> bool {
        self.m.link_id == Some(*id)
    }

    fn province_name(&self) -> String {
        let p = self.m.province.clone().unwrap_or_default();
        self.shapes
            .iter()
            .find(|s| s.code == p)
            .map(|s| s.name.clone())
            .unwrap_or(p)
    }
}

async fn chain_map(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Query(q): Query<MapQuery>,
) -> PageResult {
    let (m, error, status) = match chains::map(&app, &s.actor, id, &q)
        .await
        .shown_if(invalid)?
    {
        Ok(m) => (m, None, StatusCode::OK),
        Err(e) => {
            let m = chains::map(&app, &s.actor, id, &MapQuery::default()).await?;
            (m, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let links = chains::get(&app, &s.actor, id)
        .await?
        .links
        .into_iter()
        .map(|l| (l.link.id, l.link.name))
        .collect();
    let max = m.provinces.iter().map(|p| p.count).max().unwrap_or(0);
    let count = |code: &str| {
        m.provinces
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.count)
            .unwrap_or(0)
    };
    let shapes: Vec<MapShape> = charts::china_map()
        .iter()
        .map(|p| MapShape {
            count: count(&p.code),
            fill: charts::shade(count(&p.code), max),
            on: m.province.as_deref() == Some(p.code.as_str()),
            code: p.code.clone(),
            name: p.name.clone(),
            d: p.d.as_str(),
            x: p.label_x,
            y: p.label_y,
        })
        .collect();
    let abroad = m
        .provinces
        .iter()
        .filter(|p| !shapes.iter().any(|s| s.code == p.code))
        .map(|p| (p.code.clone(), p.count))
        .collect();
    Ok(render(
        status,
        &MapPage {
            f: Frame::new(&s, "chains"),
            m,
            links,
            shapes,
            abroad,
            width: charts::CHINA_WIDTH,
            height: charts::CHINA_HEIGHT,
            error,
        },
    ))
}
