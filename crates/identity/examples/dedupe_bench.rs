//! Duplicate-detection benchmark: a labelled corpus of leads, the batch clustering, and the
//! check of one new lead against all of them.
//!
//! ```text
//! cargo run --release -p fenglai-identity --example dedupe_bench -- gen bench-data/leads-1000000.csv 1000000
//! cargo run --release -p fenglai-identity --example dedupe_bench -- run bench-data/leads-1000000.csv
//! ```
//!
//! `gen` writes `id,entity,name,uscc,industry,region,amount,date` (amount in yuan, `entity`
//! the label: rows with the same entity are one company's lead). Companies are made of a
//! region (a real city), a core name drawn from a skewed distribution over a few hundred
//! brand characters (so popular cores recur across cities and trades, as 华芯 does), a trade
//! word and a legal form; 5% are "siblings" of another company (same core and trade, another
//! city: a different company) and 2% are branches of another (…有限公司无锡分公司: a different
//! entity too). About 9% of companies are reported again, one to three times, by other units,
//! each report varied as people vary them: region moved into or out of brackets or dropped,
//! legal form changed or dropped, abbreviations, traditional characters, full-width brackets
//! and spaces, a typo in the core, USCC missing, industry coded differently, amount and date
//! differing. Rows are shuffled.
//!
//! `run` reads the file, clusters it with [`fenglai_identity::cluster`] and prints pairwise
//! precision, recall and F1 against the labels and the batch time; then builds an [`Index`]
//! of all rows and times 2,000 checks of one new lead (half variants of existing companies,
//! half new companies), printing the median and p99. Lines are `key value`.

use chrono::NaiveDate;
use fenglai_domain::uscc::check_char;
use fenglai_domain::{IndustryCode, RegionCode, Uscc, Yuan};
use fenglai_identity::fold::traditional_pairs;
use fenglai_identity::{cluster, Index, Record, DUPLICATE_THRESHOLD};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

const CORE_CHARS: &str = "华芯恒瑞安泰永宏远光启智云海金桥绿能晶天合博越丰长风景卓凤鸣达康星辰诚信\
    新兴盛昌隆鑫源盈利通明亮美佳和润泽宇航飞腾龙虎鹏翔嘉禾富贵荣耀正道德仁义中立方圆\
    东西南北春夏秋冬青红蓝紫银铜铁峰岭川江河湖山林森木水火土石玉珠宝华夏强大精工匠心\
    创新锐捷迅速联众协同汇聚集成万千百亿兆九州四海五洲环球联合科睿思维视界极致领先先锋\
    优质尚品雅致弘扬振兴腾飞远航晨曦朝阳旭日祥瑞吉庆福寿康宁安顺平和谐乐欣悦灵秀俊杰";

const TRADES: &[&str] = &[
    "科技",
    "电子",
    "新材料",
    "医药",
    "生物科技",
    "智能装备",
    "光电",
    "软件",
    "信息技术",
    "网络科技",
    "新能源",
    "半导体",
    "精密机械",
    "汽车零部件",
    "环保科技",
    "食品",
    "纺织",
    "化工",
    "机械",
    "电气",
    "物流",
    "贸易",
    "建材",
    "电子科技",
    "实业",
    "投资",
    "能源",
    "智能科技",
    "数据科技",
    "动力",
    "材料",
    "包装",
    "服饰",
    "农业",
    "检测",
    "传感",
    "储能",
    "光伏",
    "电池",
    "模具",
    "设备",
    "自动化",
    "仪器",
    "通信",
    "医疗器械",
    "生物医药",
];

const FORMS: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "集团有限公司",
];

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// How a name carries its region.
#[derive(Clone, Copy)]
enum Style {
    Prefix,
    PrefixShi,
    Bracket,
    None,
}

#[derive(Clone)]
struct Company {
    city: String,
    core: String,
    trade: &'static str,
    form: &'static str,
    style: Style,
    branch: Option<String>,
    uscc: Option<String>,
    industry: String,
    region: String,
    amount: i64,
    date: NaiveDate,
}

