//! Embedded reference data: GB/T 4754-2017 industries and GB/T 2260 regions.

use crate::{App, Result};
use fenglai_store::reference::{self, CodeName, NewIndustry, NewRegion, Table};
use std::collections::HashMap;

const INDUSTRIES: &str = include_str!("../../../data/gbt4754-2017-industries.csv");
const PROVINCES: &str = include_str!("../../../data/regions/provinces.csv");
const CITIES: &str = include_str!("../../../data/regions/cities.csv");
const AREAS: &str = include_str!("../../../data/regions/areas.csv");

/// Splits one CSV line (double quotes, no embedded newlines).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn rows(csv: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| fields(l.trim_end_matches('\r')))
}

/// Industries as (code, name, level, parent, section).
pub fn industries() -> Vec<(String, String, i64, Option<String>, String)> {
    let raw: Vec<Vec<String>> = rows(INDUSTRIES).collect();
    let parent: HashMap<&str, &str> = raw.iter().map(|r| (r[0].as_str(), r[3].as_str())).collect();
    raw.iter()
        .map(|r| {
            let mut top = r[0].as_str();
            while let Some(p) = parent.get(top).filter(|p| !p.is_empty()) {
                top = p;
            }
            let p = (!r[3].is_empty()).then(|| r[3].clone());
            (
                r[0].clone(),
                r[1].trim().to_string(),
                r[2].parse().unwrap_or(0),
                p,
                top.to_string(),
            )
        })
        .collect()
}

/// Regions as (six-digit code, name, level, parent, full name).
pub fn regions() -> Vec<(String, String, i64, Option<String>, String)> {
    let mut out = Vec::new();
    let mut prov = HashMap::new();
    for r in rows(PROVINCES) {
        let code = format!("{}0000", r[0]);
        prov.insert(r[0].clone(), r[1].clone());
        out.push((code, r[1].clone(), 1, None, r[1].clone()));
    }
    let mut city = HashMap::new();
    for r in rows(CITIES) {
        let code = format!("{}00", r[0]);
        let p = prov.get(&r[2]).cloned().unwrap_or_default();
        let full = if r[1] == "市辖区" || r[1] == "县" {
            p.clone()
        } else {
            format!("{p}{}", r[1])
        };
        city.insert(r[0].clone(), full.clone());
        out.push((code, r[1].clone(), 2, Some(format!("{}0000", r[2])), full));
    }
    for r in rows(AREAS) {
        let c = city.get(&r[2]).cloned().unwrap_or_default();
        out.push((
            r[0].clone(),
            r[1].clone(),
            3,
            Some(format!("{}00", r[2])),
            format!("{c}{}", r[1]),
        ));
    }
    // A few county-level codes repeat a city's six-digit code; the first (higher) level wins.
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(r.0.clone()));
    out
}

/// Loads the reference tables on first start.
pub async fn ensure_loaded(app: &App) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if reference::count_industries(&mut tx).await? > 0 {
        return Ok(());
    }
    let ind = industries();
    let rows: Vec<NewIndustry> = ind
        .iter()
        .map(|(c, n, l, p, s)| NewIndustry {
            code: c,
            name: n,
            level: *l,
            parent_code: p.as_deref(),
            section: s,
        })
        .collect();
    reference::insert_industries(&mut tx, &rows).await?;
    let reg = regions();
    let rows: Vec<NewRegion> = reg
        .iter()
        .map(|(c, n, l, p, f)| NewRegion {
            code: c,
            name: n,
            level: *l,
            parent_code: p.as_deref(),
            full_name: f,
        })
        .collect();
    reference::insert_regions(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn search_industries(app: &App, q: &str) -> Result<Vec<CodeName>> {
    let mut c = app.db.acquire().await?;
    Ok(reference::search(&mut c, Table::Industries, q, 30).await?)
}

pub async fn search_regions(app: &App, q: &str) -> Result<Vec<CodeName>> {
    let mut c = app.db.acquire().await?;
    Ok(reference::search(&mut c, Table::Regions, q, 30).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_parse() {
        let ind = industries();
        assert!(ind.len() > 1900, "{}", ind.len());
        let c3 = ind.iter().find(|r| r.0 == "3982").expect("3982 present");
        assert_eq!(c3.4, "C");
        let reg = regions();
        let sz = reg.iter().find(|r| r.0 == "320505").expect("虎丘区");
        assert_eq!(sz.4, "江苏省苏州市虎丘区");
        assert!(reg.iter().any(|r| r.0 == "320500" && r.4 == "江苏省苏州市"));
    }
}
