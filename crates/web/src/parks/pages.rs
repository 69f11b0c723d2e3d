//! Park pages: the list of parks with the freshness of their profiles, one park's profile
//! and plots (kept by the park itself), and the public, printable 招商指南 of the city and
//! of each park.

use crate::charts::{park_map, ParkMap};
use crate::pages::*;
use fenglai_app::parks::{self, Park, PlotInput, ProfileInput};
use fenglai_domain::redline::ENV_CATEGORIES;
use fenglai_domain::routing::{LAND_USES, PLOT_STATUSES};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/parks", get(park_list))
        .route("/parks/{id}", get(park_show).post(park_save))
        .route("/parks/{id}/plots", post(plot_add))
        .route("/plots/{id}", post(plot_edit))
        .route("/guide", get(guide_city))
        .route("/guide/{id}", get(guide_park))
}

fn map_of(parks: &[Park], current: Option<i64>) -> Option<ParkMap> {
    let pts: Vec<_> = parks
        .iter()
        .map(|p| {
            (
                p.profile.park_id,
                p.profile.park_name.clone(),
                p.profile.lng,
                p.profile.lat,
            )
        })
        .collect();
    park_map(&pts, current, 640)
}

/// "更新于 12 天前" / "从未填写".
fn age_text(p: &Park) -> String {
    match p.age_days {
        None => "从未填写".into(),
        Some(0) => "今天更新".into(),
        Some(d) => format!("{d} 天前更新"),
    }
}

// ---- list ----

#[derive(Template)]
#[template(path = "parks.html")]
struct ParkList {
    f: Frame,
    parks: Vec<Park>,
    stale: usize,
    stale_days: i64,
}

impl ParkList {
    fn age(&self, p: &Park) -> String {
        age_text(p)
    }
}

async fn park_list(State(app): State<App>, s: WebSession) -> PageResult {
    let parks = parks::all(&app).await?;
    Ok(render(
        StatusCode::OK,
        &ParkList {
            f: Frame::new(&s, "parks"),
            stale: parks.iter().filter(|p| p.stale).count(),
            parks,
            stale_days: parks::STALE_DAYS,
        },
    ))
}

// ---- one park ----

/// The profile form's fields as typed; amounts in 万元.
#[derive(Deserialize, Default)]
struct ProfileForm {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    industries: String,
    #[serde(default)]
    chains: String,
    #[serde(default)]
    factory_m2: String,
    #[serde(default)]
    factory_floors: String,
    #[serde(default)]
    factory_load_kg_m2: String,
    #[serde(default)]
    power_kva: String,
    #[serde(default)]
    water_t_per_day: String,
    #[serde(default)]
    gas: String,
    #[serde(default)]
    steam: String,
    #[serde(default)]
    min_intensity_wan: String,
    #[serde(default)]
    min_tax_wan: String,
    #[serde(default)]
    max_energy_tce_per_10k: String,
    #[serde(default)]
    env_0: String,
    #[serde(default)]
    env_1: String,
    #[serde(default)]
    env_2: String,
    #[serde(default)]
    policies: String,
    #[serde(default)]
    contacts: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    lng: String,
    #[serde(default)]
    lat: String,
}

/// Splits "3973、3976，3982 3841" or "集成电路、新能源电池" into items.
fn items(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || ",，、;；/".contains(c))
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn int(s: &str, field: &str, label: &str) -> Result<Option<i64>, Error> {
    match nonempty(s) {
        None => Ok(None),
        Some(v) => v
            .replace([',', '，'], "")
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::invalid(field, format!("{label}“{v}”不是整数"))),
    }
}

fn real(s: &str, field: &str, label: &str) -> Result<Option<f64>, Error> {
    match nonempty(s) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| Error::invalid(field, format!("{label}“{v}”不是数字"))),
    }
}

