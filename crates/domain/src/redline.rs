//! Red lines (红线): the negative list of industries to refuse, and the checks that
//! flag a lead before and during review (seed 001: phase out high-energy,
//! high-pollution, low-yield industry; refuse projects that fail environmental
//! assessment or contribute little).

/// One entry of the negative list: matched by GB/T 4754 code prefix or by keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegativeRule {
    pub id: i64,
    /// A GB/T 4754 code or prefix ("2521", "311"); empty when matched by keywords only.
    pub code_prefix: String,
    /// Keywords looked for in the company name and description ("小化工", "电镀").
    pub keywords: Vec<String>,
    /// 淘汰 (eliminated) or 限制 (restricted).
    pub category: String,
    pub name: String,
}

/// What a lead says about itself, as far as red lines care.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadFacts {
    pub industry_code: Option<String>,
    pub text: String,
    pub planned_investment_yuan: Option<i64>,
    pub land_mu: Option<f64>,
    pub expected_tax_yuan: Option<i64>,
    pub expected_output_yuan: Option<i64>,
    /// Annual energy use, tonnes of standard coal equivalent (吨标准煤).
    pub energy_tce: Option<f64>,
    /// 报告书 / 报告表 / 登记表
    pub env_category: Option<String>,
}

/// A receiving park's thresholds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    pub park: String,
    /// 万元 of investment per 亩, stored in yuan per 亩.
    pub min_intensity_yuan_per_mu: Option<i64>,
    /// Annual tax per 亩, yuan.
    pub min_tax_yuan_per_mu: Option<i64>,
    /// Tonnes of standard coal per 10,000 yuan of output.
    pub max_energy_tce_per_10k: Option<f64>,
    /// Environmental categories the park accepts; empty means any.
    pub env_categories: Vec<String>,
}

/// A red-line hit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Flag {
    /// negative_list, intensity, tax, energy, env_missing, env_category
    pub kind: &'static str,
    pub message: String,
}

/// The environmental categories of China's EIA classification.
pub const ENV_CATEGORIES: &[&str] = &["报告书", "报告表", "登记表"];

fn wan(yuan: f64) -> String {
    let w = yuan / 10_000.0;
    if (w - w.round()).abs() < 0.05 {
        format!("{:.0}", w)
    } else {
        format!("{:.1}", w)
    }
}

/// Every red line the lead crosses, against the negative list and (when a park is
/// known) the park's thresholds.
pub fn check(facts: &LeadFacts, rules: &[NegativeRule], park: Option<&Thresholds>) -> Vec<Flag> {
    let mut flags = Vec::new();
    for r in rules {
        let by_code = !r.code_prefix.is_empty()
            && facts
                .industry_code
                .as_deref()
                .is_some_and(|c| c.starts_with(&r.code_prefix));
        let word = r
            .keywords
            .iter()
            .find(|k| !k.is_empty() && facts.text.contains(k.as_str()));
        if by_code || word.is_some() {
            let why = match (by_code, word) {
                (true, _) => format!("行业代码 {}", r.code_prefix),
                (false, Some(w)) => format!("关键词“{w}”"),
                (false, None) => unreachable!("matched by code or word"),
            };
            flags.push(Flag {
                kind: "negative_list",
                message: format!("属于{}类产业“{}”（{}）", r.category, r.name, why),
            });
        }
    }
    match facts.env_category.as_deref() {
        None | Some("") => flags.push(Flag {
            kind: "env_missing",
            message: "未填写环评类别（报告书/报告表/登记表）".into(),
        }),
        Some(c) => {
            if let Some(p) = park {
                if !p.env_categories.is_empty() && !p.env_categories.iter().any(|a| a == c) {
                    flags.push(Flag {
                        kind: "env_category",
                        message: format!(
                            "环评类别为{c}，{}只接受{}",
                            p.park,
                            p.env_categories.join("、")
                        ),
                    });
                }
            }
        }
    }
    let Some(p) = park else { return flags };
    let land = facts.land_mu.filter(|m| *m > 0.0);
    if let (Some(min), Some(inv), Some(mu)) = (
        p.min_intensity_yuan_per_mu,
        facts.planned_investment_yuan,
        land,
    ) {
        let per = inv as f64 / mu;
        if per < min as f64 {
            flags.push(Flag {
                kind: "intensity",
                message: format!(
                    "投资强度 {} 万元/亩，低于{}要求的 {} 万元/亩",
                    wan(per),
                    p.park,
                    wan(min as f64)
                ),
            });
        }
    }
    if let (Some(min), Some(tax), Some(mu)) = (p.min_tax_yuan_per_mu, facts.expected_tax_yuan, land)
    {
        let per = tax as f64 / mu;
        if per < min as f64 {
            flags.push(Flag {
                kind: "tax",
                message: format!(
                    "亩均税收 {} 万元/亩，低于{}要求的 {} 万元/亩",
                    wan(per),
                    p.park,
                    wan(min as f64)
                ),
            });
        }
    }
    if let (Some(max), Some(tce), Some(out)) = (
        p.max_energy_tce_per_10k,
        facts.energy_tce,
        facts.expected_output_yuan.filter(|o| *o > 0),
    ) {
        let per = tce / (out as f64 / 10_000.0);
        if per > max {
            flags.push(Flag {
                kind: "energy",
                message: format!(
                    "单位产值能耗 {per:.3} 吨标煤/万元，高于{}上限 {max:.3}",
                    p.park
                ),
            });
        }
    }
    flags
}

