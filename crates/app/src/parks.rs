//! Park profiles: "我有什么、我要什么". Each park keeps its own current; the city
//! guide and routing read them.

use crate::audit::Tx;
use crate::{Actor, App, Error, Result};
use fenglai_domain::routing::{Offer, Plot as OfferPlot, LAND_USES, PLOT_STATUSES};
use fenglai_domain::Moment;
use fenglai_domain::{IndustryCode, Role};
use fenglai_store::parks::{self, NewPlot, ParkIndustry, Plot, Profile};
use fenglai_store::reference::{self, Table};
use fenglai_store::{org, Conn, Scope};
use std::collections::HashMap;
use std::sync::Arc;

/// A profile not reviewed for this many days is flagged as stale.
pub const STALE_DAYS: i64 = 90;

/// A park's whole public face: profile, leading industries, plots, freshness.
#[derive(Debug, Clone)]
pub struct Park {
    pub profile: Profile,
    pub industries: Vec<ParkIndustry>,
    pub plots: Vec<Plot>,
    /// days since the profile was last updated; None when never filled
    pub age_days: Option<i64>,
    /// never filled, or older than 90 days
    pub stale: bool,
    /// ready plots, 亩
    pub ready_mu: f64,
    /// plots being prepared, 亩
    pub preparing_mu: f64,
}

fn age_days(updated_at: Option<Moment>) -> Option<i64> {
    Some((Moment::now() - updated_at?).num_days())
}

fn assemble(profile: Profile, industries: Vec<ParkIndustry>, plots: Vec<Plot>) -> Park {
    let age = age_days(profile.updated_at);
    let sum = |st: &str| -> f64 {
        plots
            .iter()
            .filter(|p| p.status == st)
            .map(|p| p.area_mu)
            .sum()
    };
    Park {
        ready_mu: sum("ready"),
        preparing_mu: sum("preparing"),
        stale: age.is_none_or(|d| d > STALE_DAYS),
        age_days: age,
        profile,
        industries,
        plots,
    }
}

/// Every active park with its profile: public (the city guide reads it).
pub async fn all(app: &App) -> Result<Vec<Park>> {
    let mut c = app.db.acquire().await?;
    all_in(&mut c).await
}

async fn all_in(c: &mut Conn) -> Result<Vec<Park>> {
    let profiles = parks::profiles(c).await?;
    let mut industries: HashMap<i64, Vec<ParkIndustry>> = HashMap::new();
    for i in parks::industries(c, None).await? {
        industries.entry(i.park_id).or_default().push(i);
    }
    let mut plots: HashMap<i64, Vec<Plot>> = HashMap::new();
    for x in parks::plots(c, None).await? {
        plots.entry(x.park_id).or_default().push(x);
    }
    Ok(profiles
        .into_iter()
        .map(|p| {
            let id = p.park_id;
            assemble(
                p,
                industries.remove(&id).unwrap_or_default(),
                plots.remove(&id).unwrap_or_default(),
            )
        })
        .collect())
}

/// One park: public.
pub async fn get(app: &App, park_id: i64) -> Result<Park> {
    let mut c = app.db.acquire().await?;
    let profile = parks::profile(&mut c, park_id)
        .await?
        .ok_or(Error::NotFound)?;
    let industries = parks::industries(&mut c, Some(park_id)).await?;
    let plots = parks::plots(&mut c, Some(park_id)).await?;
    Ok(assemble(profile, industries, plots))
}

/// What routing weighs: every park's offer. Read once and kept until a park, plot or unit
/// changes (the store's `parks` data version, read here each time, says when), so ranking
/// a lead does not read 5,000 plots every time.
pub async fn offers(app: &App, c: &mut Conn) -> Result<Arc<Vec<Offer>>> {
    let version = parks::version(c).await?;
    if let Some((v, cached)) = app.offers.lock().expect("offers cache").as_ref() {
        if *v == version {
            return Ok(cached.clone());
        }
    }
    // read after the version: what is read is at least that new, so a change in between
    // only makes the next call read again
    let fresh = Arc::new(read_offers(c).await?);
    *app.offers.lock().expect("offers cache") = Some((version, fresh.clone()));
    Ok(fresh)
}

async fn read_offers(c: &mut Conn) -> Result<Vec<Offer>> {
    let profiles = parks::profiles(c).await?;
    let mut industries: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for i in parks::industries(c, None).await? {
        industries
            .entry(i.park_id)
            .or_default()
            .push((i.industry_code, i.industry_name.unwrap_or_default()));
    }
    let mut plots: HashMap<i64, Vec<OfferPlot>> = HashMap::new();
    for x in parks::open_plots(c).await? {
        plots.entry(x.park_id).or_default().push(OfferPlot {
            name: x.name,
            area_mu: x.area_mu,
            land_use: x.land_use,
            status: x.status,
        });
    }
    Ok(profiles
        .into_iter()
        .map(|p| Offer {
            park_id: p.park_id,
            chains: crate::redlines::split_list(&p.chains),
            power_kva: p.power_kva,
            thresholds: crate::redlines::thresholds(&p),
            industries: industries.remove(&p.park_id).unwrap_or_default(),
            plots: plots.remove(&p.park_id).unwrap_or_default(),
            name: p.park_name,
        })
        .collect())
}

