//! Targeting: how well a company outside the city fits a link, every point explained.
//!
//! The order of a target list is fit first (industry code, then keywords of the business
//! scope), then the priority flags the seed names (世界500强, 中国500强, 央企, 上市: a
//! flagged company comes before an unflagged one of equal fit), then the rest of the
//! score (flags, size, key region, growth signals).

use crate::{code_fit, keyword_hits, CodeFit};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

pub const LISTED: i64 = 1;
pub const GLOBAL500: i64 = 2;
pub const CHINA500: i64 = 4;
pub const CENTRAL_SOE: i64 = 8;

/// (bit, label, points)
pub const FLAGS: &[(i64, &str, i64)] = &[
    (GLOBAL500, "世界500强", 30),
    (CHINA500, "中国500强", 20),
    (CENTRAL_SOE, "央企", 20),
    (LISTED, "上市", 15),
];
/// The flags' points together count at most this much.
pub const MAX_FLAG_POINTS: i64 = 50;

pub fn flag_labels(flags: i64) -> Vec<&'static str> {
    FLAGS
        .iter()
        .filter(|(b, _, _)| flags & b != 0)
        .map(|(_, l, _)| *l)
        .collect()
}

/// Flags written as labels separated by `|`, 、 or commas (also `listed`, `global500`,
/// `china500`, `central_soe`, and 500强 for 世界500强); empty is none.
pub fn parse_flags(s: &str) -> Result<i64, String> {
    let mut bits = 0;
    for t in crate::split_list(s) {
        bits |= match t {
            "上市" | "上市公司" | "listed" => LISTED,
            "世界500强" | "500强" | "global500" => GLOBAL500,
            "中国500强" | "china500" => CHINA500,
            "央企" | "中央企业" | "central_soe" => CENTRAL_SOE,
            _ => {
                return Err(format!(
                    "标签“{t}”不对：应为上市、世界500强、中国500强或央企"
                ))
            }
        };
    }
    Ok(bits)
}

/// A key region (重点区域): provinces by the first two digits of their GB/T 2260 code,
/// or countries by ISO 3166 alpha-2 code for companies registered abroad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRegion {
    pub name: String,
    pub prefixes: Vec<String>,
}

impl KeyRegion {
    pub fn contains(&self, region_code: &str) -> bool {
        let p = province(region_code);
        self.prefixes.iter().any(|x| *x == p)
    }
}

/// The province part of a region: the first two characters (a GB/T 2260 province, or an
/// ISO country code).
pub fn province(region_code: &str) -> &str {
    region_code.get(..2).unwrap_or(region_code)
}

/// The seed's key regions: 京津冀, 长三角, 珠三角/大湾区, 港台, 日韩, 欧美.
pub fn default_key_regions() -> Vec<KeyRegion> {
    let r = |name: &str, p: &[&str]| KeyRegion {
        name: name.into(),
        prefixes: p.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        r("京津冀", &["11", "12", "13"]),
        r("长三角", &["31", "32", "33", "34"]),
        r("珠三角/大湾区", &["44", "81", "82"]),
        r("港台", &["81", "82", "71"]),
        r("日韩", &["JP", "KR"]),
        r(
            "欧美",
            &[
                "US", "CA", "DE", "FR", "GB", "IT", "NL", "CH", "SE", "BE", "DK", "FI", "AT", "ES",
            ],
        ),
    ]
}

/// Checks configured key regions: a name, and 2-character province or country codes.
pub fn check_key_regions(regions: &[KeyRegion]) -> Result<(), String> {
    for r in regions {
        if r.name.trim().is_empty() {
            return Err("重点区域需要名称".into());
        }
        if r.prefixes.is_empty() {
            return Err(format!("重点区域“{}”没有省份或国家", r.name));
        }
        for p in &r.prefixes {
            let ok = p.len() == 2
                && (p.bytes().all(|b| b.is_ascii_digit())
                    || p.bytes().all(|b| b.is_ascii_uppercase()));
            if !ok {
                return Err(format!(
                    "重点区域“{}”的代码“{p}”不对：应为两位省级代码（如 32）或两位国家代码（如 JP）",
                    r.name
                ));
            }
        }
    }
    Ok(())
}