/// The shipped negative list (code prefix, keywords separated by `|`, category, name),
/// after seed 001's "小化工、小钢铁、小造船" and the national catalogue of
/// eliminated and restricted capacity. Units edit it in the database.
pub const DEFAULT_NEGATIVE_LIST: &[(&str, &str, &str, &str)] = &[
    ("", "小化工|小化肥|小农药", "淘汰", "小化工"),
    ("", "小钢铁|小炼钢|小轧钢|地条钢|中频炉", "淘汰", "小钢铁"),
    ("", "小造船|小船厂|拆船", "淘汰", "小造船"),
    ("3110", "炼铁", "限制", "炼铁（新增产能）"),
    ("3120", "炼钢", "限制", "炼钢（新增产能）"),
    ("3140", "铁合金", "限制", "铁合金冶炼"),
    ("2521", "炼焦|焦化", "限制", "炼焦"),
    ("3011", "水泥熟料", "限制", "水泥熟料"),
    ("3041", "平板玻璃", "限制", "平板玻璃"),
    ("3216", "电解铝", "限制", "电解铝"),
    ("2611", "电石", "限制", "电石等无机基础化学原料"),
    ("2221", "小造纸|化学制浆", "限制", "化学制浆造纸"),
    ("1713", "印染", "限制", "印染"),
    ("1910", "制革|鞣制", "限制", "皮革鞣制"),
    ("3360", "电镀", "限制", "电镀（未进专业园区）"),
    (
        "",
        "小炼油|土炼油|土法炼焦|小冶炼",
        "淘汰",
        "土法冶炼与小炼油",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<NegativeRule> {
        DEFAULT_NEGATIVE_LIST
            .iter()
            .enumerate()
            .map(|(i, (code, words, cat, name))| NegativeRule {
                id: i as i64 + 1,
                code_prefix: code.to_string(),
                keywords: words.split('|').map(str::to_string).collect(),
                category: cat.to_string(),
                name: name.to_string(),
            })
            .collect()
    }

    fn park() -> Thresholds {
        Thresholds {
            park: "经开区".into(),
            min_intensity_yuan_per_mu: Some(3_000_000),
            min_tax_yuan_per_mu: Some(200_000),
            max_energy_tce_per_10k: Some(0.5),
            env_categories: vec!["报告表".into(), "登记表".into()],
        }
    }

    #[test]
    fn negative_list_by_code_and_keyword() {
        let f = check(
            &LeadFacts {
                industry_code: Some("2521".into()),
                env_category: Some("报告书".into()),
                ..Default::default()
            },
            &rules(),
            None,
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("炼焦"), "{:?}", f);
        let f = check(
            &LeadFacts {
                text: "某某小化工有限公司 年产农药中间体".into(),
                env_category: Some("报告表".into()),
                ..Default::default()
            },
            &rules(),
            None,
        );
        assert_eq!(f[0].kind, "negative_list");
        assert!(f[0].message.contains("关键词“小化工”"));
    }

    #[test]
    fn clean_lead_passes_and_missing_env_is_flagged() {
        let clean = LeadFacts {
            industry_code: Some("6520".into()),
            text: "芯片设计".into(),
            planned_investment_yuan: Some(1_000_000_000),
            land_mu: Some(200.0),
            expected_tax_yuan: Some(60_000_000),
            expected_output_yuan: Some(2_000_000_000),
            energy_tce: Some(5_000.0),
            env_category: Some("登记表".into()),
        };
        assert_eq!(check(&clean, &rules(), Some(&park())), vec![]);
        let f = check(
            &LeadFacts {
                env_category: None,
                ..clean.clone()
            },
            &rules(),
            None,
        );
        assert_eq!(f[0].kind, "env_missing");
    }

    #[test]
    fn below_thresholds() {
        let f = check(
            &LeadFacts {
                industry_code: Some("3399".into()),
                planned_investment_yuan: Some(100_000_000),
                land_mu: Some(100.0),
                expected_tax_yuan: Some(5_000_000),
                expected_output_yuan: Some(100_000_000),
                energy_tce: Some(10_000.0),
                env_category: Some("报告书".into()),
                ..Default::default()
            },
            &rules(),
            Some(&park()),
        );
        let kinds: Vec<&str> = f.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, ["env_category", "intensity", "tax", "energy"]);
        assert!(f[1]
            .message
            .contains("投资强度 100 万元/亩，低于经开区要求的 300 万元/亩"));
        assert!(f[2].message.contains("亩均税收 5 万元/亩"));
    }
}
