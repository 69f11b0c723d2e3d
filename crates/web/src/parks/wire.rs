//! The API's types of park profiles and plots, mapped from what app returns.

use fenglai_app::parks as app;
use fenglai_store::parks as store;
use serde::{Deserialize, Serialize};

/// A park's whole public face: profile, leading industries, plots, freshness.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

impl From<app::Park> for Park {
    fn from(p: app::Park) -> Park {
        Park {
            profile: p.profile.into(),
            industries: p.industries.into_iter().map(Into::into).collect(),
            plots: p.plots.into_iter().map(Into::into).collect(),
            age_days: p.age_days,
            stale: p.stale,
            ready_mu: p.ready_mu,
            preparing_mu: p.preparing_mu,
        }
    }
}

/// A park's profile; every field but the park's id and name may be empty.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// RFC 3339; None when the park has never filled its profile
    pub updated_at: Option<String>,
}

impl From<store::Profile> for Profile {
    fn from(p: store::Profile) -> Profile {
        Profile {
            park_id: p.park_id,
            park_name: p.park_name,
            summary: p.summary,
            chains: p.chains,
            factory_m2: p.factory_m2,
            factory_floors: p.factory_floors,
            factory_load_kg_m2: p.factory_load_kg_m2,
            power_kva: p.power_kva,
            water_t_per_day: p.water_t_per_day,
            gas: p.gas,
            steam: p.steam,
            min_intensity_yuan_per_mu: p.min_intensity_yuan_per_mu,
            min_tax_yuan_per_mu: p.min_tax_yuan_per_mu,
            max_energy_tce_per_10k: p.max_energy_tce_per_10k,
            env_categories: p.env_categories,
            policies: p.policies,
            contacts: p.contacts,
            address: p.address,
            lng: p.lng,
            lat: p.lat,
            updated_at: p.updated_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParkIndustry {
    pub park_id: i64,
    pub industry_code: String,
    pub industry_name: Option<String>,
}

impl From<store::ParkIndustry> for ParkIndustry {
    fn from(i: store::ParkIndustry) -> ParkIndustry {
        ParkIndustry {
            park_id: i.park_id,
            industry_code: i.industry_code,
            industry_name: i.industry_name,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    pub active: i64,
    pub updated_at: String,
    /// bumped by every write; an edit that names an older one is refused (409)
    pub version: i64,
}

impl From<store::Plot> for Plot {
    fn from(p: store::Plot) -> Plot {
        Plot {
            id: p.id,
            park_id: p.park_id,
            name: p.name,
            area_mu: p.area_mu,
            land_use: p.land_use,
            status: p.status,
            price_yuan_per_mu: p.price_yuan_per_mu,
            active: p.active as i64,
            updated_at: p.updated_at.to_string(),
            version: p.version,
        }
    }
}

/// The profile as a park fills it in; amounts in yuan.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    pub summary: Option<String>,
    /// GB/T 4754 codes of the leading industries (2-4 digits)
    #[serde(default)]
    pub industries: Vec<String>,
    /// chain names, e.g. ["集成电路", "新能源电池"]
    #[serde(default)]
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
    #[serde(default)]
    pub env_categories: Vec<String>,
    pub policies: Option<String>,
    pub contacts: Option<String>,
    pub address: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
}

impl From<ProfileInput> for app::ProfileInput {
    fn from(i: ProfileInput) -> app::ProfileInput {
        app::ProfileInput {
            summary: i.summary,
            industries: i.industries,
            chains: i.chains,
            factory_m2: i.factory_m2,
            factory_floors: i.factory_floors,
            factory_load_kg_m2: i.factory_load_kg_m2,
            power_kva: i.power_kva,
            water_t_per_day: i.water_t_per_day,
            gas: i.gas,
            steam: i.steam,
            min_intensity_yuan_per_mu: i.min_intensity_yuan_per_mu,
            min_tax_yuan_per_mu: i.min_tax_yuan_per_mu,
            max_energy_tce_per_10k: i.max_energy_tce_per_10k,
            env_categories: i.env_categories,
            policies: i.policies,
            contacts: i.contacts,
            address: i.address,
            lng: i.lng,
            lat: i.lat,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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

impl From<PlotInput> for app::PlotInput {
    fn from(i: PlotInput) -> app::PlotInput {
        app::PlotInput {
            name: i.name,
            area_mu: i.area_mu,
            land_use: i.land_use,
            status: i.status,
            price_yuan_per_mu: i.price_yuan_per_mu,
            active: i.active,
            version: i.version,
        }
    }
}