impl Company {
    fn name(&self) -> String {
        let Company {
            city,
            core,
            trade,
            form,
            ..
        } = self;
        let base = match self.style {
            Style::Prefix => format!("{city}{core}{trade}{form}"),
            Style::PrefixShi => format!("{city}市{core}{trade}{form}"),
            Style::Bracket => format!("{core}{trade}({city}){form}"),
            Style::None => format!("{core}{trade}{form}"),
        };
        match &self.branch {
            Some(label) => format!("{base}{label}分公司"),
            None => base,
        }
    }
}

struct World {
    /// (city short name, 4-digit city code, its counties' 6-digit codes)
    cities: Vec<(String, String, Vec<String>)>,
    industries: Vec<String>,
    by_division: HashMap<String, Vec<String>>,
    core_chars: Vec<char>,
    to_traditional: HashMap<char, char>,
}

fn csv_rows(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines().skip(1).map(|l| {
        l.split(',')
            .map(|f| f.trim_matches('"').to_string())
            .collect()
    })
}

impl World {
    fn load() -> Self {
        let mut counties: HashMap<String, Vec<String>> = HashMap::new();
        for row in csv_rows(include_str!("../../../data/regions/areas.csv")) {
            counties
                .entry(row[2].clone())
                .or_default()
                .push(row[0].clone());
        }
        let cities = csv_rows(include_str!("../../../data/regions/cities.csv"))
            .filter(|row| row[1].chars().count() >= 2 && !row[1].contains("辖") && row[1] != "县")
            .filter_map(|row| {
                let short = fenglai_identity::canonical_place(&row[1]).to_string();
                let list = counties.get(&row[0])?.clone();
                (short.chars().count() == 2 && !short.ends_with('盟')).then_some((
                    short,
                    row[0].clone(),
                    list,
                ))
            })
            .collect();
        let industries: Vec<String> =
            csv_rows(include_str!("../../../data/gbt4754-2017-industries.csv"))
                .filter(|row| row.len() >= 3 && row[2] == "4" && row[0].len() == 4)
                .map(|row| row[0].clone())
                .collect();
        let mut by_division: HashMap<String, Vec<String>> = HashMap::new();
        for code in &industries {
            by_division
                .entry(code[..2].to_string())
                .or_default()
                .push(code.clone());
        }
        let mut to_traditional = HashMap::new();
        for (t, s) in traditional_pairs() {
            to_traditional.entry(s).or_insert(t);
        }
        World {
            cities,
            industries,
            by_division,
            core_chars: CORE_CHARS.chars().collect(),
            to_traditional,
        }
    }

    /// A core character, skewed: the first characters of the pool are far more common.
    fn core_char(&self, rng: &mut StdRng) -> char {
        let n = self.core_chars.len() as f64;
        let x: f64 = rng.gen::<f64>().powf(1.6);
        self.core_chars[((x * n) as usize).min(self.core_chars.len() - 1)]
    }

    fn core(&self, rng: &mut StdRng) -> String {
        let len = if rng.gen_bool(0.75) { 2 } else { 3 };
        (0..len).map(|_| self.core_char(rng)).collect()
    }

    fn uscc(&self, rng: &mut StdRng, city_code: &str) -> String {
        let mut body: Vec<u8> = format!("91{city_code}00").into_bytes();
        for _ in 0..9 {
            body.push(ALPHABET[rng.gen_range(0..ALPHABET.len())]);
        }
        let check = check_char(&body).expect("alphabet");
        let mut s = String::from_utf8(body).expect("ascii");
        s.push(check);
        s
    }

