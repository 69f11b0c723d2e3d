//! Routing (匹配): which parks fit a lead, and why — "我有什么、我要什么" against what
//! the lead needs. A lead sent to a park that does not fit is the 两张皮 failure
//! (seed 002); a lead should fly to the park whose specialty fits (seed 001).
//!
//! [`rank`] scores every park out of 100 and lists its reasons and its blockers;
//! a park fits when nothing blocks it.

use crate::redline::Thresholds;

/// A land plot's use (用地性质).
pub const LAND_USES: &[(&str, &str)] = &[
    ("industrial", "工业用地"),
    ("rd", "新型产业用地（M0）"),
    ("commercial", "商服用地"),
    ("warehouse", "仓储用地"),
];

/// A plot's supply status.
pub const PLOT_STATUSES: &[(&str, &str)] = &[
    ("ready", "净地可供"),
    ("preparing", "整理中"),
    ("supplied", "已供应"),
];

pub fn land_use_label(code: &str) -> &str {
    LAND_USES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

pub fn plot_status_label(code: &str) -> &str {
    PLOT_STATUSES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

/// The land uses that can host a project of an industry section.
pub fn uses_for_section(section: Option<&str>) -> &'static [&'static str] {
    match section {
        Some("B" | "C" | "D" | "E") => &["industrial", "rd"],
        Some("G") => &["warehouse", "industrial"],
        Some(_) => &["rd", "commercial"],
        None => &["industrial", "rd", "commercial", "warehouse"],
    }
}

/// What a lead needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Need {
    pub industry_code: Option<String>,
    pub industry_section: Option<String>,
    /// Name and description, searched for chain keywords.
    pub text: String,
    pub land_mu: Option<f64>,
    pub planned_investment_yuan: Option<i64>,
    pub expected_tax_yuan: Option<i64>,
    pub power_kva: Option<i64>,
    pub env_category: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    pub name: String,
    pub area_mu: f64,
    pub land_use: String,
    pub status: String,
}

/// A park's offer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Offer {
    pub park_id: i64,
    pub name: String,
    /// (code, name): GB/T 4754 codes of 2-4 digits, or section letters.
    pub industries: Vec<(String, String)>,
    /// Chain names, matched as keywords ("集成电路", "新能源电池").
    pub chains: Vec<String>,
    pub plots: Vec<Plot>,
    pub power_kva: Option<i64>,
    pub thresholds: Thresholds,
}

/// How well one park fits.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fit {
    pub park_id: i64,
    pub park: String,
    pub score: i64,
    pub fits: bool,
    pub reasons: Vec<String>,
    pub blockers: Vec<String>,
}

fn mu(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{:.0}", v)
    } else {
        format!("{:.1}", v)
    }
}

fn wan(yuan: f64) -> String {
    mu(yuan / 10_000.0)
}

