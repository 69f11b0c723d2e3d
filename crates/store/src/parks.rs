//! Park profiles (我有什么、我要什么): industries, chains, plots, utilities, thresholds.

use crate::decode;
use crate::sql::{now, Sql};
use crate::{Backend, Conn, Result, StoreError};
use fenglai_domain::Moment;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// A park's profile; every field but the park's id and name may be empty. Serialized
/// into the audit log as written there before.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Profile {
    pub park_id: i64,
    pub park_name: String,
    pub summary: Option<String>,
    /// chain names separated by "、"
    pub chains: String,
    pub factory_m2: Option<i64>,
    pub factory_floors: Option<i64>,
    pub factory_load_kg_m2: Option<i64>,
    pub power_kva: Option<i64>,
    pub water_t_per_day: Option<i64>,
    pub gas: Option<String>,
    pub steam: Option<String>,
    /// minimum investment intensity, yuan per 亩
    pub min_intensity_yuan_per_mu: Option<i64>,
    /// minimum annual tax, yuan per 亩
    pub min_tax_yuan_per_mu: Option<i64>,
    /// maximum energy use, tonnes of standard coal per 10,000 yuan of output
    pub max_energy_tce_per_10k: Option<f64>,
    /// accepted 环评类别 separated by "、"; empty means any
    pub env_categories: String,
    pub policies: Option<String>,
    pub contacts: Option<String>,
    pub address: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    /// None when the park has never filled its profile
    pub updated_at: Option<Moment>,
}

impl FromRow<'_, AnyRow> for Profile {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(Profile {
            park_id: r.try_get("park_id")?,
            park_name: r.try_get("park_name")?,
            summary: r.try_get("summary")?,
            chains: r.try_get("chains")?,
            factory_m2: r.try_get("factory_m2")?,
            factory_floors: r.try_get("factory_floors")?,
            factory_load_kg_m2: r.try_get("factory_load_kg_m2")?,
            power_kva: r.try_get("power_kva")?,
            water_t_per_day: r.try_get("water_t_per_day")?,
            gas: r.try_get("gas")?,
            steam: r.try_get("steam")?,
            min_intensity_yuan_per_mu: r.try_get("min_intensity_yuan_per_mu")?,
            min_tax_yuan_per_mu: r.try_get("min_tax_yuan_per_mu")?,
            max_energy_tce_per_10k: r.try_get("max_energy_tce_per_10k")?,
            env_categories: r.try_get("env_categories")?,
            policies: r.try_get("policies")?,
            contacts: r.try_get("contacts")?,
            address: r.try_get("address")?,
            lng: r.try_get("lng")?,
            lat: r.try_get("lat")?,
            updated_at: decode::moment_opt(r, "updated_at")?,
        })
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParkIndustry {
    pub park_id: i64,
    pub industry_code: String,
    pub industry_name: Option<String>,
}

/// A plot; serialized into the audit log as written there before (`active` as 0/1).
#[derive(Debug, Clone, Serialize)]
pub struct Plot {
    pub id: i64,
    pub park_id: i64,
    pub name: String,
    pub area_mu: f64,
    /// industrial, rd, commercial, warehouse
    pub land_use: String,
    /// ready, preparing, supplied
    pub status: String,
    pub price_yuan_per_mu: Option<i64>,
    #[serde(serialize_with = "flag_as_int")]
    pub active: bool,
    pub updated_at: Moment,
    /// bumped by every write; an edit that names an older one is refused (409)
    pub version: i64,
}

impl FromRow<'_, AnyRow> for Plot {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(Plot {
            id: r.try_get("id")?,
            park_id: r.try_get("park_id")?,
            name: r.try_get("name")?,
            area_mu: r.try_get("area_mu")?,
            land_use: r.try_get("land_use")?,
            status: r.try_get("status")?,
            price_yuan_per_mu: r.try_get("price_yuan_per_mu")?,
            active: decode::flag(r, "active")?,
            updated_at: decode::moment(r, "updated_at")?,
            version: r.try_get("version")?,
        })
    }
}

/// A flag as the audit log has always had it: 0 or 1.
fn flag_as_int<S: serde::Serializer>(v: &bool, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_i64(*v as i64)
}

const PROFILE_SELECT: &str = "SELECT u.id AS park_id, u.name AS park_name, p.summary, \
    COALESCE(p.chains, '') AS chains, p.factory_m2, p.factory_floors, p.factory_load_kg_m2, \
    p.power_kva, p.water_t_per_day, p.gas, p.steam, p.min_intensity_yuan_per_mu, \
    p.min_tax_yuan_per_mu, p.max_energy_tce_per_10k, COALESCE(p.env_categories, '') AS env_categories, \
    p.policies, p.contacts, p.address, p.lng, p.lat, p.updated_at \
    FROM units u LEFT JOIN park_profiles p ON p.park_id = u.id WHERE u.kind = 'park' AND u.active = 1";