    fn company(&self, rng: &mut StdRng, city: usize, core: String, trade: &'static str) -> Company {
        let (short, code, counties) = &self.cities[city];
        // The project's county: in the company's own city half the time, else anywhere.
        let region = if rng.gen_bool(0.5) {
            counties.choose(rng).expect("counties").clone()
        } else {
            let (_, _, other) = self.cities.choose(rng).expect("cities");
            other.choose(rng).expect("counties").clone()
        };
        let style = match rng.gen_range(0..10) {
            0..=4 => Style::Prefix,
            5..=6 => Style::PrefixShi,
            7..=8 => Style::Bracket,
            _ => Style::None,
        };
        Company {
            city: short.clone(),
            core,
            trade,
            form: FORMS.choose(rng).expect("forms"),
            style,
            branch: None,
            uscc: rng.gen_bool(0.75).then(|| self.uscc(rng, code)),
            industry: self.industries.choose(rng).expect("industries").clone(),
            region,
            amount: (10f64.powf(rng.gen_range(7.0..9.7)) / 10_000.0).round() as i64 * 10_000,
            date: NaiveDate::from_ymd_opt(2021, 1, 1).expect("date")
                + chrono::Days::new(rng.gen_range(0..1400)),
        }
    }

    fn traditional(&self, s: &str) -> String {
        s.chars()
            .map(|c| self.to_traditional.get(&c).copied().unwrap_or(c))
            .collect()
    }

    /// Another report of the same company, varied the way units vary it.
    fn variant(&self, rng: &mut StdRng, c: &Company) -> (String, Company) {
        let mut v = c.clone();
        if rng.gen_bool(0.5) {
            v.style =
                [Style::Prefix, Style::PrefixShi, Style::Bracket, Style::None][rng.gen_range(0..4)];
        }
        if rng.gen_bool(0.3) {
            v.form = ["有限公司", "有限责任公司", "股份有限公司", "公司", ""][rng.gen_range(0..5)];
        }
        if rng.gen_bool(0.08) {
            let mut chars: Vec<char> = v.core.chars().collect();
            let i = rng.gen_range(0..chars.len());
            chars[i] = self.core_char(rng);
            v.core = chars.into_iter().collect();
        }
        let mut name = v.name();
        let roll: f64 = rng.gen();
        if roll < 0.10 {
            // Abbreviations: 华芯科技, 苏州华芯, 华芯公司.
            name = match rng.gen_range(0..3) {
                0 => format!("{}{}", v.core, v.trade),
                1 => format!("{}{}", v.city, v.core),
                _ => format!("{}{}公司", v.core, v.trade),
            };
        }
        if rng.gen_bool(0.10) {
            name = self.traditional(&name);
        }
        if rng.gen_bool(0.15) {
            name = name.replace('(', "（").replace(')', "）");
            let mut chars: Vec<char> = name.chars().collect();
            let at = rng.gen_range(0..=chars.len());
            chars.insert(at, if rng.gen_bool(0.5) { ' ' } else { '\u{3000}' });
            name = chars.into_iter().collect();
        }
        v.uscc = match &c.uscc {
            Some(u) if rng.gen_bool(0.4) => Some(u.clone()),
            _ => None,
        };
        let roll: f64 = rng.gen();
        if (0.75..0.9).contains(&roll) {
            v.industry = self.by_division[&c.industry[..2]]
                .choose(rng)
                .expect("division")
                .clone();
        } else if roll >= 0.9 {
            v.industry = self.industries.choose(rng).expect("industries").clone();
        }
        if rng.gen_bool(0.1) {
            let (_, _, counties) = self
                .cities
                .iter()
                .find(|(_, code, _)| c.region.starts_with(code.as_str()))
                .unwrap_or(&self.cities[0]);
            v.region = counties.choose(rng).expect("counties").clone();
        }
        let roll: f64 = rng.gen();
        v.amount = if roll < 0.5 {
            c.amount
        } else if roll < 0.85 {
            ((c.amount as f64 * rng.gen_range(0.8..1.2)) / 10_000.0).round() as i64 * 10_000
        } else if roll < 0.9 {
            c.amount * 10
        } else {
            0
        };
        v.date = c.date + chrono::Days::new(rng.gen_range(0..150));
        (name, v)
    }
}

