//! Promised versus realised: a project's monthly entries of capital arrived (到资) and
//! fixed-asset investment completed, and after production its output, tax and employment;
//! the 上规 date; and the per-亩 figures against the park's thresholds.

use crate::audit::Tx;
use crate::{today, Actor, App, Error, Result};
use fenglai_domain::dates;
use fenglai_store::evidence::{self as store, Monthly};
use fenglai_store::{parks, projects};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthlyInput {
    /// YYYY-MM
    pub month: String,
    pub capital_arrived_yuan: Option<i64>,
    pub fixed_asset_yuan: Option<i64>,
    pub output_yuan: Option<i64>,
    pub tax_yuan: Option<i64>,
    pub employment: Option<i64>,
    /// 实际使用外资 in the month, US dollars
    pub foreign_capital_usd: Option<i64>,
}

fn month(s: &str) -> Result<String> {
    let s = s.trim();
    let ok =
        s.len() == 7 && chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok();
    if !ok {
        return Err(Error::invalid("month", "月份应写作 YYYY-MM，例如 2026-03"));
    }
    if s > &today().format("%Y-%m").to_string()[..] {
        return Err(Error::invalid("month", "不能填报未来月份"));
    }
    Ok(s.to_string())
}

/// Records (or corrects) one month's figures.
pub async fn put(
    app: &App,
    actor: &Actor,
    project_id: i64,
    input: &MonthlyInput,
) -> Result<Realised> {
    let m = month(&input.month)?;
    for (field, v) in [
        ("capital_arrived_yuan", input.capital_arrived_yuan),
        ("fixed_asset_yuan", input.fixed_asset_yuan),
        ("output_yuan", input.output_yuan),
        ("tax_yuan", input.tax_yuan),
        ("foreign_capital_usd", input.foreign_capital_usd),
    ] {
        if v.is_some_and(|v| !(0..=10_000_000_000_000).contains(&v)) {
            return Err(Error::invalid(field, "金额应在0到10万亿元之间（单位：元）"));
        }
    }
    if input
        .employment
        .is_some_and(|v| !(0..=10_000_000).contains(&v))
    {
        return Err(Error::invalid("employment", "用工人数应在0到1000万之间"));
    }
    let mut tx = Tx::begin(app).await?;
    crate::access::for_work(tx.conn(), actor, project_id, "填报项目月度数据").await?;
    let before = store::monthly(tx.conn(), project_id)
        .await?
        .into_iter()
        .find(|x| x.month == m);
    let row = Monthly {
        project_id,
        month: m.clone(),
        capital_arrived_yuan: input.capital_arrived_yuan,
        fixed_asset_yuan: input.fixed_asset_yuan,
        output_yuan: input.output_yuan,
        tax_yuan: input.tax_yuan,
        employment: input.employment,
        foreign_capital_usd: input.foreign_capital_usd,
    };
    store::put_monthly(tx.conn(), &row, actor.id()).await?;
    tx.record(
        Some(actor),
        "project",
        project_id,
        &format!("monthly:{m}"),
        before.as_ref(),
        Some(&row),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, project_id).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AboveScaleInput {
    /// the date it became 规上 (YYYY-MM-DD), or null to clear
    pub date: Option<String>,
}

pub async fn set_above_scale(
    app: &App,
    actor: &Actor,
    project_id: i64,
    input: &AboveScaleInput,
) -> Result<Realised> {
    let date = input
        .date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|d| dates::parse(d, "date"))
        .transpose()?;
    if date.is_some_and(|d| d > today()) {
        return Err(Error::invalid("date", "上规日期不能晚于今天"));
    }
    let mut tx = Tx::begin(app).await?;
    let p = projects::get(tx.conn(), project_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(actor.role.may_manage_projects(), "填报上规日期")?;
    let d = date.map(|d| d.to_string());
    store::set_above_scale(tx.conn(), project_id, d.as_deref()).await?;
    tx.record(
        Some(actor),
        "project",
        project_id,
        "above_scale",
        Some(&p.above_scale_date),
        Some(&d),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, project_id).await
}

/// Contracted against realised, with the per-亩 figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Realised {
    pub project_id: i64,
    pub contracted_investment_yuan: Option<i64>,
    pub planned_investment_yuan: i64,
    pub capital_arrived_yuan: i64,
    pub fixed_asset_yuan: i64,
    /// capital arrived / contracted (or planned) investment
    pub arrived_ratio: Option<f64>,
    /// the last 12 recorded months
    pub output_12m_yuan: i64,
    pub tax_12m_yuan: i64,
    pub latest_employment: Option<i64>,
    pub above_scale_date: Option<String>,
    pub land_mu: Option<f64>,
    /// fixed-asset investment completed per 亩
    pub investment_per_mu_yuan: Option<i64>,
    /// the last 12 months' tax per 亩
    pub tax_per_mu_yuan: Option<i64>,
    pub park_min_investment_per_mu_yuan: Option<i64>,
    pub park_min_tax_per_mu_yuan: Option<i64>,
    /// whether each per-亩 figure reaches the park's threshold (null when either is missing)
    pub investment_per_mu_ok: Option<bool>,
    pub tax_per_mu_ok: Option<bool>,
    pub months: Vec<Monthly>,
}

