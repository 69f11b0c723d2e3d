//! The monthly quota of 全民招商 (seed 001): every unit reports at least one valid lead a
//! month. Per unit and month: leads reported, valid leads (admitted, or decided 入库 by a
//! pre-review panel), and whether the unit fell below the quota.

use crate::{Actor, App, Error, Result};
use chrono::{Datelike, NaiveDate};
use fenglai_domain::UnitKind;
use fenglai_store::{org, quota, Scope};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Valid leads a unit owes each month unless the setting `monthly_lead_quota` says otherwise.
pub const DEFAULT_QUOTA: i64 = 1;
/// The longest history one table shows.
pub const MAX_MONTHS: i64 = 24;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuotaQuery {
    /// first month, `YYYY-MM` (default: five months before `to`)
    pub from: Option<String>,
    /// last month, `YYYY-MM` (default: this month)
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthCell {
    /// `YYYY-MM`
    pub month: String,
    pub reported: i64,
    pub valid: i64,
    /// fewer valid leads than the quota in a month that has ended
    pub below: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitQuota {
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    /// one cell per month of the table, oldest first
    pub months: Vec<MonthCell>,
    /// ended months of the table below the quota
    pub months_below: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuotaTable {
    pub quota: i64,
    /// `YYYY-MM`, oldest first
    pub months: Vec<String>,
    /// the table's last month is this month, still running: it is never counted as below
    pub current_month_running: bool,
    pub units: Vec<UnitQuota>,
    /// the last ended month of the table, and the units below the quota in it
    pub last_ended: Option<String>,
    pub below_last_ended: Vec<String>,
}

fn month(s: &str, field: &str) -> Result<NaiveDate> {
    let t = s.trim();
    NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 7)
        .ok_or_else(|| Error::invalid(field, format!("月份“{t}”不对，请写作 2026-03")))
}

fn add_months(d: NaiveDate, n: i64) -> NaiveDate {
    let total = d.year() as i64 * 12 + d.month0() as i64 + n;
    NaiveDate::from_ymd_opt(
        total.div_euclid(12) as i32,
        total.rem_euclid(12) as u32 + 1,
        1,
    )
    .expect("first of a month")
}

fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b.year() as i64 * 12 + b.month0() as i64) - (a.year() as i64 * 12 + a.month0() as i64)
}

/// The quota table for the units the caller sees: everyone sees their own unit; promoters,
/// parks and others their jurisdiction; leaders and admins every unit. Counts are of the
/// unit's leads, whoever reported them.
pub async fn table(app: &App, actor: &Actor, q: &QuotaQuery) -> Result<QuotaTable> {
    let today = crate::today();
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("month");
    let to = match q.to.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => month(s, "to")?,
        None => this_month,
    };
    if to > this_month {
        return Err(Error::invalid("to", "不能查询未来的月份"));
    }
    let from = match q.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => month(s, "from")?,
        None => add_months(to, -5),
    };
    let span = months_between(from, to) + 1;
    if span < 1 {
        return Err(Error::invalid("from", "起始月份不能晚于截止月份"));
    }
    if span > MAX_MONTHS {
        return Err(Error::invalid(
            "from",
            format!("一次最多查询 {MAX_MONTHS} 个月"),
        ));
    }
    let months: Vec<String> = (0..span)
        .map(|i| add_months(from, i).format("%Y-%m").to_string())
        .collect();
    let mut c = app.db.acquire().await?;
    let quota = org::setting(&mut c, "monthly_lead_quota")
        .await?
        .and_then(|v| v.parse().ok())
        .filter(|n: &i64| *n >= 1)
        .unwrap_or(DEFAULT_QUOTA);
    let own_path = org::unit(&mut c, actor.user.unit_id)
        .await?
        .map(|u| u.path)
        .unwrap_or_default();
    let path = match &actor.scope {
        Scope::All => None,
        Scope::Subtree(p) => Some(p.clone()),
        Scope::Reporter(_) => Some(own_path),
    };
    let units: Vec<_> = org::units(&mut c)
        .await?
        .into_iter()
        .filter(|u| u.active && u.kind != UnitKind::Region)
        .filter(|u| path.as_deref().is_none_or(|p| u.path.starts_with(p)))
        .collect();
    let counts = quota::monthly_counts(
        &mut c,
        &from.format("%Y-%m-%d").to_string(),
        &add_months(to, 1).format("%Y-%m-%d").to_string(),
        path.as_deref(),
    )
    .await?;
    let by: HashMap<(i64, &str), &quota::MonthCount> = counts
        .iter()
        .map(|m| ((m.unit_id, m.month.as_str()), m))
        .collect();
    let running = this_month.format("%Y-%m").to_string();
    let units: Vec<UnitQuota> = units
        .into_iter()
        .map(|u| {
            let cells: Vec<MonthCell> = months
                .iter()
                .map(|m| {
                    let (reported, valid) = by
                        .get(&(u.id, m.as_str()))
                        .map(|c| (c.reported, c.valid))
                        .unwrap_or((0, 0));
                    MonthCell {
                        below: valid < quota && *m != running,
                        month: m.clone(),
                        reported,
                        valid,
                    }
                })
                .collect();
            UnitQuota {
                unit_id: u.id,
                months_below: cells.iter().filter(|c| c.below).count() as i64,
                unit_name: u.name,
                kind: u.kind.to_string(),
                months: cells,
            }
        })
        .collect();
    let last_ended = months.iter().rev().find(|m| **m != running).cloned();
    let below_last_ended = match &last_ended {
        Some(m) => units
            .iter()
            .filter(|u| u.months.iter().any(|c| c.month == *m && c.below))
            .map(|u| u.unit_name.clone())
            .collect(),
        None => Vec::new(),
    };
    Ok(QuotaTable {
        quota,
        current_month_running: months.last() == Some(&running),
        months,
        units,
        last_ended,
        below_last_ended,
    })
}

/// The quota table as an Excel sheet: one row a unit, "报送/有效" a month (below-quota
/// months marked "未达标"), and the count of months below.
pub async fn table_xlsx(app: &App, actor: &Actor, q: &QuotaQuery) -> Result<Vec<u8>> {
    use fenglai_ledger::OutCell;
    let t = table(app, actor, q).await?;
    let mut headers = vec!["单位".to_string()];
    headers.extend(t.months.iter().map(|m| format!("{m}（报送/有效）")));
    headers.push("未达标月数".into());
    let rows: Vec<Vec<OutCell>> = t
        .units
        .iter()
        .map(|u| {
            let mut row = vec![OutCell::Text(u.unit_name.clone())];
            row.extend(u.months.iter().map(|c| {
                OutCell::Text(format!(
                    "{}/{}{}",
                    c.reported,
                    c.valid,
                    if c.below { " 未达标" } else { "" }
                ))
            }));
            row.push(OutCell::Decimal(u.months_below.to_string()));
            row
        })
        .collect();
    fenglai_ledger::write_table(
        &format!("全民招商月度报送（每月至少{}条有效线索）", t.quota),
        &headers,
        &rows,
    )
    .map_err(|e| Error::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_years() {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        assert_eq!(add_months(d(2026, 11), 3), d(2027, 2));
        assert_eq!(add_months(d(2026, 2), -5), d(2025, 9));
        assert_eq!(months_between(d(2025, 9), d(2026, 2)), 5);
        assert!(month("2026-13", "to").is_err());
        assert!(month("2026-3", "to").is_err());
        assert_eq!(month(" 2026-03 ", "to").unwrap(), d(2026, 3));
    }
}