/// Scores one park against a need.
pub fn fit(need: &Need, offer: &Offer) -> Fit {
    let mut score = 0;
    let mut reasons = Vec::new();
    let mut blockers = Vec::new();

    // industry: the most precise match among the park's leading industries
    match need.industry_code.as_deref() {
        None => blockers.push("线索未填写行业，无法判断产业契合".to_string()),
        Some(code) => {
            let best = offer
                .industries
                .iter()
                .filter(|(c, _)| {
                    if c.len() == 1 {
                        need.industry_section.as_deref() == Some(c.as_str())
                    } else {
                        code.starts_with(c.as_str())
                    }
                })
                .max_by_key(|(c, _)| if c.len() == 1 { 0 } else { c.len() });
            match best {
                Some((c, n)) if c.len() >= 2 => {
                    let pts = match c.len() {
                        4 => 40,
                        3 => 32,
                        _ => 25,
                    };
                    score += pts;
                    reasons.push(format!("主导产业含 {c} {n}"));
                }
                Some((c, n)) => {
                    score += 8;
                    blockers.push(format!("仅同属门类 {c} {n}，不在园区主导产业内（两张皮）"));
                }
                None => blockers.push(format!("行业 {code} 不在园区主导产业内（两张皮）")),
            }
        }
    }
    if let Some(chain) = offer
        .chains
        .iter()
        .find(|c| !c.is_empty() && need.text.contains(c.as_str()))
    {
        score += 10;
        reasons.push(format!("契合园区产业链“{chain}”"));
    }

    // land: one ready plot big enough, several together, or plots being prepared
    match need.land_mu.filter(|m| *m > 0.0) {
        None => {
            score += 15;
            reasons.push("不需新增用地".to_string());
        }
        Some(need_mu) => {
            let uses = uses_for_section(need.industry_section.as_deref());
            let usable: Vec<&Plot> = offer
                .plots
                .iter()
                .filter(|p| uses.contains(&p.land_use.as_str()))
                .collect();
            let ready: Vec<&Plot> = usable
                .iter()
                .copied()
                .filter(|p| p.status == "ready")
                .collect();
            let ready_sum: f64 = ready.iter().map(|p| p.area_mu).sum();
            let preparing_sum: f64 = usable
                .iter()
                .filter(|p| p.status == "preparing")
                .map(|p| p.area_mu)
                .sum();
            let biggest = ready
                .iter()
                .copied()
                .max_by(|a, b| a.area_mu.total_cmp(&b.area_mu));
            match biggest {
                Some(p) if p.area_mu >= need_mu => {
                    score += 30;
                    reasons.push(format!(
                        "有单宗净地可供：{} {} 亩{}（需 {} 亩）",
                        p.name,
                        mu(p.area_mu),
                        land_use_label(&p.land_use),
                        mu(need_mu)
                    ));
                }
                _ if ready_sum >= need_mu => {
                    score += 20;
                    reasons.push(format!(
                        "净地 {} 宗合计 {} 亩，可组合供地（需 {} 亩）",
                        ready.len(),
                        mu(ready_sum),
                        mu(need_mu)
                    ));
                }
                _ if ready_sum + preparing_sum >= need_mu => {
                    score += 10;
                    reasons.push(format!(
                        "净地 {} 亩不足，整理中地块 {} 亩完成后可供（需 {} 亩）",
                        mu(ready_sum),
                        mu(preparing_sum),
                        mu(need_mu)
                    ));
                }
                _ => blockers.push(format!(
                    "可供地不足：需 {} 亩，适用净地 {} 亩、整理中 {} 亩",
                    mu(need_mu),
                    mu(ready_sum),
                    mu(preparing_sum)
                )),
            }
        }
    }

    // thresholds the park demands
    let t = &offer.thresholds;
    let land = need.land_mu.filter(|m| *m > 0.0);
    match (
        t.min_intensity_yuan_per_mu,
        need.planned_investment_yuan,
        land,
    ) {
        (Some(min), Some(inv), Some(m)) => {
            let per = inv as f64 / m;
            if per >= min as f64 {
                score += 10;
                reasons.push(format!(
                    "投资强度 {} 万元/亩，达到园区要求 {} 万元/亩",
                    wan(per),
                    wan(min as f64)
                ));
            } else {
                blockers.push(format!(
                    "投资强度 {} 万元/亩，低于园区要求 {} 万元/亩",
                    wan(per),
                    wan(min as f64)
                ));
            }
        }
        (None, _, _) => score += 10,
        _ => {}
    }
    match (t.min_tax_yuan_per_mu, need.expected_tax_yuan, land) {
        (Some(min), Some(tax), Some(m)) => {
            let per = tax as f64 / m;
            if per >= min as f64 {
                score += 5;
                reasons.push(format!(
                    "亩均税收 {} 万元/亩，达到园区要求 {} 万元/亩",
                    wan(per),
                    wan(min as f64)
                ));
            } else {
                blockers.push(format!(
                    "亩均税收 {} 万元/亩，低于园区要求 {} 万元/亩",
                    wan(per),
                    wan(min as f64)
                ));
            }
        }
        (None, _, _) => score += 5,
        _ => {}
    }
    match (need.power_kva, offer.power_kva) {
        (Some(n), Some(cap)) if n <= cap => {
            score += 5;
            reasons.push(format!("供电容量 {cap} kVA 满足需求 {n} kVA"));
        }
        (Some(n), Some(cap)) => {
            blockers.push(format!("供电容量 {cap} kVA 不足需求 {n} kVA"));
        }
        _ => {}
    }
    if let Some(c) = need.env_category.as_deref() {
        if !t.env_categories.is_empty() && !t.env_categories.iter().any(|a| a == c) {
            blockers.push(format!(
                "环评类别{c}，园区只接受{}",
                t.env_categories.join("、")
            ));
        }
    }
    Fit {
        park_id: offer.park_id,
        park: offer.name.clone(),
        score: score.min(100),
        fits: blockers.is_empty(),
        reasons,
        blockers,
    }
}

