//! A synthetic enterprise registry (企业库) as the CSV `fenglai registry import` reads:
//! `fenglai gen registry`, and the demo's 20,000 companies.

use fenglai_app::reference;
use fenglai_chains::registry::HEADER;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;

/// Provinces weighted by how many companies they register (roughly), for the generator.
const PROVINCE_WEIGHTS: &[(&str, u32)] = &[
    ("44", 12),
    ("32", 11),
    ("33", 9),
    ("37", 7),
    ("31", 5),
    ("11", 5),
    ("34", 4),
    ("35", 4),
    ("42", 4),
    ("51", 4),
    ("41", 4),
    ("43", 3),
    ("12", 2),
    ("13", 3),
    ("50", 2),
    ("61", 2),
    ("36", 2),
    ("21", 2),
    ("14", 1),
    ("15", 1),
    ("22", 1),
    ("23", 1),
    ("45", 1),
    ("46", 1),
    ("52", 1),
    ("53", 1),
    ("54", 1),
    ("62", 1),
    ("63", 1),
    ("64", 1),
    ("65", 1),
];
const ABROAD: &[&str] = &["JP", "KR", "US", "DE", "GB", "FR", "810000", "710000"];
const FIRST: &str = "华恒博天瑞鼎盛中新永宏金泰鑫隆昌达嘉裕晨海德润安凯信亿远正明光科启睿宁";
const SECOND: &str = "芯瑞远成泰源达信弘润德安辉峰联创拓宇阳星途铭川晟昊禾邦威腾越诚通";
const SUFFIXES: &[&str] = &[
    "有限公司",
    "有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
];
const GENERIC: &[&str] = &[
    "技术开发、技术服务",
    "货物进出口",
    "销售自产产品",
    "技术转让",
    "仓储服务（不含危险品）",
];
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A deterministic synthetic registry: `rows` companies over every province (weighted),
/// a few abroad, industries mostly in manufacturing, scopes that name chain keywords,
/// realistic shares of 上市 / 500强 / 央企 and growth signals; companies in `home` (a region
/// prefix, e.g. 3411) carry yearly output and tax. Credit codes are unique and valid.
pub fn write<W: Write>(
    out: W,
    rows: u64,
    seed: u64,
    home: &str,
    progress: &dyn Fn(u64),
) -> std::io::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let regions = reference::regions();
    let counties: Vec<(String, String)> = regions
        .iter()
        .filter(|r| r.2 == 3 && r.1 != "市辖区")
        .map(|r| (r.0.clone(), r.4.clone()))
        .collect();
    let by_province: Vec<(u32, Vec<&(String, String)>)> = PROVINCE_WEIGHTS
        .iter()
        .map(|(p, w)| (*w, counties.iter().filter(|c| c.0.starts_with(p)).collect()))
        .filter(|(_, v): &(u32, Vec<_>)| !v.is_empty())
        .collect();
    let total_w: u32 = by_province.iter().map(|(w, _)| w).sum();
    let industries = reference::industries();
    let (manufacturing, other): (Vec<_>, Vec<_>) = industries
        .iter()
        .filter(|i| i.2 == 4)
        .map(|i| (i.0.clone(), i.1.clone(), i.4.clone()))
        .partition(|i| i.2 == "C");
    let templates = fenglai_chains::templates();
    let mut keywords: std::collections::HashMap<String, Vec<String>> = Default::default();
    for t in &templates {
        for l in &t.links {
            for c in &l.codes {
                keywords
                    .entry(c.clone())
                    .or_default()
                    .extend(l.keywords.iter().cloned());
            }
        }
    }
    let home_counties: Vec<&(String, String)> =
        counties.iter().filter(|c| c.0.starts_with(home)).collect();
    let first: Vec<char> = FIRST.chars().collect();
    let second: Vec<char> = SECOND.chars().collect();
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, out));
    w.write_record(HEADER)?;
    for i in 0..rows {
        let abroad = rng.gen_bool(0.02);
        let local = !home_counties.is_empty() && rng.gen_bool(0.003);
        let (region, place) = if local {
            let c = home_counties[rng.gen_range(0..home_counties.len())];
            (c.0.clone(), c.1.clone())
        } else if abroad {
            let a = ABROAD[rng.gen_range(0..ABROAD.len())];
            (a.to_string(), String::new())
        } else {
            let mut x = rng.gen_range(0..total_w);
            let mut pick = &by_province[0].1;
            for (wgt, v) in &by_province {
                if x < *wgt {
                    pick = v;
                    break;
                }
                x -= wgt;
            }
            let c = pick[rng.gen_range(0..pick.len())];
            (c.0.clone(), c.1.clone())
        };
        let ind = if rng.gen_bool(0.75) {
            &manufacturing[rng.gen_range(0..manufacturing.len())]
        } else {
            &other[rng.gen_range(0..other.len())]
        };
        // a credit code registered in a Chinese region (abroad: a foreign-invested company
        // in Shanghai), its serial the row number in base 31: unique
        let reg6 = if region.len() == 6 && !region.starts_with('8') && !region.starts_with('7') {
            region.clone()
        } else {
            "310115".to_string()
        };
        let mut body = format!("91{reg6}");
        let mut n = i;
        let mut serial = [b'0'; 9];
        for s in serial.iter_mut().rev() {
            *s = ALPHABET[(n % 31) as usize];
            n /= 31;
        }
        body.push_str(std::str::from_utf8(&serial).unwrap_or("000000000"));
        let check = fenglai_domain::uscc::check_char(body.as_bytes()).unwrap_or('0');
        body.push(check);
        let trade: String = ind
            .1
            .trim_end_matches("制造")
            .trim_end_matches("加工")
            .trim_end_matches("服务")
            .trim_start_matches("其他")
            .chars()
            .take(4)
            .collect();
        let short_place: String = place.trim_start_matches(' ').chars().take(2).collect();
        let name = format!(
            "{short_place}{}{}{}{trade}{}",
            first[rng.gen_range(0..first.len())],
            second[rng.gen_range(0..second.len())],
            if rng.gen_bool(0.3) { "科技" } else { "" },
            SUFFIXES[rng.gen_range(0..SUFFIXES.len())]
        );
        let mut scope = ind.1.clone();
        if let Some(k) = keywords.get(&ind.0) {
            if rng.gen_bool(0.7) {
                scope.push('；');
                scope.push_str(&k[rng.gen_range(0..k.len())]);
                scope.push_str("的研发、生产与销售");
            }
        }
        scope.push('；');
        scope.push_str(GENERIC[rng.gen_range(0..GENERIC.len())]);
        let mut flags = 0;
        if rng.gen_bool(0.015) {
            flags |= fenglai_chains::target::LISTED;
        }
        if rng.gen_bool(0.001) {
            flags |= fenglai_chains::target::CHINA500;
        }
        if rng.gen_bool(0.0002) {
            flags |= fenglai_chains::target::GLOBAL500;
        }
        if rng.gen_bool(0.0015) {
            flags |= fenglai_chains::target::CENTRAL_SOE;
        }
        let exp: f64 = rng.gen_range(1.0..5.5) + if flags != 0 { 2.0 } else { 0.0 };
        let capital_wan = 10f64.powf(exp).round() as i64;
        let founded = format!(
            "{}-{:02}-{:02}",
            rng.gen_range(1985..2026),
            rng.gen_range(1..13),
            rng.gen_range(1..29)
        );
        let branches = if rng.gen_bool(0.05) {
            rng.gen_range(1..5)
        } else {
            0
        };
        let rounds = if rng.gen_bool(0.02) {
            rng.gen_range(1..4)
        } else {
            0
        };
        let (output, tax) = if local {
            let o = capital_wan * rng.gen_range(1..6);
            (o.to_string(), (o * rng.gen_range(2..9) / 100).to_string())
        } else {
            (String::new(), String::new())
        };
        w.write_record([
            body.as_str(),
            &name,
            &region,
            &ind.0,
            &capital_wan.to_string(),
            &founded,
            &scope,
            &fenglai_chains::target::flag_labels(flags).join("|"),
            &branches.to_string(),
            &rounds.to_string(),
            &output,
            &tax,
        ])?;
        if i % 100_000 == 0 {
            progress(i);
        }
    }
    w.flush()?;
    progress(rows);
    Ok(())
}
