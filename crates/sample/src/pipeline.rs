//! Synthetic but believable data: companies, leads, projects and their stage
//! histories, for the demo city and for benchmark datasets. Deterministic for a seed.
//! The rows are the ones a ledger import writes, through the same bulk writers
//! (`fenglai_store::ledgers`).

use chrono::{Duration, NaiveDate};
use fenglai_app::audit::Tx;
use fenglai_app::demo::OrgRefs;
use fenglai_app::{reference, App, Result};
use fenglai_domain::{uscc, Channel, Stage};
use fenglai_store::ledgers::{self, HistoryRow, ImportLead, ImportProject};
use fenglai_store::Db;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Debug, Clone)]
pub struct Options {
    pub leads: u64,
    pub projects: u64,
    pub seed: u64,
    /// Reports fall between `start` and `end` (inclusive); nothing happens after `end`.
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub leads: u64,
    pub projects: u64,
    pub history: u64,
}

const PLACES: &[&str] = &[
    "苏州", "无锡", "常州", "南京", "杭州", "宁波", "温州", "嘉兴", "上海", "北京", "天津", "深圳",
    "广州", "东莞", "佛山", "珠海", "厦门", "福州", "泉州", "合肥", "芜湖", "武汉", "长沙", "成都",
    "重庆", "西安", "郑州", "济南", "青岛", "烟台", "大连", "沈阳", "昆山", "江阴", "义乌", "台州",
    "绍兴", "南通", "扬州", "徐州", "潍坊", "洛阳", "襄阳", "宜宾", "绵阳", "赣州", "南昌", "贵阳",
    "昆明", "南宁", "香港", "台湾",
];
const FIRST: &str = "华恒博天瑞鼎盛中新永宏金泰鑫隆昌达嘉裕晨海德润安凯信亿远正明光科";
const SECOND: &str = "芯瑞远成泰源达信弘润德安辉峰联创拓宇阳星途铭川晟昊禾邦威腾越";
const TRADES: &[(&str, &str)] = &[
    ("微电子", "3973"),
    ("半导体", "3972"),
    ("电子电路", "3982"),
    ("光电", "3976"),
    ("集成电路", "3973"),
    ("新能源", "3841"),
    ("锂电池", "3841"),
    ("光伏科技", "3825"),
    ("储能技术", "3841"),
    ("新材料", "2651"),
    ("高分子材料", "2651"),
    ("特种纤维", "2829"),
    ("精密机械", "3484"),
    ("智能装备", "3499"),
    ("数控机床", "3421"),
    ("机器人", "3491"),
    ("汽车零部件", "3670"),
    ("新能源汽车", "3612"),
    ("生物医药", "2761"),
    ("医疗器械", "3581"),
    ("制药", "2710"),
    ("食品", "1499"),
    ("饮料", "1523"),
    ("纺织", "1713"),
    ("服饰", "1811"),
    ("家居", "2110"),
    ("化工", "2619"),
    ("环保科技", "7722"),
    ("节能技术", "7514"),
    ("软件", "6513"),
    ("信息技术", "6531"),
    ("数据科技", "6450"),
    ("云计算", "6450"),
    ("物流", "5437"),
    ("冷链", "5960"),
    ("包装", "2231"),
];
const SUFFIXES: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "科技有限公司",
];
const REGIONS: &[&str] = &[
    "320500", "320200", "320400", "320100", "330100", "330200", "330300", "330400", "310100",
    "110100", "120100", "440300", "440100", "441900", "440600", "440400", "350200", "350100",
    "350500", "340100", "340200", "420100", "430100", "510100", "500100", "610100", "410100",
    "370100", "370200", "370600", "210200", "210100", "320583", "320281", "330782", "331000",
    "330600", "320600", "321000", "320300", "370700", "410300", "420600", "511500", "510700",
    "360700", "360100", "520100", "530100", "450100", "440300", "350200",
];
const DROP_REASONS: &[&str] = &[
    "企业投资计划调整",
    "资金链紧张，暂缓投资",
    "用地条件不满足",
    "环评未通过",
    "转投其他地区",
    "产业政策调整",
];
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn company(rng: &mut StdRng, place: usize) -> (String, usize) {
    let first: Vec<char> = FIRST.chars().collect();
    let second: Vec<char> = SECOND.chars().collect();
    let core = format!("{}{}", pick(rng, &first), pick(rng, &second));
    let t = rng.gen_range(0..TRADES.len());
    let name = match rng.gen_range(0..10) {
        // region in brackets after the core: 华芯微电子（苏州）有限公司
        0 | 1 => format!(
            "{core}{}（{}）{}",
            TRADES[t].0,
            PLACES[place],
            pick(rng, SUFFIXES)
        ),
        _ => format!(
            "{}{core}{}{}",
            PLACES[place],
            TRADES[t].0,
            pick(rng, SUFFIXES)
        ),
    };
    (name, t)
}