/// Whether `actor` may keep `park_id`'s profile (pages show the form or not).
pub async fn may_edit_park(app: &App, actor: &Actor, park_id: i64) -> Result<bool> {
    let mut c = app.db.acquire().await?;
    match may_edit(&mut c, actor, park_id).await {
        Ok(()) => Ok(true),
        Err(Error::Forbidden(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Admins edit any park; a receiver (承接人) edits the park they belong to.
async fn may_edit(c: &mut Conn, actor: &Actor, park_id: i64) -> Result<()> {
    let park = org::unit(c, park_id).await?.ok_or(Error::NotFound)?;
    if park.kind != fenglai_domain::UnitKind::Park {
        return Err(Error::NotFound);
    }
    let ok = match (&actor.role, &actor.scope) {
        (Role::Admin, _) => true,
        (Role::Receiver, Scope::Subtree(path)) => park.path.starts_with(path.as_str()),
        _ => false,
    };
    actor.require(ok, "维护该园区的资料")
}

/// The profile as a park fills it in; amounts in yuan.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub summary: Option<String>,
    /// GB/T 4754 codes of the leading industries (2-4 digits)
    pub industries: Vec<String>,
    /// chain names, e.g. ["集成电路", "新能源电池"]
    pub chains: Vec<String>,
    pub factory_m2: Option<i64>,
    pub factory_floors: Option<i64>,
    pub factory_load_kg_m2: Option<i64>,
    pub power_kva: Option<i64>,
    pub water_t_per_day: Option<i64>,
    pub gas: Option<String>,
    pub steam: Option<String>,
    pub min_intensity_yuan_per_mu: Option<i64>,
    pub min_tax_yuan_per_mu: Option<i64>,
    pub max_energy_tce_per_10k: Option<f64>,
    /// accepted 环评类别, e.g. ["报告表", "登记表"]; empty accepts any
    pub env_categories: Vec<String>,
    pub policies: Option<String>,
    pub contacts: Option<String>,
    pub address: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
}

fn text(v: &Option<String>, field: &str, max: usize) -> Result<Option<String>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > max => {
            Err(Error::invalid(field, format!("不能超过{max}个字")))
        }
        Some(s) => Ok(Some(s.to_string())),
    }
}

fn nonneg(v: Option<i64>, field: &str, label: &str) -> Result<Option<i64>> {
    match v {
        Some(n) if !(0..=1_000_000_000_000).contains(&n) => {
            Err(Error::invalid(field, format!("{label}应为不小于0的整数")))
        }
        v => Ok(v),
    }
}

pub async fn save(app: &App, actor: &Actor, park_id: i64, input: &ProfileInput) -> Result<Park> {
    let mut tx = Tx::begin(app).await?;
    may_edit(tx.conn(), actor, park_id).await?;
    let before = parks::profile(tx.conn(), park_id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut codes = Vec::new();
    for c in &input.industries {
        let code = IndustryCode::parse(c).map_err(|mut e| {
            e.field = "industries";
            e
        })?;
        if code.is_section()
            || reference::get(tx.conn(), Table::Industries, code.as_str())
                .await?
                .is_none()
        {
            return Err(Error::invalid(
                "industries",
                format!(
                    "主导产业“{}”不是 GB/T 4754-2017 的大类、中类或小类代码",
                    code.as_str()
                ),
            ));
        }
        if !codes.contains(&code.as_str().to_string()) {
            codes.push(code.as_str().to_string());
        }
    }
    let mut envs = Vec::new();
    for e in &input.env_categories {
        envs.push(crate::leads::env_category(e).map_err(|_| {
            Error::invalid(
                "env_categories",
                format!("环评类别“{e}”应为报告书、报告表或登记表"),
            )
        })?);
    }
    if let Some(e) = input.max_energy_tce_per_10k {
        if !e.is_finite() || !(0.0..=1000.0).contains(&e) {
            return Err(Error::invalid(
                "max_energy_tce_per_10k",
                "单位产值能耗上限应为0到1000之间的数（吨标煤/万元）",
            ));
        }
    }
    if input.lng.is_some_and(|v| !(73.0..=136.0).contains(&v))
        || input.lat.is_some_and(|v| !(3.0..=54.0).contains(&v))
    {
        return Err(Error::invalid(
            "lng",
            "经纬度应在中国境内（经度73-136，纬度3-54）",
        ));
    }
    let chains: Vec<String> = input
        .chains
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if chains.iter().any(|c| c.chars().count() > 30) {
        return Err(Error::invalid("chains", "产业链名称不能超过30个字"));
    }
    let p = Profile {
        park_id,
        park_name: before.park_name.clone(),
        summary: text(&input.summary, "summary", 2000)?,
        chains: chains.join("、"),
        factory_m2: nonneg(input.factory_m2, "factory_m2", "标准厂房面积")?,
        factory_floors: nonneg(input.factory_floors, "factory_floors", "厂房层数")?,
        factory_load_kg_m2: nonneg(input.factory_load_kg_m2, "factory_load_kg_m2", "楼面荷载")?,
        power_kva: nonneg(input.power_kva, "power_kva", "供电容量")?,
        water_t_per_day: nonneg(input.water_t_per_day, "water_t_per_day", "供水能力")?,
        gas: text(&input.gas, "gas", 200)?,
        steam: text(&input.steam, "steam", 200)?,
        min_intensity_yuan_per_mu: nonneg(
            input.min_intensity_yuan_per_mu,
            "min_intensity_yuan_per_mu",
            "投资强度门槛",
        )?,
        min_tax_yuan_per_mu: nonneg(
            input.min_tax_yuan_per_mu,
            "min_tax_yuan_per_mu",
            "亩均税收门槛",
        )?,
        max_energy_tce_per_10k: input.max_energy_tce_per_10k,
        env_categories: envs.join("、"),
        policies: text(&input.policies, "policies", 4000)?,
        contacts: text(&input.contacts, "contacts", 500)?,
        address: text(&input.address, "address", 200)?,
        lng: input.lng,
        lat: input.lat,
        updated_at: None,
    };
    parks::save_profile(tx.conn(), &p, actor.id()).await?;
    parks::set_industries(tx.conn(), park_id, &codes).await?;
    let after = parks::profile(tx.conn(), park_id).await?;
    tx.record(
        Some(actor),
        "park",
        park_id,
        "profile",
        Some(&before),
        Some(&serde_json::json!({"profile": after, "industries": codes})),
    )
    .await?;
    tx.commit().await?;
    get(app, park_id).await
}

#[derive(Debug, Clone)]
pub struct PlotInput {
    pub name: String,
    pub area_mu: f64,
    /// industrial, rd, commercial, warehouse (or the Chinese label)
    pub land_use: String,
    /// ready, preparing, supplied (or the Chinese label)
    pub status: String,
    pub price_yuan_per_mu: Option<i64>,
    /// false retires the plot (kept, not shown)
    pub active: Option<bool>,
    /// on an edit, the version the change is based on (as read); a stale one answers 409
    /// and changes nothing; none applies the change over whatever is there
    pub version: Option<i64>,
}

fn code_of(list: &[(&str, &str)], v: &str, field: &str, what: &str) -> Result<String> {
    let t = v.trim();
    list.iter()
        .find(|(c, l)| *c == t || *l == t || l.starts_with(t) && !t.is_empty())
        .map(|(c, _)| c.to_string())
        .ok_or_else(|| {
            let all: Vec<&str> = list.iter().map(|(_, l)| *l).collect();
            Error::invalid(field, format!("{what}“{t}”不对；可用：{}", all.join("、")))
        })
}

fn new_plot(park_id: i64, i: &PlotInput) -> Result<NewPlot> {
    let name = i.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::invalid("name", "地块名称须为1到60个字"));
    }
    if !i.area_mu.is_finite() || !(0.01..=1_000_000.0).contains(&i.area_mu) {
        return Err(Error::invalid(
            "area_mu",
            "地块面积应为大于0、不超过100万亩的数",
        ));
    }
    Ok(NewPlot {
        park_id,
        name: name.to_string(),
        area_mu: i.area_mu,
        land_use: code_of(LAND_USES, &i.land_use, "land_use", "用地性质")?,
        status: code_of(PLOT_STATUSES, &i.status, "status", "供地状态")?,
        price_yuan_per_mu: nonneg(i.price_yuan_per_mu, "price_yuan_per_mu", "地价")?,
    })
}