impl ProfileForm {
    fn from_park(p: &Park) -> Self {
        let pr = &p.profile;
        let wan = |v: Option<i64>| v.map(|y| Yuan(y).in_unit(WAN)).unwrap_or_default();
        let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let envs = redlines::split_list(&pr.env_categories);
        let env = |i: usize| {
            let c = ENV_CATEGORIES[i];
            if envs.iter().any(|e| e == c) {
                c.to_string()
            } else {
                String::new()
            }
        };
        ProfileForm {
            summary: pr.summary.clone().unwrap_or_default(),
            industries: p
                .industries
                .iter()
                .map(|i| i.industry_code.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            chains: pr.chains.clone(),
            factory_m2: num(pr.factory_m2),
            factory_floors: num(pr.factory_floors),
            factory_load_kg_m2: num(pr.factory_load_kg_m2),
            power_kva: num(pr.power_kva),
            water_t_per_day: num(pr.water_t_per_day),
            gas: pr.gas.clone().unwrap_or_default(),
            steam: pr.steam.clone().unwrap_or_default(),
            min_intensity_wan: wan(pr.min_intensity_yuan_per_mu),
            min_tax_wan: wan(pr.min_tax_yuan_per_mu),
            max_energy_tce_per_10k: pr
                .max_energy_tce_per_10k
                .map(|v| v.to_string())
                .unwrap_or_default(),
            env_0: env(0),
            env_1: env(1),
            env_2: env(2),
            policies: pr.policies.clone().unwrap_or_default(),
            contacts: pr.contacts.clone().unwrap_or_default(),
            address: pr.address.clone().unwrap_or_default(),
            lng: pr.lng.map(|v| v.to_string()).unwrap_or_default(),
            lat: pr.lat.map(|v| v.to_string()).unwrap_or_default(),
        }
    }

    fn input(&self) -> Result<ProfileInput, Error> {
        Ok(ProfileInput {
            summary: nonempty(&self.summary),
            industries: items(&self.industries),
            chains: items(&self.chains),
            factory_m2: int(&self.factory_m2, "factory_m2", "标准厂房面积")?,
            factory_floors: int(&self.factory_floors, "factory_floors", "厂房层数")?,
            factory_load_kg_m2: int(&self.factory_load_kg_m2, "factory_load_kg_m2", "楼面荷载")?,
            power_kva: int(&self.power_kva, "power_kva", "供电容量")?,
            water_t_per_day: int(&self.water_t_per_day, "water_t_per_day", "供水能力")?,
            gas: nonempty(&self.gas),
            steam: nonempty(&self.steam),
            min_intensity_yuan_per_mu: form_wan(
                &self.min_intensity_wan,
                "min_intensity_wan",
                "投资强度",
            )?,
            min_tax_yuan_per_mu: form_wan(&self.min_tax_wan, "min_tax_wan", "亩均税收")?,
            max_energy_tce_per_10k: real(
                &self.max_energy_tce_per_10k,
                "max_energy_tce_per_10k",
                "单位产值能耗上限",
            )?,
            env_categories: [&self.env_0, &self.env_1, &self.env_2]
                .into_iter()
                .filter_map(|e| nonempty(e))
                .collect(),
            policies: nonempty(&self.policies),
            contacts: nonempty(&self.contacts),
            address: nonempty(&self.address),
            lng: real(&self.lng, "lng", "经度")?,
            lat: real(&self.lat, "lat", "纬度")?,
        })
    }
}

/// The amount fields the service names in yuan, as the form names them in 万元.
fn form_field(field: &str) -> String {
    match field {
        "min_intensity_yuan_per_mu" => "min_intensity_wan",
        "min_tax_yuan_per_mu" => "min_tax_wan",
        "price_yuan_per_mu" => "price_wan",
        other => other,
    }
    .to_string()
}

#[derive(Template)]
#[template(path = "park.html")]
struct ParkPage {
    f: Frame,
    park: Park,
    age: String,
    may_edit: bool,
    v: ProfileForm,
    env_labels: &'static [&'static str],
    land_uses: Vec<Opt>,
    statuses: Vec<Opt>,
    /// the field a refused save names, and why
    error_field: String,
    error: Option<String>,
    saved: bool,
}

impl ParkPage {
    fn err(&self, field: &str) -> &str {
        if self.error_field == field {
            self.error.as_deref().unwrap_or("")
        } else {
            ""
        }
    }

    fn env_on(&self, i: &usize) -> bool {
        let v = match i {
            0 => &self.v.env_0,
            1 => &self.v.env_1,
            _ => &self.v.env_2,
        };
        !v.is_empty()
    }

    fn status_opts(&self, current: &str) -> Vec<Opt> {
        opts(PLOT_STATUSES.iter().copied(), Some(current))
    }

