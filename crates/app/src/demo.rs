//! The demo city 凤城市: organisation, demo accounts and a believable pipeline.

use crate::audit::Tx;
use crate::org::{create_unit, insert_user, UnitInput};
use crate::sample::{self, Options};
use crate::{auth, App, Result};
use chrono::NaiveDate;
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
    (
        "collab",
        "吴规划",
        Role::Collaborator,
        "凤城市自然资源和规划局",
    ),
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
    }
    let mut c = app.db.acquire().await?;
    let units = org::units(&mut c).await?;
    let users = org::users(&mut c).await?;
    let reporters = users
        .iter()
        .filter(|u| matches!(u.role.as_str(), "promoter" | "informant" | "receiver"))
        .map(|u| Reporter {
            user_id: u.id,
            unit_id: u.unit_id,
        })
        .collect();
    let parks = units
        .iter()
        .filter(|u| u.kind == "park")
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

/// Seeds the demo city once; later calls reuse it. Returns whether it seeded now.
pub async fn ensure_demo(app: &App) -> Result<bool> {
    {
        let mut c = app.db.acquire().await?;
        if org::setting(&mut c, "demo_seeded").await?.is_some() {
            return Ok(false);
        }
    }
    let refs = seed_org(app).await?;
    let opts = Options {
        leads: 640,
        projects: 260,
        seed: 2026,
        start: NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date"),
        end: crate::today(),
    };
    generate(app, &refs, &opts, &|_, _| {}).await?;
    let mut c = app.db.acquire().await?;
    org::set_setting(&mut c, "demo_seeded", &fenglai_store::sql::now()).await?;
    Ok(true)
}

/// Generates synthetic leads and projects, and records the load in the event chain.
pub async fn generate(
    app: &App,
    refs: &OrgRefs,
    opts: &Options,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<sample::Summary> {
    let summary = sample::generate(app, refs, opts, progress).await?;
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
