//! The demo city 凤城市: organisation, demo accounts, park profiles, the pre-review
//! panel, 考核 and 产业链 seeded through the use cases. The generated parts — the
//! pipeline of leads and projects, the synthetic enterprise registry — and the order of
//! the whole seeding are `fenglai-sample`'s (`ensure_demo`), outside the production
//! crates.

use crate::org::{create_unit, insert_user, UnitInput};
use crate::{auth, App, Result};
use fenglai_domain::Role;
use fenglai_store::org;

/// A user who reports leads, and their unit.
#[derive(Debug, Clone)]
pub struct Reporter {
    pub user_id: i64,
    pub unit_id: i64,
}

/// What the data generator needs to know of the organisation.
#[derive(Debug, Clone)]
pub struct OrgRefs {
    pub reporters: Vec<Reporter>,
    pub parks: Vec<i64>,
    pub recorder_user_id: i64,
}

pub const CITY: &str = "凤城市";

/// (name, kind, parent name)
const UNITS: &[(&str, &str, &str)] = &[
    (CITY, "region", ""),
    ("凤城市投资促进局", "department", CITY),
    ("凤城市发展和改革委员会", "department", CITY),
    ("凤城市自然资源和规划局", "department", CITY),
    ("凤城市人力资源和社会保障局", "department", CITY),
    ("国网凤城供电公司", "department", CITY),
    ("凤城市驻上海招商联络处", "office", CITY),
    ("凤城市驻深圳招商联络处", "office", CITY),
    ("凤城市浙江商会", "channel", CITY),
    ("凤城市工商业联合会", "channel", CITY),
    ("凤城经济技术开发区", "park", CITY),
    ("凤城经开区招商服务中心", "department", "凤城经济技术开发区"),
    ("凤城高新技术产业开发区", "park", CITY),
    ("临江县", "county", CITY),
    ("临江县投资促进中心", "department", "临江县"),
    ("临江工业园区", "park", "临江县"),
    ("青山区", "county", CITY),
    ("青山区商务局", "department", "青山区"),
    ("青山智能制造产业园", "park", "青山区"),
];

/// (username, name, role, unit); password `demo`.
pub const ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("admin", "系统管理员", Role::Admin, CITY),
    ("leader", "王市长", Role::Leader, CITY),
    ("promoter", "李招商", Role::Promoter, "凤城市投资促进局"),
    (
        "promoter2",
        "赵县招商",
        Role::Promoter,
        "临江县投资促进中心",
    ),
    (
        "informant",
        "陈信息",
        Role::Informant,
        "凤城市发展和改革委员会",
    ),
    ("reviewer", "孙专家", Role::Reviewer, "凤城市投资促进局"),
    ("park", "周园区", Role::Receiver, "凤城经济技术开发区"),
    ("park2", "钱园区", Role::Receiver, "凤城高新技术产业开发区"),
    (
        "collab",
        "吴规划",
        Role::Collaborator,
        "凤城市自然资源和规划局",
    ),
    ("power", "田供电", Role::Collaborator, "国网凤城供电公司"),
];

/// Reporters without a login (their hash never verifies): the units' informants.
const REPORTERS: &[(&str, &str, &str)] = &[
    ("xxy_rs", "刘人社", "凤城市人力资源和社会保障局"),
    ("xxy_sh", "马驻沪", "凤城市驻上海招商联络处"),
    ("xxy_sz", "何驻深", "凤城市驻深圳招商联络处"),
    ("xxy_zs", "郑商会", "凤城市浙江商会"),
    ("xxy_gsl", "冯工商联", "凤城市工商业联合会"),
    ("xxy_jkq", "许经开", "凤城经开区招商服务中心"),
    ("xxy_gxq", "高新高", "凤城高新技术产业开发区"),
    ("xxy_ljy", "林园区", "临江工业园区"),
    ("xxy_qs", "黄商务", "青山区商务局"),
    ("xxy_qsy", "罗智造", "青山智能制造产业园"),
];