/// A company of the registry, as scoring reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidate {
    pub industry_code: String,
    pub region_code: String,
    pub scope: String,
    pub flags: i64,
    pub capital_yuan: i64,
    pub new_branches: i64,
    pub financing_rounds: i64,
}

/// One line of a score's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub label: String,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// industry and keyword fit
    pub fit: i64,
    /// carries a priority flag (500强, 央企, 上市)
    pub priority: bool,
    /// every part added up
    pub total: i64,
    pub parts: Vec<Part>,
}

/// What a link asks of a company.
#[derive(Debug, Clone, Default)]
pub struct LinkCriteria {
    pub codes: Vec<String>,
    pub keywords: Vec<String>,
}

/// Scores `c` against a link; `None` when its industry code does not fit.
pub fn score(link: &LinkCriteria, c: &Candidate, regions: &[KeyRegion]) -> Option<Score> {
    let mut parts = Vec::new();
    let code = match code_fit(&link.codes, &c.industry_code) {
        CodeFit::Exact => 40,
        CodeFit::Class => 25,
        CodeFit::None => return None,
    };
    parts.push(Part {
        label: if code == 40 {
            format!("行业代码 {} 与环节一致", c.industry_code)
        } else {
            format!("行业代码 {} 属环节所列中类", c.industry_code)
        },
        points: code,
    });
    let hits = keyword_hits(&link.keywords, &c.scope);
    let kw = (hits.len() as i64 * 10).min(30);
    if kw > 0 {
        parts.push(Part {
            label: format!("经营范围含“{}”", hits.join("、")),
            points: kw,
        });
    }
    let fit = code + kw;
    let mut flag_points = 0;
    for (bit, label, pts) in FLAGS {
        if c.flags & bit != 0 {
            let p = (*pts).min(MAX_FLAG_POINTS - flag_points);
            flag_points += p;
            parts.push(Part {
                label: label.to_string(),
                points: p,
            });
        }
    }
    let size = match c.capital_yuan {
        x if x >= 10_000_000_000 => 20,
        x if x >= 1_000_000_000 => 15,
        x if x >= 100_000_000 => 10,
        x if x >= 10_000_000 => 5,
        _ => 0,
    };
    if size > 0 {
        parts.push(Part {
            label: format!("注册资本 {}万元", c.capital_yuan / 10_000),
            points: size,
        });
    }
    if let Some(r) = regions.iter().find(|r| r.contains(&c.region_code)) {
        parts.push(Part {
            label: format!("位于重点区域{}", r.name),
            points: 10,
        });
    }
    if c.new_branches > 0 {
        parts.push(Part {
            label: format!("近一年新设分支机构 {} 家", c.new_branches),
            points: (c.new_branches * 3).min(9),
        });
    }
    if c.financing_rounds > 0 {
        parts.push(Part {
            label: format!("近一年融资 {} 轮", c.financing_rounds),
            points: (c.financing_rounds * 4).min(12),
        });
    }
    Some(Score {
        fit,
        priority: c.flags != 0,
        total: parts.iter().map(|p| p.points).sum(),
        parts,
    })
}

/// The order of a target list: better first.
pub fn better(a: &Score, b: &Score) -> Ordering {
    b.fit
        .cmp(&a.fit)
        .then(b.priority.cmp(&a.priority))
        .then(b.total.cmp(&a.total))
}