/// Every park, those that fit first, then by score, then by name.
pub fn rank(need: &Need, offers: &[Offer]) -> Vec<Fit> {
    let mut fits: Vec<Fit> = offers.iter().map(|o| fit(need, o)).collect();
    fits.sort_by(|a, b| {
        b.fits
            .cmp(&a.fits)
            .then(b.score.cmp(&a.score))
            .then(a.park.cmp(&b.park))
    });
    fits
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ic_need() -> Need {
        Need {
            industry_code: Some("6520".into()),
            industry_section: Some("I".into()),
            text: "集成电路设计".into(),
            land_mu: Some(200.0),
            planned_investment_yuan: Some(1_000_000_000),
            ..Default::default()
        }
    }

    fn plot(area: f64, status: &str) -> Plot {
        Plot {
            name: format!("{area}亩地块"),
            area_mu: area,
            land_use: "rd".into(),
            status: status.into(),
        }
    }

    fn park(id: i64, industries: &[&str], plots: Vec<Plot>) -> Offer {
        Offer {
            park_id: id,
            name: format!("园区{id}"),
            industries: industries
                .iter()
                .map(|c| (c.to_string(), "x".to_string()))
                .collect(),
            plots,
            ..Default::default()
        }
    }

    #[test]
    fn ic_design_ranks_the_fitting_park_first() {
        let with = park(1, &["6520", "3973"], vec![plot(260.0, "ready")]);
        let no_industry = park(2, &["3670"], vec![plot(500.0, "ready")]);
        let no_land = park(3, &["6520"], vec![plot(80.0, "ready")]);
        let r = rank(&ic_need(), &[no_industry, no_land, with]);
        assert_eq!(r[0].park_id, 1);
        assert!(r[0].fits);
        assert!(r[0].reasons.iter().any(|s| s.contains("6520")));
        assert!(r[0].reasons.iter().any(|s| s.contains("260 亩")));
        assert!(!r[1].fits && !r[2].fits);
        let p2 = r.iter().find(|f| f.park_id == 2).unwrap();
        assert!(p2.blockers[0].contains("两张皮"));
        let p3 = r.iter().find(|f| f.park_id == 3).unwrap();
        assert!(p3.blockers[0].contains("可供地不足：需 200 亩"));
    }

    #[test]
    fn land_combined_and_preparing() {
        let two = park(
            1,
            &["65"],
            vec![
                plot(120.0, "ready"),
                plot(90.0, "ready"),
                plot(999.0, "supplied"),
            ],
        );
        let f = fit(&ic_need(), &two);
        assert!(f.fits);
        assert!(f.reasons.iter().any(|s| s.contains("合计 210 亩")), "{f:?}");
        let later = park(
            2,
            &["65"],
            vec![plot(50.0, "ready"), plot(200.0, "preparing")],
        );
        let f = fit(&ic_need(), &later);
        assert!(f.fits && f.reasons.iter().any(|s| s.contains("整理中")));
        // industrial land does not host a software company
        let wrong_use = park(
            3,
            &["6520"],
            vec![Plot {
                land_use: "industrial".into(),
                ..plot(300.0, "ready")
            }],
        );
        assert!(!fit(&ic_need(), &wrong_use).fits);
    }

    #[test]
    fn thresholds_block() {
        let mut p = park(1, &["6520"], vec![plot(300.0, "ready")]);
        p.thresholds.min_intensity_yuan_per_mu = Some(8_000_000);
        let f = fit(&ic_need(), &p);
        assert!(!f.fits);
        assert!(f.blockers[0].contains("投资强度 500 万元/亩，低于园区要求 800 万元/亩"));
        p.thresholds.min_intensity_yuan_per_mu = Some(4_000_000);
        p.power_kva = Some(1000);
        let f = fit(
            &Need {
                power_kva: Some(5000),
                ..ic_need()
            },
            &p,
        );
        assert!(f.blockers[0].contains("供电容量 1000 kVA 不足"));
    }

    proptest! {
        /// More ready land never lowers a park's score, and scores stay within 0-100.
        #[test]
        fn more_land_never_hurts(a in 0.0f64..500.0, extra in 0.0f64..500.0, need in 1.0f64..400.0) {
            let n = Need { land_mu: Some(need), ..ic_need() };
            let small = fit(&n, &park(1, &["6520"], vec![plot(a, "ready")]));
            let big = fit(&n, &park(1, &["6520"], vec![plot(a + extra, "ready")]));
            prop_assert!(big.score >= small.score);
            prop_assert!((0..=100).contains(&big.score));
            prop_assert!(!small.fits || big.fits);
        }
    }
}