/// Creates the organisation and demo accounts if absent; returns the references
/// the generator needs.
pub async fn seed_org(app: &App) -> Result<OrgRefs> {
    if crate::org::unit_by_name(app, CITY).await?.is_none() {
        for (name, kind, parent) in UNITS {
            let parent_id = if parent.is_empty() {
                None
            } else {
                crate::org::unit_by_name(app, parent).await?.map(|u| u.id)
            };
            create_unit(
                app,
                None,
                &UnitInput {
                    name: name.to_string(),
                    kind: kind.to_string(),
                    parent_id,
                    region_code: None,
                },
            )
            .await?;
        }
        let hash = auth::hash_password("demo");
        for (username, name, role, unit) in ACCOUNTS {
            let u = crate::org::unit_by_name(app, unit)
                .await?
                .expect("unit seeded above");
            insert_user(app, None, username, name, *role, u.id, None, &hash).await?;
        }
        for (username, name, unit) in REPORTERS {
            let u = crate::org::unit_by_name(app, unit)
                .await?
                .expect("unit seeded above");
            insert_user(app, None, username, name, Role::Informant, u.id, None, "!").await?;
        }
        seed_parks_and_panel(app).await?;
    }
    let mut c = app.db.acquire().await?;
    let units = org::units(&mut c).await?;
    let users = org::users(&mut c).await?;
    let reporters = users
        .iter()
        .filter(|u| matches!(u.role, Role::Promoter | Role::Informant | Role::Receiver))
        .map(|u| Reporter {
            user_id: u.id,
            unit_id: u.unit_id,
        })
        .collect();
    let parks = units
        .iter()
        .filter(|u| u.kind == fenglai_domain::UnitKind::Park)
        .map(|u| u.id)
        .collect();
    let recorder = users
        .iter()
        .find(|u| u.username == "promoter")
        .map(|u| u.id)
        .unwrap_or(1);
    Ok(OrgRefs {
        reporters,
        parks,
        recorder_user_id: recorder,
    })
}

/// Whether the demo city has been seeded whole ([`mark_seeded`]).
pub async fn is_seeded(app: &App) -> Result<bool> {
    let mut c = app.db.acquire().await?;
    Ok(org::setting(&mut c, "demo_seeded").await?.is_some())
}

/// Records that the demo city is seeded, so that later runs reuse it.
pub async fn mark_seeded(app: &App) -> Result<()> {
    let mut c = app.db.acquire().await?;
    org::set_setting(&mut c, "demo_seeded", &fenglai_store::now()).await?;
    Ok(())
}