pub async fn get(app: &App, actor: &Actor, project_id: i64) -> Result<Realised> {
    let mut c = app.db.acquire().await?;
    let p = projects::get(&mut c, project_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    let months = store::monthly(&mut c, project_id).await?;
    let profile = match p.park_id {
        Some(k) => parks::profile(&mut c, k).await?,
        None => None,
    };
    let sum = |f: fn(&Monthly) -> Option<i64>, rows: &[Monthly]| -> i64 {
        rows.iter().filter_map(f).sum()
    };
    let last12: Vec<Monthly> = months.iter().rev().take(12).cloned().collect();
    let capital = sum(|m| m.capital_arrived_yuan, &months);
    let fixed = sum(|m| m.fixed_asset_yuan, &months);
    let tax12 = sum(|m| m.tax_yuan, &last12);
    let promised = p
        .contracted_investment_yuan
        .unwrap_or(p.planned_investment_yuan)
        .0;
    let per_mu = |v: i64| {
        p.land_mu
            .filter(|m| *m > 0.0)
            .map(|m| (v as f64 / m).round() as i64)
    };
    let (inv_mu, tax_mu) = (per_mu(fixed), per_mu(tax12));
    let min_inv = profile.as_ref().and_then(|x| x.min_intensity_yuan_per_mu);
    let min_tax = profile.as_ref().and_then(|x| x.min_tax_yuan_per_mu);
    Ok(Realised {
        project_id,
        contracted_investment_yuan: p.contracted_investment_yuan.map(|y| y.0),
        planned_investment_yuan: p.planned_investment_yuan.0,
        capital_arrived_yuan: capital,
        fixed_asset_yuan: fixed,
        arrived_ratio: (promised > 0)
            .then(|| ((capital as f64 / promised as f64) * 10000.0).round() / 10000.0),
        output_12m_yuan: sum(|m| m.output_yuan, &last12),
        tax_12m_yuan: tax12,
        latest_employment: months.iter().rev().find_map(|m| m.employment),
        above_scale_date: p.above_scale_date.map(|d| d.to_string()),
        land_mu: p.land_mu,
        investment_per_mu_yuan: inv_mu,
        tax_per_mu_yuan: tax_mu,
        park_min_investment_per_mu_yuan: min_inv,
        park_min_tax_per_mu_yuan: min_tax,
        investment_per_mu_ok: inv_mu.zip(min_inv).map(|(a, b)| a >= b),
        tax_per_mu_ok: tax_mu.zip(min_tax).map(|(a, b)| a >= b),
        months,
    })
}

/// What a monthly-figures import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MonthlyImportSummary)]
pub struct ImportSummary {
    /// rows written (each replaces that project's month)
    pub rows: i64,
    pub projects: i64,
    pub months: Vec<String>,
}

/// Imports a sheet of monthly figures (.xlsx, .xls, .csv): all rows or none. Each row
/// names its project by 项目编号 or exact 项目名称 (within the caller's scope) and replaces
/// that project's month. Errors name their cells.
pub async fn import(
    app: &App,
    actor: &Actor,
    filename: &str,
    bytes: &[u8],
) -> Result<ImportSummary> {
    actor.require(actor.role.may_manage_projects(), "导入项目月度数据")?;
    if bytes.is_empty() {
        return Err(Error::invalid("file", "文件是空的"));
    }
    let sheets = crate::ledgers::open_upload(bytes, filename).await?;
    let sheet =
        fenglai_ledger::first_with_data(sheets, filename).map_err(|e| Error::invalid("file", e))?;
    let rows = fenglai_ledger::parse_monthly_in(&sheet, &app.serial_dates()).map_err(|errors| {
        let n = errors.len();
        let mut shown: Vec<String> = errors.into_iter().take(20).collect();
        if n > 20 {
            shown.push(format!("共 {n} 处错误"));
        }
        Error::invalid("file", shown.join("；"))
    })?;
    if rows.is_empty() {
        return Err(Error::invalid("file", "表中没有数据行"));
    }
    let this_month = today().format("%Y-%m").to_string();
    let mut tx = Tx::begin(app).await?;
    let mut by_name: std::collections::HashMap<String, i64> = Default::default();
    let mut errors = Vec::new();
    let mut resolved = Vec::new();
    for r in &rows {
        if r.month > this_month {
            errors.push(format!("第{}行：不能填报未来月份 {}", r.row, r.month));
            continue;
        }
        let id = match (r.project_id, r.project_name.as_deref()) {
            (Some(id), _) => projects::get(tx.conn(), id, &actor.scope)
                .await?
                .map(|p| p.id),
            (None, Some(name)) => match by_name.get(name) {
                Some(id) => Some(*id),
                None => {
                    let found = projects::list(
                        tx.conn(),
                        &projects::Filter {
                            q: Some(name.to_string()),
                            limit: 50,
                            ..Default::default()
                        },
                        &actor.scope,
                    )
                    .await?
                    .0
                    .into_iter()
                    .filter(|p| p.name == name)
                    .collect::<Vec<_>>();
                    match found.as_slice() {
                        [one] => {
                            by_name.insert(name.to_string(), one.id);
                            Some(one.id)
                        }
                        [] => None,
                        _ => {
                            errors.push(format!(
                                "第{}行：名为“{name}”的项目不止一个，请填项目编号",
                                r.row
                            ));
                            continue;
                        }
                    }
                }
            },
            _ => None,
        };
        match id {
            // a project merged into another takes no figures (they belong on the survivor)
            Some(id) => match crate::access::for_work(tx.conn(), actor, id, "导入项目月度数据")
                .await
            {
                Ok(_) => resolved.push((id, r)),
                Err(Error::Conflict(why)) => errors.push(format!("第{}行：{why}", r.row)),
                Err(e) => return Err(e),
            },
            None => errors.push(format!(
                "第{}行：找不到项目“{}”",
                r.row,
                r.project_id
                    .map(|i| i.to_string())
                    .or(r.project_name.clone())
                    .unwrap_or_default()
            )),
        }
    }
    if !errors.is_empty() {
        return Err(Error::invalid(
            "file",
            errors.into_iter().take(20).collect::<Vec<_>>().join("；"),
        ));
    }
    let mut events = Vec::new();
    let mut months = std::collections::BTreeSet::new();
    let mut projects_seen = std::collections::BTreeSet::new();
    // a figure the sheet leaves blank or has no column for keeps what is stored: a sheet
    // of 固投 alone does not wipe the month's 到资, tax or foreign capital
    let mut stored: std::collections::HashMap<(i64, String), Monthly> = Default::default();
    for id in resolved
        .iter()
        .map(|(id, _)| *id)
        .collect::<std::collections::BTreeSet<_>>()
    {
        for m in store::monthly(tx.conn(), id).await? {
            stored.insert((id, m.month.clone()), m);
        }
    }
    for (id, r) in &resolved {
        let before = stored.get(&(*id, r.month.clone()));
        let kept = |f: fn(&Monthly) -> Option<i64>| before.and_then(f);
        let row = Monthly {
            project_id: *id,
            month: r.month.clone(),
            capital_arrived_yuan: r.capital_arrived_yuan.or(kept(|m| m.capital_arrived_yuan)),
            fixed_asset_yuan: r.fixed_asset_yuan.or(kept(|m| m.fixed_asset_yuan)),
            output_yuan: r.output_yuan.or(kept(|m| m.output_yuan)),
            tax_yuan: r.tax_yuan.or(kept(|m| m.tax_yuan)),
            employment: r.employment.or(kept(|m| m.employment)),
            foreign_capital_usd: r.foreign_capital_usd.or(kept(|m| m.foreign_capital_usd)),
        };
        store::put_monthly(tx.conn(), &row, actor.id()).await?;
        events.push((
            "project",
            *id,
            "monthly:import",
            serde_json::to_string(&row).map_err(|e| Error::Internal(e.to_string()))?,
        ));
        months.insert(r.month.clone());
        projects_seen.insert(*id);
        // a later row of the same project and month fills in over this one
        stored.insert((*id, r.month.clone()), row);
    }
    tx.record_many(Some(actor), events).await?;
    tx.commit().await?;
    Ok(ImportSummary {
        rows: resolved.len() as i64,
        projects: projects_seen.len() as i64,
        months: months.into_iter().collect(),
    })
}
