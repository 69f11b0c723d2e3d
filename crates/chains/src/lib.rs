//! Industry chains (产业链招商), pure: no I/O.
//!
//! A chain is a graph of links (环节) from upstream to downstream; each link is described
//! by GB/T 4754 codes (4-digit 小类, or 3-digit 中类 meaning all its 小类) and keywords of
//! a business scope. [`classify`] classes a link 强 / 弱 / 缺 from its local strength by
//! configurable [`ClassRules`]; [`target`] scores a company outside the city against a link,
//! with every point explained. Templates of common chains ship as data ([`templates`]).

pub mod registry;
pub mod target;

use serde::{Deserialize, Serialize};

/// Where a link sits in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Upstream,
    Midstream,
    Downstream,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Upstream, Tier::Midstream, Tier::Downstream];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Upstream => "upstream",
            Tier::Midstream => "midstream",
            Tier::Downstream => "downstream",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::Upstream => "上游",
            Tier::Midstream => "中游",
            Tier::Downstream => "下游",
        }
    }

    /// From the English name or the Chinese label.
    pub fn parse(s: &str) -> Result<Tier, String> {
        let t = s.trim();
        Tier::ALL
            .into_iter()
            .find(|x| x.as_str() == t || x.label() == t)
            .ok_or_else(|| format!("环节位置“{t}”不对：应为上游、中游或下游"))
    }
}

/// A link as a template describes it; `next` names the links it supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSpec {
    pub key: String,
    pub name: String,
    pub tier: Tier,
    pub codes: Vec<String>,
    pub keywords: Vec<String>,
    #[serde(default)]
    pub next: Vec<String>,
}

/// A chain template shipped as data (`crates/chains/data/*.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub description: String,
    pub links: Vec<LinkSpec>,
}

const TEMPLATE_FILES: &[&str] = &[
    include_str!("../data/battery.json"),
    include_str!("../data/biomed.json"),
    include_str!("../data/food.json"),
];

/// The shipped templates (新能源电池, 生物医药, 食品), each checked by a test.
pub fn templates() -> Vec<Template> {
    TEMPLATE_FILES
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect()
}

impl Template {
    /// The edges as (from, to) positions in `links`; an error names a bad `next`,
    /// a repeated key, a bad code or a cycle.
    pub fn edges(&self) -> Result<Vec<(usize, usize)>, String> {
        let pos = |k: &str| self.links.iter().position(|l| l.key == k);
        let mut edges = Vec::new();
        for (i, l) in self.links.iter().enumerate() {
            if pos(&l.key) != Some(i) {
                return Err(format!("环节键“{}”重复", l.key));
            }
            parse_codes(&l.codes.join(","))?;
            for n in &l.next {
                let j = pos(n).ok_or_else(|| format!("环节“{}”的下游“{n}”不存在", l.name))?;
                edges.push((i, j));
            }
        }
        if !is_dag(self.links.len(), &edges) {
            return Err(format!("产业链“{}”的环节成环", self.name));
        }
        Ok(edges)
    }
}

/// Whether the graph of `n` nodes has no cycle (Kahn's algorithm).
pub fn is_dag(n: usize, edges: &[(usize, usize)]) -> bool {
    let mut indeg = vec![0usize; n];
    for &(_, b) in edges {
        if b >= n {
            return false;
        }
        indeg[b] += 1;
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut seen = 0;
    while let Some(i) = ready.pop() {
        seen += 1;
        for &(a, b) in edges {
            if a == i {
                indeg[b] -= 1;
                if indeg[b] == 0 {
                    ready.push(b);
                }
            }
        }
    }
    seen == n
}

/// Most codes and keywords a link may carry.
pub const MAX_CODES: usize = 20;
pub const MAX_KEYWORDS: usize = 20;

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', '，', '、', ';', '；', ' ', '\n', '\t', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// GB/T 4754 codes as a link takes them: 3-digit 中类 or 4-digit 小类, separated by
/// commas, 、 or spaces; at least one, at most [`MAX_CODES`], repeats dropped.
pub fn parse_codes(s: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for t in split_list(s) {
        if !(t.len() == 3 || t.len() == 4) || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "行业代码“{t}”不对：应为 GB/T 4754 的 3 位中类或 4 位小类代码"
            ));
        }
        if !out.iter().any(|c| c == t) {
            out.push(t.to_string());
        }
    }
    if out.is_empty() {
        return Err("请至少填写一个行业代码".into());
    }
    if out.len() > MAX_CODES {
        return Err(format!("行业代码最多 {MAX_CODES} 个"));
    }
    Ok(out)
}

/// Keywords of a business scope: separated by commas, 、 or spaces; at most
/// [`MAX_KEYWORDS`], each at most 20 characters; repeats dropped. May be empty.
pub fn parse_keywords(s: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for t in split_list(s) {
        if t.chars().count() > 20 {
            return Err(format!("关键词“{t}”过长（最多 20 字）"));
        }
        if !out.iter().any(|c| c == t) {
            out.push(t.to_string());
        }
    }
    if out.len() > MAX_KEYWORDS {
        return Err(format!("关键词最多 {MAX_KEYWORDS} 个"));
    }
    Ok(out)
}