/// A valid 统一社会信用代码 registered in `region`.
pub fn make_uscc(rng: &mut StdRng, region: &str) -> String {
    let mut body = format!("91{region}");
    for _ in 0..9 {
        body.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
    }
    let check = uscc::check_char(body.as_bytes()).unwrap_or('0');
    body.push(check);
    body
}

/// Planned investment: mostly 2000万 to 20亿, a tail to 100亿, rounded to 10万.
fn amount(rng: &mut StdRng) -> i64 {
    let x: f64 = rng.gen();
    let wan = 2_000.0 * (50.0f64).powf(x * x * 1.2);
    ((wan as i64).clamp(2_000, 1_000_000) / 10) * 10 * 10_000
}

/// "苏州华芯微电子股份有限公司" → "苏州华芯微电子".
fn without_legal_form(name: &str) -> &str {
    let mut best = name;
    for sfx in SUFFIXES
        .iter()
        .chain(["股份有限公司", "集团有限公司"].iter())
    {
        if let Some(stem) = name.strip_suffix(sfx) {
            if stem.len() < best.len() {
                best = stem;
            }
        }
    }
    best
}

fn clamp_day(d: NaiveDate, end: NaiveDate) -> Option<NaiveDate> {
    (d <= end).then_some(d)
}

/// Generates the data and loads it into `db` (the database of `app`) in batches, with
/// `progress(done, total)` after each, then records the load in the event chain. Run with
/// the database to itself: ids are reserved for the whole run up front.
pub async fn generate(
    app: &App,
    db: &Db,
    org: &OrgRefs,
    opts: &Options,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Summary> {
    let summary = load(db, org, opts, progress).await?;
    let mut tx = Tx::begin(app).await?;
    let note = serde_json::json!({
        "seed": opts.seed, "leads": summary.leads, "projects": summary.projects,
        "stage_history": summary.history, "from": opts.start.to_string(), "to": opts.end.to_string(),
    });
    tx.record::<(), _>(None, "dataset", 0, "bulk_generate", None, Some(&note))
        .await?;
    tx.commit().await?;
    Ok(summary)
}

async fn load(
    db: &Db,
    org: &OrgRefs,
    opts: &Options,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Summary> {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let sections: std::collections::HashMap<String, String> = reference::industries()
        .into_iter()
        .map(|(code, _, _, _, section)| (code, section))
        .collect();
    let span = (opts.end - opts.start).num_days().max(1);
    let mut summary = Summary::default();
    // at most opts.projects projects: ids past the last one made are given back by
    // ledgers::finish_bulk_load
    let (mut lead_id, mut project_id) = {
        let mut c = db.acquire().await?;
        (
            ledgers::reserve_ids(&mut c, "leads", opts.leads as i64).await?,
            ledgers::reserve_ids(&mut c, "projects", opts.projects as i64).await?,
        )
    };
    // each lead becomes a project with this probability, so projects ≈ opts.projects
    let p_project = if opts.leads == 0 {
        0.0
    } else {
        opts.projects as f64 / opts.leads as f64
    };
    let batch = 10_000u64;
    let mut done = 0u64;
    while done < opts.leads {
        let n = batch.min(opts.leads - done);
        let (mut leads, mut projects, mut history) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let place = rng.gen_range(0..PLACES.len());
            let (name, t) = company(&mut rng, place);
            let reporter = pick(&mut rng, &org.reporters).clone();
            let reported = opts.start + Duration::days(rng.gen_range(0..=span));
            let planned = amount(&mut rng);
            let code = TRADES[t].1.to_string();
            let section = sections.get(&code).cloned().unwrap_or_else(|| "C".into());
            let region = REGIONS[place % REGIONS.len()];
            let uscc = rng.gen_bool(0.6).then(|| make_uscc(&mut rng, region));
            let channel = pick(&mut rng, Channel::ALL).as_str().to_string();
            let is_project = summary.projects < opts.projects && rng.gen_bool(p_project.min(1.0));
            let admitted = clamp_day(reported + Duration::days(rng.gen_range(3..60)), opts.end);
            let mut lead = ImportLead {
                id: lead_id,
                company_name: name.clone(),
                uscc: uscc.clone(),
                industry_code: Some(code.clone()),
                industry_section: Some(section.clone()),
                region_code: Some(region.to_string()),
                planned_investment_yuan: Some(planned),
                land_mu: Some((rng.gen_range(10..800) as f64) / 2.0),
                expected_jobs: Some(rng.gen_range(20..3000)),
                channel: Some(channel),
                reported_by: reporter.user_id,
                reporting_unit_id: reporter.unit_id,
                reported_date: reported.to_string(),
                status: ["pending_review", "in_review", "rejected"][rng.gen_range(0..3)]
                    .to_string(),
                description: Some(format!(
                    "拟投资建设{}项目，计划总投资约{}。",
                    TRADES[t].0,
                    fenglai_domain::Yuan(planned).human()
                )),
                ..Default::default()
            };
            if let (true, Some(admitted)) = (is_project, admitted) {
                let park = (!org.parks.is_empty() && rng.gen_bool(0.9))
                    .then(|| *pick(&mut rng, &org.parks));
                let mut rows: Vec<HistoryRow> = Vec::new();
                let mut day = admitted;
                let mut investment = planned;
                let mut contracted = None;
                let target = rng.gen_range(0..6usize);
                for (k, stage) in Stage::LINE.iter().enumerate().take(target + 1) {
                    if k > 0 {
                        match clamp_day(day + Duration::days(rng.gen_range(20..240)), opts.end) {
                            Some(d) => day = d,
                            None => break,
                        }
                    }
                    let amount = (*stage == Stage::Signed).then(|| {
                        let a =
                            (planned as f64 * rng.gen_range(0.7..1.3)) as i64 / 100_000 * 100_000;
                        a.max(100_000)
                    });
                    if let Some(a) = amount {
                        investment = a;
                        contracted = Some(a);
                    }
                    rows.push(HistoryRow {
                        project_id,
                        stage: stage.as_str().into(),
                        kind: if k == 0 {
                            "admit".into()
                        } else {
                            "advance".into()
                        },
                        effective_date: day.to_string(),
                        end_date: None,
                        amount_yuan: amount,
                        investment_yuan: investment,
                        reason: None,
                        park_id: park,
                        reporting_unit_id: reporter.unit_id,
                        reported_by: reporter.user_id,
                        recorded_by: org.recorder_user_id,
                        credit: None,
                    });
                }
                let mut drop = None;
                if rng.gen_bool(0.06) {
                    if let Some(d) =
                        clamp_day(day + Duration::days(rng.gen_range(10..120)), opts.end)
                    {
                        let reason = pick(&mut rng, DROP_REASONS).to_string();
                        let before = rows.last().map(|r| r.stage.clone());
                        rows.push(HistoryRow {
                            project_id,
                            stage: "dropped".into(),
                            kind: "drop".into(),
                            effective_date: d.to_string(),
                            end_date: None,
                            amount_yuan: None,
                            investment_yuan: investment,
                            reason: Some(reason.clone()),
                            park_id: park,
                            reporting_unit_id: reporter.unit_id,
                            reported_by: reporter.user_id,
                            recorded_by: org.recorder_user_id,
                            credit: None,
                        });
                        drop = Some((before, reason));
                    }
                }
                for i in 1..rows.len() {
                    rows[i - 1].end_date = Some(rows[i].effective_date.clone());
                }
                let last = rows.last().expect("at least the admission").clone();
                projects.push(ImportProject {
                    id: project_id,
                    name: format!("{}项目", without_legal_form(&name)),
                    lead_id,
                    company_name: name.clone(),
                    uscc,
                    industry_code: Some(code),
                    industry_section: Some(section),
                    park_id: park,
                    reporting_unit_id: reporter.unit_id,
                    reported_by: reporter.user_id,
                    responsible_user_id: Some(org.recorder_user_id),
                    planned_investment_yuan: planned,
                    contracted_investment_yuan: contracted,
                    foreign_capital_usd: None,
                    land_mu: lead.land_mu,
                    stage: last.stage,
                    stage_date: last.effective_date,
                    before_drop_stage: drop.as_ref().and_then(|d| d.0.clone()),
                    drop_reason: drop.map(|d| d.1),
                });
                lead.status = "admitted".into();
                lead.project_id = Some(project_id);
                summary.history += rows.len() as u64;
                history.extend(rows);
                project_id += 1;
                summary.projects += 1;
            }
            leads.push(lead);
            lead_id += 1;
        }
        let names = ledgers::lead_names(&leads);
        let mut tx = db.begin().await?;
        ledgers::insert_leads(&mut tx, &leads, &names).await?;
        ledgers::insert_projects(&mut tx, &projects).await?;
        ledgers::insert_history(&mut tx, &history).await?;
        tx.commit().await?;
        done += n;
        summary.leads += n;
        progress(done, opts.leads);
    }
    ledgers::finish_bulk_load(db).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_and_names_are_valid() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..500 {
            let code = make_uscc(&mut rng, "320500");
            let parsed = uscc::Uscc::parse(&code).expect("valid");
            assert_eq!(parsed.region_code(), "320500");
            let (name, _) = company(&mut rng, 0);
            assert!(name.ends_with("公司"), "{name}");
            assert!(!without_legal_form(&name).ends_with("公司"), "{name}");
            let a = amount(&mut rng);
            assert!(
                (20_000_000..=10_000_000_000).contains(&a) && a % 100_000 == 0,
                "{a}"
            );
        }
    }

    #[test]
    fn trade_codes_exist() {
        let codes: std::collections::HashSet<String> =
            reference::industries().into_iter().map(|r| r.0).collect();
        for (t, code) in TRADES {
            assert!(codes.contains(*code), "{t}: {code}");
        }
        for r in REGIONS {
            assert!(reference::regions().iter().any(|x| x.0 == *r), "{r}");
        }
    }
}