/// The `n` best of scored items (ties kept in their given order).
pub fn top<T>(mut items: Vec<(Score, T)>, n: usize) -> Vec<(Score, T)> {
    if items.len() > n {
        items.select_nth_unstable_by(n, |a, b| better(&a.0, &b.0));
        items.truncate(n);
    }
    items.sort_by(|a, b| better(&a.0, &b.0));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn link() -> LinkCriteria {
        LinkCriteria {
            codes: vec!["3841".into(), "292".into()],
            keywords: vec!["电芯".into(), "动力电池".into()],
        }
    }

    #[test]
    fn explains_every_point() {
        let c = Candidate {
            industry_code: "3841".into(),
            region_code: "320500".into(),
            scope: "动力电池电芯的研发与制造".into(),
            flags: GLOBAL500 | LISTED,
            capital_yuan: 2_000_000_000,
            new_branches: 5,
            financing_rounds: 1,
        };
        let s = score(&link(), &c, &default_key_regions()).unwrap();
        assert_eq!(s.fit, 60);
        assert!(s.priority);
        assert_eq!(s.total, s.parts.iter().map(|p| p.points).sum::<i64>());
        let labels: Vec<&str> = s.parts.iter().map(|p| p.label.as_str()).collect();
        assert!(labels.contains(&"世界500强"), "{labels:?}");
        assert!(labels.iter().any(|l| l.contains("长三角")));
        assert!(labels.iter().any(|l| l.contains("分支机构 5 家")));
        // 30 + 15 flags, branches capped at 9
        assert_eq!(s.total, 40 + 20 + 30 + 15 + 15 + 10 + 9 + 4);
        let other = Candidate {
            industry_code: "3842".into(),
            ..c.clone()
        };
        assert!(score(&link(), &other, &[]).is_none());
        let class = Candidate {
            industry_code: "2921".into(),
            ..c
        };
        assert_eq!(score(&link(), &class, &[]).unwrap().fit, 25 + 20);
    }

    #[test]
    fn flags_and_regions_parse() {
        assert_eq!(parse_flags("上市|世界500强").unwrap(), LISTED | GLOBAL500);
        assert_eq!(parse_flags("").unwrap(), 0);
        assert!(parse_flags("独角兽").unwrap_err().contains("独角兽"));
        assert_eq!(flag_labels(CENTRAL_SOE | CHINA500), ["中国500强", "央企"]);
        let r = default_key_regions();
        assert!(check_key_regions(&r).is_ok());
        assert!(r[4].contains("JP"));
        assert!(r[1].contains("330100"));
        let bad = vec![KeyRegion {
            name: "苏州".into(),
            prefixes: vec!["3205".into()],
        }];
        assert!(check_key_regions(&bad).unwrap_err().contains("3205"));
    }

    fn cand() -> impl Strategy<Value = Candidate> {
        (
            prop_oneof![Just("3841"), Just("2921"), Just("2922")],
            prop_oneof![Just("320500"), Just("510100"), Just("JP")],
            prop_oneof![Just(""), Just("电芯"), Just("电芯 动力电池")],
            0i64..16,
            0i64..20_000_000_000,
            0i64..5,
            0i64..4,
        )
            .prop_map(|(code, region, scope, flags, cap, nb, fr)| Candidate {
                industry_code: code.into(),
                region_code: region.into(),
                scope: scope.into(),
                flags,
                capital_yuan: cap,
                new_branches: nb,
                financing_rounds: fr,
            })
    }

    proptest! {
        #[test]
        fn flagged_first_when_fit_is_equal(a in cand(), b in cand()) {
            let r = default_key_regions();
            let (sa, sb) = (score(&link(), &a, &r).unwrap(), score(&link(), &b, &r).unwrap());
            prop_assert_eq!(sa.total, sa.parts.iter().map(|p| p.points).sum::<i64>());
            if sa.fit == sb.fit && sa.priority && !sb.priority {
                prop_assert_eq!(better(&sa, &sb), Ordering::Less);
            }
            if sa.fit > sb.fit {
                prop_assert_eq!(better(&sa, &sb), Ordering::Less);
            }
        }

        #[test]
        fn top_is_a_sorted_prefix(cs in proptest::collection::vec(cand(), 0..60), n in 0usize..30) {
            let r = default_key_regions();
            let items: Vec<(Score, usize)> = cs.iter().enumerate().map(|(i, c)| (score(&link(), c, &r).unwrap(), i)).collect();
            let mut all = items.clone();
            all.sort_by(|a, b| better(&a.0, &b.0));
            let t = top(items, n);
            prop_assert_eq!(t.len(), n.min(cs.len()));
            for (x, y) in t.iter().zip(all.iter()) {
                prop_assert_eq!(better(&x.0, &y.0), Ordering::Equal);
            }
        }
    }
}