/// The version of what routing reads about parks: profiles, industries, plots and units.
/// Every write to them here and in `org` bumps it in the same transaction, so a reader
/// that cached a routing table under one version knows when to read again.
pub async fn version(conn: &mut Conn) -> Result<i64> {
    Sql::new("SELECT version FROM data_versions WHERE name = 'parks'")
        .fetch_i64(conn)
        .await
}

pub(crate) async fn bump_version(conn: &mut Conn) -> Result<()> {
    Sql::new("UPDATE data_versions SET version = version + 1 WHERE name = 'parks'")
        .execute(conn)
        .await
        .map(|_| ())
}

/// Every active park with its profile (empty where never filled), by path.
pub async fn profiles(conn: &mut Conn) -> Result<Vec<Profile>> {
    Sql::new(&format!("{PROFILE_SELECT} ORDER BY u.path"))
        .fetch_all(conn)
        .await
}

pub async fn profile(conn: &mut Conn, park_id: i64) -> Result<Option<Profile>> {
    let mut s = Sql::new(&format!("{PROFILE_SELECT} AND u.id = "));
    s.bind(park_id);
    s.fetch_optional(conn).await
}

/// Writes the whole profile (insert or replace).
pub async fn save_profile(conn: &mut Conn, p: &Profile, by: i64) -> Result<()> {
    bump_version(conn).await?;
    let mut d = Sql::new("DELETE FROM park_profiles WHERE park_id = ");
    d.bind(p.park_id);
    d.execute(conn).await?;
    let mut s = Sql::new(
        "INSERT INTO park_profiles (park_id, summary, chains, factory_m2, factory_floors, \
         factory_load_kg_m2, power_kva, water_t_per_day, gas, steam, min_intensity_yuan_per_mu, \
         min_tax_yuan_per_mu, max_energy_tce_per_10k, env_categories, policies, contacts, address, \
         lng, lat, updated_at, updated_by) VALUES (",
    );
    s.bind(p.park_id).push(", ").bind(p.summary.clone());
    s.push(", ")
        .bind(p.chains.clone())
        .push(", ")
        .bind(p.factory_m2);
    s.push(", ")
        .bind(p.factory_floors)
        .push(", ")
        .bind(p.factory_load_kg_m2);
    s.push(", ")
        .bind(p.power_kva)
        .push(", ")
        .bind(p.water_t_per_day);
    s.push(", ")
        .bind(p.gas.clone())
        .push(", ")
        .bind(p.steam.clone());
    s.push(", ")
        .bind(p.min_intensity_yuan_per_mu)
        .push(", ")
        .bind(p.min_tax_yuan_per_mu);
    s.push(", ")
        .bind(p.max_energy_tce_per_10k)
        .push(", ")
        .bind(p.env_categories.clone());
    s.push(", ")
        .bind(p.policies.clone())
        .push(", ")
        .bind(p.contacts.clone());
    s.push(", ").bind(p.address.clone()).push(", ").bind(p.lng);
    s.push(", ").bind(p.lat).push(", ").bind(now());
    s.push(", ").bind(by).push(")");
    s.execute(conn).await.map(|_| ())
}

/// Marks the profile as reviewed now (a plot or industry change keeps it current).
pub async fn touch(conn: &mut Conn, park_id: i64, by: i64) -> Result<()> {
    bump_version(conn).await?;
    let mut s = Sql::new("UPDATE park_profiles SET updated_at = ");
    s.bind(now())
        .push(", updated_by = ")
        .bind(by)
        .push(" WHERE park_id = ")
        .bind(park_id);
    if s.execute(conn).await? == 0 {
        let mut i =
            Sql::new("INSERT INTO park_profiles (park_id, chains, env_categories, updated_at, updated_by) VALUES (");
        i.bind(park_id)
            .push(", '', '', ")
            .bind(now())
            .push(", ")
            .bind(by)
            .push(")");
        i.execute(conn).await?;
    }
    Ok(())
}

/// Leading industries of one park, or of every park when `park_id` is None.
pub async fn industries(conn: &mut Conn, park_id: Option<i64>) -> Result<Vec<ParkIndustry>> {
    let mut s = Sql::new(
        "SELECT pi.park_id, pi.industry_code, i.name AS industry_name FROM park_industries pi \
         LEFT JOIN industries i ON i.code = pi.industry_code WHERE 1 = 1",
    );
    if let Some(id) = park_id {
        s.push(" AND pi.park_id = ").bind(id);
    }
    s.push(" ORDER BY pi.park_id, pi.industry_code");
    s.fetch_all(conn).await
}