/// 考核 in the demo: visits and events over the last half year, this year's targets decomposed
/// to the counties' units (children summing to their parents), a 百日赛 and last month's
/// published bulletin.
pub async fn seed_assessment(app: &App) -> Result<()> {
    use crate::assess::activities::{create, ActivityInput};
    use crate::assess::bulletins::{
        create_competition, publish, set_target, CompetitionInput, PublishInput, TargetInput,
    };
    let today = crate::today();
    let who = [
        ("promoter", "华东地区企业", "上海"),
        ("promoter2", "食品加工企业", "临江"),
        ("park", "装备制造企业", "经开区"),
    ];
    const VISITS: &[&str] = &["拜访", "回访", "实地考察", "洽谈"];
    const EVENTS: &[(&str, &str)] = &[
        ("推介会", "长三角产业链招商推介会"),
        ("座谈会", "在外凤城籍企业家座谈会"),
        ("洽谈会", "重点项目集中洽谈会"),
        ("路演", "粤港澳大湾区招商路演"),
    ];
    for i in 0..90i64 {
        let (username, counterpart, place) = who[(i % 3) as usize];
        let actor = crate::auth::actor_by_username(app, username).await?;
        let date = today - chrono::Duration::days((i * 37) % 180 + 1);
        let input = if i % 6 == 5 {
            let (sub, title) = EVENTS[(i / 6 % 4) as usize];
            ActivityInput {
                kind: "event".into(),
                subkind: Some(sub.into()),
                title: title.into(),
                activity_date: date.to_string(),
                place: Some(place.into()),
                attendees: Some(40 + i % 5 * 20),
                outcome: Some(format!("收集项目信息{}条", 2 + i % 4)),
                ..Default::default()
            }
        } else {
            ActivityInput {
                kind: "visit".into(),
                subkind: Some(VISITS[(i % 4) as usize].into()),
                title: format!("走访{counterpart}（第{}次）", i / 3 + 1),
                activity_date: date.to_string(),
                place: Some(place.into()),
                counterpart: Some(counterpart.into()),
                outcome: Some("了解投资意向，约定下次对接".into()),
                ..Default::default()
            }
        };
        create(app, &actor, &input).await?;
    }
    let leader = crate::auth::actor_by_username(app, "leader").await?;
    let year = chrono::Datelike::year(&today) as i64;
    // (unit, signed projects, signed amount in 亿元, started projects, valid leads)
    let plan: &[(&str, i64, i64, i64, i64)] = &[
        ("临江县", 12, 30, 8, 40),
        ("临江县投资促进中心", 7, 18, 5, 30),
        ("临江工业园区", 5, 12, 3, 10),
        ("青山区", 10, 25, 6, 36),
        ("青山区商务局", 6, 15, 3, 24),
        ("青山智能制造产业园", 4, 10, 3, 12),
        ("凤城经济技术开发区", 15, 40, 10, 30),
        ("凤城高新技术产业开发区", 14, 36, 9, 30),
        ("凤城市投资促进局", 20, 60, 12, 60),
    ];
    for (unit, signed, amount_yi, started, leads) in plan {
        let Some(u) = crate::org::unit_by_name(app, unit).await? else {
            continue;
        };
        for (metric, value) in [
            ("signed_count", *signed),
            ("signed_amount", amount_yi * 100_000_000),
            ("started_count", *started),
            ("leads_valid", *leads),
        ] {
            set_target(
                app,
                &leader,
                &TargetInput {
                    year,
                    metric: metric.into(),
                    unit_id: Some(u.id),
                    value,
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    create_competition(
        app,
        &leader,
        &CompetitionInput {
            name: "招商引资百日攻坚赛".into(),
            start_date: (today - chrono::Duration::days(60)).to_string(),
            end_date: (today + chrono::Duration::days(39)).to_string(),
            points: [
                ("signed_count".to_string(), 40.0),
                ("started_count".to_string(), 40.0),
                ("visits".to_string(), 20.0),
            ]
            .into_iter()
            .collect(),
        },
    )
    .await?;
    let last = chrono::NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&today),
        chrono::Datelike::month(&today),
        1,
    )
    .and_then(|d| d.pred_opt())
    .expect("the day before the first");
    publish(
        app,
        &leader,
        &PublishInput {
            period: last.format("%Y-%m").to_string(),
            title: None,
        },
    )
    .await?;
    Ok(())
}

/// The demo city's region prefix (凤城 stands in for 滁州, 3411): its companies are local.
pub const HOME_REGION: &str = "3411";

/// Local companies of the demo registry that make some links strong or weak: (name,
/// county, industry, capital 万元, scope, output 万元).
const LOCAL: &[(&str, &str, &str, i64, &str, i64)] = &[
    (
        "凤城华锂正极材料有限公司",
        "341102",
        "2613",
        30000,
        "磷酸铁锂正极材料的生产",
        260000,
    ),
    (
        "凤城鑫源新材料股份有限公司",
        "341103",
        "2613",
        12000,
        "三元材料前驱体、正极材料",
        120000,
    ),
    (
        "临江天恒锂电材料有限公司",
        "341122",
        "2613",
        8000,
        "锰酸锂正极材料",
        90000,
    ),
    (
        "凤城博能电池有限公司",
        "341102",
        "3841",
        20000,
        "动力电池电芯、储能电池",
        150000,
    ),
    (
        "凤城汇科电子有限公司",
        "341103",
        "3989",
        3000,
        "电池管理系统（BMS）",
        20000,
    ),
    (
        "凤城康宁制药有限公司",
        "341102",
        "2720",
        15000,
        "化学制剂、片剂、注射剂",
        80000,
    ),
    (
        "青山本草中药饮片有限公司",
        "341182",
        "2730",
        2000,
        "中药饮片加工",
        12000,
    ),
];

/// The demo's 产业链: the enterprise registry `registry` (a CSV as `fenglai registry import`
/// reads, without its local companies) plus a few local ones, the city's region prefix,
/// and the chains 新能源电池 and 生物医药 with 王市长 as their chief and the city's investment
/// promotion bureau as their office.
pub async fn seed_chains(app: &App, registry: Vec<u8>) -> Result<()> {
    let admin = auth::actor_by_username(app, "admin").await?;
    let promoter = auth::actor_by_username(app, "promoter").await?;
    let leader = auth::actor_by_username(app, "leader").await?;
    let mut settings = crate::chains::settings(app).await?;
    settings.home_region = Some(HOME_REGION.into());
    crate::chains::set_settings(app, &admin, &settings).await?;
    let mut csv = registry;
    for (i, (name, county, code, cap, scope, output)) in LOCAL.iter().enumerate() {
        let body = format!("91{county}Y{i:08}");
        let check = fenglai_domain::uscc::check_char(body.as_bytes()).unwrap_or('0');
        csv.extend_from_slice(
            format!(
                "{body}{check},{name},{county},{code},{cap},2012-05-18,{scope},,0,0,{output},{}\n",
                output / 20
            )
            .as_bytes(),
        );
    }
    crate::ledgers::registry::import(app, None, std::io::Cursor::new(csv), &|_, _| {}).await?;
    for (name, template) in [("新能源电池", "新能源电池"), ("生物医药", "生物医药")]
    {
        crate::chains::create(
            app,
            &promoter,
            &crate::chains::ChainInput {
                name: name.into(),
                description: None,
                chief_user_id: Some(leader.id()),
                office_unit_id: None,
                template: Some(template.into()),
            },
        )
        .await?;
    }
    Ok(())
}

/// (park, summary, industries, chains, plots (name, 亩, use, status, 万元/亩), power kVA,
/// min intensity 万元/亩, min tax 万元/亩, accepted 环评类别, lng, lat)
#[allow(clippy::type_complexity)]
const PARKS: &[(
    &str,
    &str,
    &[&str],
    &[&str],
    &[(&str, f64, &str, &str, i64)],
    i64,
    i64,
    i64,
    &[&str],
    f64,
    f64,
)] = &[
    (
        "凤城经济技术开发区",
        "国家级经济技术开发区，主攻集成电路与新能源电池，配套专用变电站与标准厂房。",
        &["3973", "3976", "3982", "3841", "3562"],
        &["集成电路", "新能源电池"],
        &[
            ("经开区A-01地块", 180.0, "industrial", "ready", 32),
            ("经开区A-02地块", 300.0, "industrial", "preparing", 30),
            ("经开区B-05地块", 90.0, "rd", "ready", 45),
        ],
        120_000,
        300,
        20,
        &["报告表", "登记表"],
        118.82,
        32.02,
    ),
    (
        "凤城高新技术产业开发区",
        "省级高新区，集成电路设计、软件和研发服务集聚，提供新型产业用地（M0）与人才公寓。",
        &["6520", "6513", "7320", "2720"],
        &["集成电路", "生物医药"],
        &[
            ("高新区M0-01地块", 260.0, "rd", "ready", 60),
            ("高新区M0-02地块", 120.0, "rd", "preparing", 60),
        ],
        60_000,
        400,
        30,
        &["报告表", "登记表"],
        118.76,
        32.06,
    ),
    (
        "临江工业园区",
        "县级工业园区，食品加工与金属制品为主，临江港区物流便利。",
        &["1419", "1491", "1495", "3311", "3399"],
        &["食品"],
        &[
            ("临江园1号地块", 400.0, "industrial", "ready", 18),
            ("临江园2号地块", 150.0, "warehouse", "ready", 15),
        ],
        40_000,
        150,
        8,
        &[],
        118.95,
        31.92,
    ),
    (
        "青山智能制造产业园",
        "智能装备与汽车零部件园区，机器人及系统集成企业集聚。",
        &["3491", "3499", "3670", "3831"],
        &["智能装备", "新能源汽车"],
        &[
            ("青山园C-01地块", 150.0, "industrial", "ready", 25),
            ("青山园C-02地块", 60.0, "industrial", "ready", 25),
        ],
        50_000,
        250,
        15,
        &["报告表", "登记表"],
        118.70,
        31.98,
    ),
];

/// Park profiles and plots, and the city's pre-review panel (reviewer, park, collab).
async fn seed_parks_and_panel(app: &App) -> Result<()> {
    use crate::parks::{PlotInput, ProfileInput};
    let admin = crate::auth::actor_by_username(app, "admin").await?;
    for (name, summary, industries, chains, plots, kva, intensity, tax, envs, lng, lat) in PARKS {
        let Some(park) = crate::org::unit_by_name(app, name).await? else {
            continue;
        };
        let input = ProfileInput {
            summary: Some(summary.to_string()),
            industries: industries.iter().map(|s| s.to_string()).collect(),
            chains: chains.iter().map(|s| s.to_string()).collect(),
            factory_m2: Some(80_000),
            factory_floors: Some(4),
            factory_load_kg_m2: Some(800),
            power_kva: Some(*kva),
            water_t_per_day: Some(20_000),
            gas: Some("天然气管网全覆盖".into()),
            steam: Some("集中供热，0.8MPa".into()),
            min_intensity_yuan_per_mu: Some(intensity * 10_000),
            min_tax_yuan_per_mu: Some(tax * 10_000),
            max_energy_tce_per_10k: Some(0.3),
            env_categories: envs.iter().map(|s| s.to_string()).collect(),
            policies: Some(
                "固定资产投资补助最高10%；前三年地方留成税收全额奖励；人才公寓拎包入住。".into(),
            ),
            contacts: Some("招商服务中心 0551-6000 1234".into()),
            address: Some(format!("凤城市{name}管委会")),
            lng: Some(*lng),
            lat: Some(*lat),
        };
        crate::parks::save(app, &admin, park.id, &input).await?;
        for (plot, mu, land_use, status, price_wan) in *plots {
            crate::parks::add_plot(
                app,
                &admin,
                park.id,
                &PlotInput {
                    name: plot.to_string(),
                    area_mu: *mu,
                    land_use: land_use.to_string(),
                    status: status.to_string(),
                    price_yuan_per_mu: Some(price_wan * 10_000),
                    active: None,
                    version: None,
                },
            )
            .await?;
        }
    }
    let bureau = crate::org::unit_by_name(app, "凤城市投资促进局")
        .await?
        .expect("unit seeded");
    let mut members = Vec::new();
    for (username, affiliation) in [
        ("reviewer", "科研院所专家"),
        ("park", "园区"),
        ("collab", "要素保障部门"),
    ] {
        let a = crate::auth::actor_by_username(app, username).await?;
        members.push(crate::intake::review::MemberInput {
            user_id: a.id(),
            affiliation: affiliation.into(),
        });
    }
    crate::intake::review::save_panel(
        app,
        None,
        None,
        &crate::intake::review::PanelInput {
            unit_id: bureau.id,
            name: "凤城市招商项目预审专班".into(),
            pass_score: Some(60),
            quorum: Some(3),
            deadline_days: Some(5),
            members,
            criteria: None,
        },
    )
    .await?;
    Ok(())
}