struct Row {
    entity: u64,
    name: String,
    company: Company,
}

fn generate(path: &str, n: usize) -> std::io::Result<()> {
    let world = World::load();
    let mut rng = StdRng::seed_from_u64(2024);
    let mut rows: Vec<Row> = Vec::with_capacity(n + 4);
    let mut companies: Vec<Company> = Vec::new();
    let mut taken: HashSet<(String, String, &str)> = HashSet::new();
    let mut duplicates = 0usize;
    while rows.len() < n {
        let entity = companies.len() as u64;
        let roll: f64 = rng.gen();
        let company = if roll < 0.05 && !companies.is_empty() {
            // A sibling: same core and trade, another city, another company.
            let model = companies[rng.gen_range(0..companies.len())].clone();
            let city = rng.gen_range(0..world.cities.len());
            let mut c = world.company(&mut rng, city, model.core, model.trade);
            if matches!(c.style, Style::None) {
                c.style = Style::Prefix;
            }
            c
        } else if roll < 0.07 && !companies.is_empty() {
            // A branch of another company, in another city.
            let parent = companies[rng.gen_range(0..companies.len())].clone();
            let city = rng.gen_range(0..world.cities.len());
            let mut c = world.company(&mut rng, city, parent.core.clone(), parent.trade);
            c.style = parent.style;
            c.city = parent.city.clone();
            c.form = parent.form;
            c.branch = Some(world.cities[city].0.clone());
            c
        } else {
            let city = rng.gen_range(0..world.cities.len());
            let core = world.core(&mut rng);
            let trade = *TRADES.choose(&mut rng).expect("trades");
            world.company(&mut rng, city, core, trade)
        };
        let unique = (company.city.clone(), company.core.clone(), company.trade);
        if company.branch.is_none() && !taken.insert(unique) {
            continue;
        }
        rows.push(Row {
            entity,
            name: company.name(),
            company: company.clone(),
        });
        if rng.gen_bool(0.09) {
            for _ in 0..rng.gen_range(1..=3) {
                let (name, v) = world.variant(&mut rng, &company);
                rows.push(Row {
                    entity,
                    name,
                    company: v,
                });
                duplicates += 1;
            }
        }
        companies.push(company);
    }
    rows.truncate(n);
    rows.shuffle(&mut rng);
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "id", "entity", "name", "uscc", "industry", "region", "amount", "date",
    ])?;
    for (i, r) in rows.iter().enumerate() {
        let c = &r.company;
        w.write_record([
            i.to_string(),
            r.entity.to_string(),
            r.name.clone(),
            c.uscc.clone().unwrap_or_default(),
            c.industry.clone(),
            c.region.clone(),
            if c.amount > 0 {
                c.amount.to_string()
            } else {
                String::new()
            },
            c.date.to_string(),
        ])?;
    }
    w.flush()?;
    println!("rows {}", rows.len());
    println!("companies {}", companies.len());
    println!("duplicate_rows {duplicates}");
    Ok(())
}

fn read(path: &str) -> Result<(Vec<Record>, Vec<u64>), Box<dyn std::error::Error>> {
    let mut records = Vec::new();
    let mut labels = Vec::new();
    let mut r = csv::Reader::from_path(path)?;
    for row in r.records() {
        let row = row?;
        labels.push(row[1].parse()?);
        records.push(Record {
            name: row[2].to_string(),
            uscc: Uscc::parse(&row[3]).ok(),
            industry: IndustryCode::parse(&row[4]).ok(),
            region: RegionCode::parse(&row[5]).ok(),
            amount: row[6].parse().ok().map(Yuan),
            date: row[7].parse().ok(),
        });
    }
    Ok((records, labels))
}