/// How an industry code fits a link's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CodeFit {
    None,
    /// inside a 3-digit 中类 the link names
    Class,
    /// one of the link's 4-digit 小类
    Exact,
}

pub fn code_fit(link_codes: &[String], code: &str) -> CodeFit {
    let mut best = CodeFit::None;
    for c in link_codes {
        if c == code {
            return CodeFit::Exact;
        }
        if c.len() == 3 && code.len() == 4 && code.starts_with(c.as_str()) {
            best = CodeFit::Class;
        }
    }
    best
}

/// The keywords found in `text` (ASCII compared without case).
pub fn keyword_hits<'a>(keywords: &'a [String], text: &str) -> Vec<&'a str> {
    let lower = text.to_lowercase();
    keywords
        .iter()
        .filter(|k| !k.is_empty() && lower.contains(&k.to_lowercase()))
        .map(String::as_str)
        .collect()
}

/// Whether a local enterprise or project belongs to a link: by code, or by a keyword
/// of the link in its business scope or description.
pub fn belongs(link_codes: &[String], keywords: &[String], code: &str, text: &str) -> bool {
    code_fit(link_codes, code) != CodeFit::None || !keyword_hits(keywords, text).is_empty()
}

/// A link's local strength: enterprises of the city in it, their yearly output and tax,
/// projects of the pipeline serving it, and those among them in production.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Strength {
    pub enterprises: i64,
    pub output_yuan: i64,
    pub tax_yuan: i64,
    pub pipeline: i64,
    pub producing: i64,
}

/// 强 / 弱 / 缺.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Missing,
    Weak,
    Strong,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::Strong => "强",
            Class::Weak => "弱",
            Class::Missing => "缺",
        }
    }

    /// 建链 / 补链 / 强链 — what the link asks for.
    pub fn task(self) -> &'static str {
        match self {
            Class::Strong => "延链",
            Class::Weak => "强链",
            Class::Missing => "补链",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Strong => "strong",
            Class::Weak => "weak",
            Class::Missing => "missing",
        }
    }
}

/// The rules of 强 / 弱 / 缺 (setting `chain_class_rules`, JSON). A producing project in a
/// link counts as one enterprise there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassRules {
    /// 强 needs at least this many enterprises …
    pub strong_min_enterprises: i64,
    /// … and at least this yearly output, yuan
    pub strong_min_output_yuan: i64,
    /// 弱 needs at least this many; fewer is 缺
    pub weak_min_enterprises: i64,
}

impl Default for ClassRules {
    fn default() -> Self {
        ClassRules {
            strong_min_enterprises: 3,
            strong_min_output_yuan: 1_000_000_000,
            weak_min_enterprises: 1,
        }
    }
}

impl ClassRules {
    pub fn check(&self) -> Result<(), String> {
        if self.weak_min_enterprises < 1 {
            return Err("“弱”的最少企业数应至少为 1".into());
        }
        if self.strong_min_enterprises < self.weak_min_enterprises {
            return Err("“强”的最少企业数不能小于“弱”的".into());
        }
        if self.strong_min_output_yuan < 0 {
            return Err("“强”的最低产值不能为负".into());
        }
        Ok(())
    }
}

/// A link's class and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classified {
    pub class: Class,
    pub reason: String,
    /// 缺 by the enterprises alone, but a producing project now occupies the link
    pub gap_filled: bool,
}

fn yi(yuan: i64) -> String {
    let tenths = (yuan as i128 * 10 + 50_000_000) / 100_000_000;
    format!("{}.{}亿元", tenths / 10, tenths % 10)
}