pub async fn set_industries(conn: &mut Conn, park_id: i64, codes: &[String]) -> Result<()> {
    bump_version(conn).await?;
    let mut d = Sql::new("DELETE FROM park_industries WHERE park_id = ");
    d.bind(park_id);
    d.execute(conn).await?;
    for c in codes {
        let mut s = Sql::new("INSERT INTO park_industries (park_id, industry_code) VALUES (");
        s.bind(park_id).push(", ").bind(c.clone()).push(")");
        s.execute(conn).await?;
    }
    Ok(())
}

const PLOT_COLS: &str =
    "id, park_id, name, area_mu, land_use, status, price_yuan_per_mu, active, updated_at, version";

/// Active plots of one park, or of every park when `park_id` is None.
pub async fn plots(conn: &mut Conn, park_id: Option<i64>) -> Result<Vec<Plot>> {
    let mut s = Sql::new(&format!(
        "SELECT {PLOT_COLS} FROM park_plots WHERE active = 1"
    ));
    if let Some(id) = park_id {
        s.push(" AND park_id = ").bind(id);
    }
    s.push(" ORDER BY park_id, id");
    s.fetch_all(conn).await
}

/// A plot as routing weighs it.
#[derive(Debug, Clone)]
pub struct OpenPlot {
    pub park_id: i64,
    pub name: String,
    pub area_mu: f64,
    pub land_use: String,
    pub status: String,
}

/// Every active plot that is ready or being prepared (what routing can offer), by park.
///
/// On SQLite one row a park with its plots as a JSON array: sqlx hands SQLite rows over one
/// at a time from a worker thread, which for 3,750 plots cost 12 ms against about 2 ms this
/// way. PostgreSQL streams plain rows faster than it builds the JSON, so it reads them.
pub async fn open_plots(conn: &mut Conn) -> Result<Vec<OpenPlot>> {
    let backend = conn.backend();
    const WHERE: &str = "FROM park_plots WHERE active = 1 AND status IN ('ready', 'preparing')";
    if backend == Backend::Postgres {
        let rows: Vec<(i64, String, f64, String, String)> = Sql::new(&format!(
            "SELECT park_id, name, area_mu, land_use, status {WHERE} ORDER BY park_id, id"
        ))
        .fetch_all(conn)
        .await?;
        return Ok(rows
            .into_iter()
            .map(|(park_id, name, area_mu, land_use, status)| OpenPlot {
                park_id,
                name,
                area_mu,
                land_use,
                status,
            })
            .collect());
    }
    let rows: Vec<(i64, String)> = Sql::new(&format!(
        "SELECT park_id, json_group_array(json_array(name, area_mu, land_use, status) ORDER BY id) \
         {WHERE} GROUP BY park_id ORDER BY park_id"
    ))
    .fetch_all(conn)
    .await?;
    let mut out = Vec::new();
    for (park_id, json) in rows {
        let plots: Vec<(String, f64, String, String)> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("plots of park {park_id}: {e}")))?;
        out.extend(
            plots
                .into_iter()
                .map(|(name, area_mu, land_use, status)| OpenPlot {
                    park_id,
                    name,
                    area_mu,
                    land_use,
                    status,
                }),
        );
    }
    Ok(out)
}

pub async fn plot(conn: &mut Conn, id: i64) -> Result<Option<Plot>> {
    let mut s = Sql::new(&format!("SELECT {PLOT_COLS} FROM park_plots WHERE id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

#[derive(Debug, Clone)]
pub struct NewPlot {
    pub park_id: i64,
    pub name: String,
    pub area_mu: f64,
    pub land_use: String,
    pub status: String,
    pub price_yuan_per_mu: Option<i64>,
}

pub async fn insert_plot(conn: &mut Conn, p: &NewPlot) -> Result<i64> {
    bump_version(conn).await?;
    let mut s = Sql::new(
        "INSERT INTO park_plots (park_id, name, area_mu, land_use, status, price_yuan_per_mu, active, updated_at) VALUES (",
    );
    s.bind(p.park_id).push(", ").bind(p.name.clone());
    s.push(", ")
        .bind(Some(p.area_mu))
        .push(", ")
        .bind(p.land_use.clone());
    s.push(", ")
        .bind(p.status.clone())
        .push(", ")
        .bind(p.price_yuan_per_mu);
    s.push(", 1, ").bind(now()).push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn update_plot(conn: &mut Conn, id: i64, p: &NewPlot, active: bool) -> Result<()> {
    bump_version(conn).await?;
    let mut s = Sql::new("UPDATE park_plots SET name = ");
    s.bind(p.name.clone())
        .push(", area_mu = ")
        .bind(Some(p.area_mu));
    s.push(", land_use = ")
        .bind(p.land_use.clone())
        .push(", status = ")
        .bind(p.status.clone());
    s.push(", price_yuan_per_mu = ")
        .bind(p.price_yuan_per_mu)
        .push(", active = ")
        .bind(active as i64);
    s.push(", updated_at = ")
        .bind(now())
        .push(", version = version + 1 WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}