pub async fn add_plot(app: &App, actor: &Actor, park_id: i64, input: &PlotInput) -> Result<Plot> {
    let mut tx = Tx::begin(app).await?;
    may_edit(tx.conn(), actor, park_id).await?;
    let p = new_plot(park_id, input)?;
    let id = parks::insert_plot(tx.conn(), &p).await?;
    parks::touch(tx.conn(), park_id, actor.id()).await?;
    let plot = parks::plot(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record::<(), _>(Some(actor), "plot", id, "create", None, Some(&plot))
        .await?;
    tx.commit().await?;
    Ok(plot)
}

pub async fn edit_plot(app: &App, actor: &Actor, plot_id: i64, input: &PlotInput) -> Result<Plot> {
    let mut tx = Tx::begin(app).await?;
    let before = parks::plot(tx.conn(), plot_id)
        .await?
        .ok_or(Error::NotFound)?;
    may_edit(tx.conn(), actor, before.park_id).await?;
    crate::expect_version(input.version, before.version)?;
    let p = new_plot(before.park_id, input)?;
    parks::update_plot(tx.conn(), plot_id, &p, input.active.unwrap_or(true)).await?;
    parks::touch(tx.conn(), before.park_id, actor.id()).await?;
    let after = parks::plot(tx.conn(), plot_id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "plot",
        plot_id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