pub fn classify(s: &Strength, r: &ClassRules) -> Classified {
    let present = s.enterprises + s.producing;
    let gap_filled = s.enterprises < r.weak_min_enterprises && present >= r.weak_min_enterprises;
    let class = if present >= r.strong_min_enterprises && s.output_yuan >= r.strong_min_output_yuan
    {
        Class::Strong
    } else if present >= r.weak_min_enterprises {
        Class::Weak
    } else {
        Class::Missing
    };
    let mut reason = format!(
        "本地企业 {} 家、投产项目 {} 个，年产值 {}",
        s.enterprises,
        s.producing,
        yi(s.output_yuan)
    );
    match class {
        Class::Strong => reason.push_str(&format!(
            "，达到“强”（≥{} 家且产值≥{}）",
            r.strong_min_enterprises,
            yi(r.strong_min_output_yuan)
        )),
        Class::Weak => reason.push_str(&format!(
            "，未达“强”（≥{} 家且产值≥{}）",
            r.strong_min_enterprises,
            yi(r.strong_min_output_yuan)
        )),
        Class::Missing => {
            reason.push_str(&format!("，不足 {} 家，为缺失环节", r.weak_min_enterprises))
        }
    }
    if gap_filled {
        reason.push_str("；缺口已由投产项目填补");
    }
    Classified {
        class,
        reason,
        gap_filled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn templates_are_sound() {
        let t = templates();
        assert_eq!(t.len(), TEMPLATE_FILES.len(), "every template file parses");
        for tpl in &t {
            let edges = tpl.edges().unwrap_or_else(|e| panic!("{}: {e}", tpl.name));
            assert!(!edges.is_empty());
            for tier in Tier::ALL {
                assert!(tpl.links.iter().any(|l| l.tier == tier), "{}", tpl.name);
            }
        }
        assert!(t.iter().any(|t| t.name == "新能源电池"));
    }

    #[test]
    fn a_cycle_is_refused() {
        let mut t = templates().remove(0);
        let first = t.links[0].key.clone();
        t.links.last_mut().unwrap().next.push(first);
        // the last link may not reach the first if the first reaches the last
        assert!(t.edges().unwrap_err().contains("成环"));
        assert!(!is_dag(2, &[(0, 1), (1, 0)]));
        assert!(is_dag(3, &[(0, 1), (1, 2), (0, 2)]));
    }

    #[test]
    fn codes_and_keywords_parse() {
        assert_eq!(parse_codes("3841, 384、3841").unwrap(), ["3841", "384"]);
        assert!(parse_codes("38A1").unwrap_err().contains("38A1"));
        assert!(parse_codes("  ").unwrap_err().contains("至少"));
        assert_eq!(parse_keywords("电芯，PACK 电芯").unwrap(), ["电芯", "PACK"]);
        assert!(parse_keywords(&"长".repeat(21)).is_err());
    }

    #[test]
    fn fits() {
        let codes = vec!["3841".to_string(), "292".to_string()];
        assert_eq!(code_fit(&codes, "3841"), CodeFit::Exact);
        assert_eq!(code_fit(&codes, "2921"), CodeFit::Class);
        assert_eq!(code_fit(&codes, "3842"), CodeFit::None);
        let kw = vec!["BMS".to_string(), "电芯".to_string()];
        assert_eq!(keyword_hits(&kw, "电池管理系统（bms）研发"), ["BMS"]);
        assert!(belongs(&codes, &kw, "7320", "动力电芯测试"));
        assert!(!belongs(&codes, &kw, "7320", "软件开发"));
    }

    #[test]
    fn classes_on_a_fixture() {
        let r = ClassRules::default();
        let c = |e, out, prod| {
            classify(
                &Strength {
                    enterprises: e,
                    output_yuan: out,
                    producing: prod,
                    ..Strength::default()
                },
                &r,
            )
        };
        assert_eq!(c(0, 0, 0).class, Class::Missing);
        assert_eq!(c(1, 0, 0).class, Class::Weak);
        assert_eq!(c(3, 999_999_999, 0).class, Class::Weak);
        assert_eq!(c(3, 1_000_000_000, 0).class, Class::Strong);
        let filled = c(0, 0, 1);
        assert_eq!(filled.class, Class::Weak);
        assert!(filled.gap_filled);
        assert!(filled.reason.contains("缺口已由投产项目填补"));
        assert!(!c(1, 0, 1).gap_filled);
        assert!(c(0, 0, 0).reason.contains("缺失"));
        assert_eq!(yi(1_250_000_000), "12.5亿元");
    }

    #[test]
    fn rules_are_checked() {
        assert!(ClassRules::default().check().is_ok());
        let bad = ClassRules {
            strong_min_enterprises: 1,
            weak_min_enterprises: 2,
            ..ClassRules::default()
        };
        assert!(bad.check().is_err());
    }

    proptest! {
        #[test]
        fn more_strength_never_lowers_the_class(e in 0i64..10, out in 0i64..3_000_000_000, p in 0i64..4,
            de in 0i64..5, dout in 0i64..1_000_000_000, dp in 0i64..3) {
            let r = ClassRules::default();
            let a = classify(&Strength { enterprises: e, output_yuan: out, producing: p, ..Strength::default() }, &r);
            let b = classify(&Strength { enterprises: e + de, output_yuan: out + dout, producing: p + dp, ..Strength::default() }, &r);
            prop_assert!(b.class >= a.class);
        }

        #[test]
        fn dag_check_agrees_with_a_topological_order(n in 1usize..8, raw in proptest::collection::vec((0usize..8, 0usize..8), 0..12)) {
            let edges: Vec<(usize, usize)> = raw.into_iter().map(|(a, b)| (a % n, b % n)).collect();
            // forward edges only (a < b) can never form a cycle
            let forward: Vec<(usize, usize)> = edges.iter().copied().filter(|(a, b)| a < b).collect();
            prop_assert!(is_dag(n, &forward));
            if edges.iter().any(|(a, b)| a == b) {
                prop_assert!(!is_dag(n, &edges));
            }
        }
    }
}