/// Pairwise precision, recall and F1 of predicted groups against true ones.
fn pairwise(pred: &[u32], truth: &[u64]) -> (f64, f64, f64, u64, u64, u64) {
    fn pairs(n: u64) -> u64 {
        n * n.saturating_sub(1) / 2
    }
    let mut p: HashMap<u32, u64> = HashMap::new();
    let mut t: HashMap<u64, u64> = HashMap::new();
    let mut both: HashMap<(u32, u64), u64> = HashMap::new();
    for (&a, &b) in pred.iter().zip(truth) {
        *p.entry(a).or_default() += 1;
        *t.entry(b).or_default() += 1;
        *both.entry((a, b)).or_default() += 1;
    }
    let tp: u64 = both.values().map(|&n| pairs(n)).sum();
    let pp: u64 = p.values().map(|&n| pairs(n)).sum();
    let tt: u64 = t.values().map(|&n| pairs(n)).sum();
    let precision = tp as f64 / pp.max(1) as f64;
    let recall = tp as f64 / tt.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    (precision, recall, f1, tp, pp, tt)
}

fn run(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let (records, labels) = read(path)?;
    println!("read_seconds {:.3}", t.elapsed().as_secs_f64());
    println!("rows {}", records.len());

    let t = Instant::now();
    let groups = cluster(&records, DUPLICATE_THRESHOLD);
    let batch = t.elapsed().as_secs_f64();
    let (precision, recall, f1, tp, pp, tt) = pairwise(&groups, &labels);
    println!("rust_batch_seconds {batch:.3}");
    println!("rust_pairs true {tt} predicted {pp} correct {tp}");
    println!("rust_precision {precision:.4}");
    println!("rust_recall {recall:.4}");
    println!("rust_f1 {f1:.4}");

    let t = Instant::now();
    let mut index = Index::new();
    for (i, r) in records.iter().enumerate() {
        index.insert(i as u64, r);
    }
    println!("index_build_seconds {:.3}", t.elapsed().as_secs_f64());

    // One new lead at a time: half a variant of a company already in the index, half new.
    let world = World::load();
    let mut rng = StdRng::seed_from_u64(7);
    let mut times = Vec::new();
    let mut found_known = 0usize;
    let queries = 2_000;
    for q in 0..queries {
        let record = if q % 2 == 0 {
            let r = &records[rng.gen_range(0..records.len())];
            let mut name: String = r.name.clone();
            if rng.gen_bool(0.5) {
                name = world.traditional(&name);
            }
            Record {
                name: name.replace("有限公司", "有限责任公司"),
                uscc: None,
                ..r.clone()
            }
        } else {
            let city = rng.gen_range(0..world.cities.len());
            let core = world.core(&mut rng);
            let trade = *TRADES.choose(&mut rng).expect("trades");
            let c = world.company(&mut rng, city, core, trade);
            Record {
                name: c.name(),
                uscc: c.uscc.as_deref().and_then(|u| Uscc::parse(u).ok()),
                industry: IndustryCode::parse(&c.industry).ok(),
                region: RegionCode::parse(&c.region).ok(),
                amount: Some(Yuan(c.amount)),
                date: Some(c.date),
            }
        };
        let t = Instant::now();
        let found = index.find(&record, DUPLICATE_THRESHOLD);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if q % 2 == 0 && !found.is_empty() {
            found_known += 1;
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).min(times.len()) - 1];
    println!("query_count {queries}");
    println!("query_median_ms {:.3}", pct(0.5));
    println!("query_p99_ms {:.3}", pct(0.99));
    println!("query_max_ms {:.3}", pct(1.0));
    println!("query_known_found {found_known} of {}", queries / 2);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") if args.len() == 4 => generate(&args[2], args[3].parse()?)?,
        Some("run") if args.len() == 3 => run(&args[2])?,
        _ => {
            eprintln!("usage: dedupe_bench gen FILE ROWS | dedupe_bench run FILE");
            std::process::exit(2);
        }
    }
    Ok(())
}
