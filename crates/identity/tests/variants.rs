//! Property tests: one company's name written the ways people write it is one company.

use fenglai_identity::fold::traditional_pairs;
use fenglai_identity::{compare, fold, CompanyName, Index, Record, DUPLICATE_THRESHOLD};
use proptest::prelude::*;
use std::collections::HashMap;

const CITIES: &[&str] = &[
    "苏州", "无锡", "杭州", "深圳", "合肥", "成都", "武汉", "宁波",
];
const CORE_CHARS: &str =
    "华芯恒瑞安泰永宏远光启智云海金桥绿能晶天合博越丰螺长风景卓凤鸣达康星辰诚信";
const TRADES: &[&str] = &[
    "科技",
    "电子",
    "新材料",
    "医药",
    "智能装备",
    "生物科技",
    "光电",
    "软件",
];
const FORMS: &[&str] = &["有限公司", "有限责任公司", "股份有限公司"];

#[derive(Debug, Clone)]
struct Parts {
    city: &'static str,
    core: String,
    trade: &'static str,
    form: &'static str,
}

fn parts() -> impl Strategy<Value = Parts> {
    let core_chars: Vec<char> = CORE_CHARS.chars().collect();
    (
        prop::sample::select(CITIES),
        prop::collection::vec(prop::sample::select(core_chars), 2..=3),
        prop::sample::select(TRADES),
        prop::sample::select(FORMS),
    )
        .prop_map(|(city, core, trade, form)| Parts {
            city,
            core: core.into_iter().collect(),
            trade,
            form,
        })
}

fn traditional(s: &str) -> String {
    let back: HashMap<char, char> = traditional_pairs().map(|(t, s)| (s, t)).collect();
    s.chars()
        .map(|c| back.get(&c).copied().unwrap_or(c))
        .collect()
}

fn variants(p: &Parts, other_form: &str) -> Vec<String> {
    let Parts {
        city,
        core,
        trade,
        form,
    } = p;
    vec![
        format!("{core}{trade}({city}){form}"),
        format!("{core}{trade}（{city}）{form}"),
        format!("{city}市{core}{trade}{form}"),
        format!("{city}{core}{trade}{other_form}"),
        traditional(&format!("{city}{core}{trade}{form}")),
        format!(" {city}　{core}{trade} {form}"),
    ]
}

fn record(name: &str) -> Record {
    Record {
        name: name.to_string(),
        ..Record::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn variants_share_the_key_and_are_duplicates(p in parts(), other in prop::sample::select(FORMS)) {
        let base = format!("{}{}{}{}", p.city, p.core, p.trade, p.form);
        let parsed = CompanyName::parse(&base);
        let mut index = Index::new();
        index.insert(7, &record(&base));
        for v in variants(&p, other) {
            let pv = CompanyName::parse(&v);
            prop_assert_eq!(pv.key(), parsed.key(), "{} vs {}", base, v);
            prop_assert_eq!(&pv.region, &parsed.region, "{} vs {}", base, v);
            let verdict = compare(&record(&base), &record(&v));
            prop_assert!(verdict.score >= DUPLICATE_THRESHOLD, "{} vs {}: {:?}", base, v, verdict);
            let found = index.find(&record(&v), DUPLICATE_THRESHOLD);
            prop_assert!(found.iter().any(|c| c.id == 7), "{} not found for {}", base, v);
        }
    }

    #[test]
    fn normal_form_is_idempotent(p in parts(), branch in any::<bool>()) {
        let mut name = format!("{}{}{}{}", p.city, p.core, p.trade, p.form);
        if branch {
            name.push_str("南京分公司");
        }
        let once = CompanyName::parse(&name).normalized();
        prop_assert_eq!(CompanyName::parse(&once).normalized(), once.clone());
        prop_assert_eq!(fold(&once), once);
    }

    #[test]
    fn normal_form_of_any_text_is_idempotent(s in "[\\u4e00-\\u4e5f（）()　 A-Za-z]{0,16}") {
        let once = CompanyName::parse(&s).normalized();
        prop_assert_eq!(CompanyName::parse(&once).normalized(), once);
    }
}