    /// An amount in 万元 as a form shows it, exactly; empty when none.
    fn wan(&self, v: &Option<i64>) -> String {
        v.map(|y| Yuan(y).in_unit(WAN)).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn park_page(
    app: &App,
    s: &WebSession,
    id: i64,
    form: Option<ProfileForm>,
    error: Option<Error>,
    saved: bool,
) -> PageResult {
    let park = parks::get(app, id).await?;
    let may_edit = parks::may_edit_park(app, &s.actor, id).await?;
    let status = error.as_ref().map(status_of).unwrap_or(StatusCode::OK);
    let (error_field, error) = match error {
        Some(Error::Invalid { field, message }) => (form_field(&field), Some(message)),
        Some(e) => (String::new(), Some(e.to_string())),
        None => (String::new(), None),
    };
    Ok(render(
        status,
        &ParkPage {
            f: Frame::new(s, "parks"),
            age: age_text(&park),
            v: form.unwrap_or_else(|| ProfileForm::from_park(&park)),
            park,
            may_edit,
            env_labels: ENV_CATEGORIES,
            land_uses: opts(LAND_USES.iter().copied(), Some("industrial")),
            statuses: opts(PLOT_STATUSES.iter().copied(), Some("ready")),
            error_field,
            error,
            saved,
        },
    ))
}

async fn park_show(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    park_page(&app, &s, id, None, None, q.saved.is_some()).await
}

async fn park_save(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ProfileForm>,
) -> PageResult {
    let saved = match f.input() {
        Ok(input) => parks::save(&app, &s.actor, id, &input).await,
        Err(e) => Err(e),
    };
    match saved.shown_if(invalid_or_forbidden)? {
        Ok(_) => to(&format!("/parks/{id}?saved=1")),
        Err(e) => park_page(&app, &s, id, Some(f), Some(e), false).await,
    }
}

#[derive(Deserialize)]
struct PlotForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    area_mu: String,
    #[serde(default)]
    land_use: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    price_wan: String,
    /// "1" retires the plot
    #[serde(default)]
    retire: String,
    /// on an edit, the version the form was filled from
    #[serde(default)]
    version: String,
    /// on an edit, the park whose page shows an error
    #[serde(default)]
    park: String,
}

impl PlotForm {
    fn input(&self) -> Result<PlotInput, Error> {
        Ok(PlotInput {
            name: self.name.clone(),
            area_mu: real(&self.area_mu, "area_mu", "地块面积")?
                .ok_or_else(|| Error::invalid("area_mu", "请填写地块面积（亩）"))?,
            land_use: self.land_use.clone(),
            status: self.status.clone(),
            price_yuan_per_mu: form_wan(&self.price_wan, "price_wan", "地价")?,
            active: Some(self.retire.is_empty()),
            version: crate::pages::form_version(&self.version)?,
        })
    }
}

async fn plot_add(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<PlotForm>,
) -> PageResult {
    let added = match f.input() {
        Ok(input) => parks::add_plot(&app, &s.actor, id, &input).await,
        Err(e) => Err(e),
    };
    match added.shown_if(invalid_or_forbidden)? {
        Ok(_) => to(&format!("/parks/{id}#plots")),
        Err(e) => park_page(&app, &s, id, None, Some(e), false).await,
    }
}

async fn plot_edit(
    State(app): State<App>,
    s: WebSession,
    Path(plot_id): Path<i64>,
    CsrfForm(f): CsrfForm<PlotForm>,
) -> PageResult {
    let edited = match f.input() {
        Ok(input) => parks::edit_plot(&app, &s.actor, plot_id, &input).await,
        Err(e) => Err(e),
    };
    match (edited, f.park.parse::<i64>()) {
        (Ok(p), _) => to(&format!("/parks/{}#plots", p.park_id)),
        (Err(e), Ok(park)) if explainable(&e) => {
            park_page(&app, &s, park, None, Some(e), false).await
        }
        (Err(e), _) => Err(e.into()),
    }
}

// ---- the public guide ----

#[derive(Template)]
#[template(path = "guide.html")]
struct Guide {
    title: String,
    parks: Vec<Park>,
    map: Option<ParkMap>,
    /// one park's guide rather than the city's
    single: bool,
    printed: String,
}

impl Guide {
    fn plots_ready<'a>(&self, p: &'a Park) -> Vec<&'a fenglai_store::parks::Plot> {
        p.plots.iter().filter(|x| x.status != "supplied").collect()
    }
}

fn city_name(units: &[Unit]) -> String {
    units
        .iter()
        .find(|u| u.parent_id.is_none())
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

async fn guide_city(State(app): State<App>) -> PageResult {
    let units = org::units(&app).await?;
    let parks = parks::all(&app).await?;
    Ok(render(
        StatusCode::OK,
        &Guide {
            title: format!("{}招商指南", city_name(&units)),
            map: map_of(&parks, None),
            parks,
            single: false,
            printed: chrono::Local::now().format("%Y年%-m月%-d日").to_string(),
        },
    ))
}

async fn guide_park(State(app): State<App>, Path(id): Path<i64>) -> PageResult {
    let all = parks::all(&app).await?;
    let park = all
        .iter()
        .find(|p| p.profile.park_id == id)
        .cloned()
        .ok_or(Error::NotFound)?;
    Ok(render(
        StatusCode::OK,
        &Guide {
            title: format!("{}招商指南", park.profile.park_name),
            map: map_of(&all, Some(id)),
            parks: vec![park],
            single: true,
            printed: chrono::Local::now().format("%Y年%-m月%-d日").to_string(),
        },
    ))
}
