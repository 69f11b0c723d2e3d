//! 驾驶舱: the leader's one screen — headline figures, the funnel, signed and started
//! investment by month, the month's rankings, stalled projects, overdue requests, where leads
//! and projects come from by province, and the parks. Computed for the whole city and kept a
//! minute (the page says when it was computed), so a projector's refreshes stay cheap.
//! Also 三张清单 as one workbook.

pub mod stats;

use crate::assess::bulletins::{self, Named};
use crate::assess::{self, AssessFigures};
use crate::{Actor, App, Error, Result};
use chrono::{Datelike, NaiveDate};
use fenglai_domain::{Day, Moment};
use fenglai_ledger::{write_sheets, OutCell, SheetOut};
use fenglai_store::assess as store;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long computed figures are served before being computed again.
pub const KEEP: Duration = Duration::from_secs(60);

pub type Cached = (Instant, Arc<Cockpit>);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Month {
    /// YYYY-MM
    pub month: String,
    pub signed_count: i64,
    pub signed_yuan: i64,
    pub started_count: i64,
    pub started_yuan: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Origin {
    /// two-digit province code (GB/T 2260)
    pub province: String,
    pub leads: i64,
    pub projects: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Cockpit {
    /// when these figures were computed (RFC 3339)
    #[schema(value_type = String)]
    pub computed_at: Moment,
    #[schema(value_type = String)]
    pub today: Day,
    pub pipeline: crate::cockpit::stats::Pipeline,
    /// this month's figures and rankings
    pub figures: AssessFigures,
    /// the last twelve months, oldest first
    pub trend: Vec<Month>,
    pub named: Named,
    pub origins: Vec<Origin>,
    pub parks: Vec<store::ParkPoint>,
}

fn check(actor: &Actor) -> Result<()> {
    actor.require(bulletins::may_steer(actor.role), "查看驾驶舱")
}

/// The cockpit's figures. Computed once (the first request waits), then served from memory:
/// after [`KEEP`] the next request starts computing them again in the background and is
/// answered with the previous figures, so no request after the first waits for the
/// computation.
pub async fn get(app: &App, actor: &Actor) -> Result<Arc<Cockpit>> {
    check(actor)?;
    let stale = {
        let mut slot = app.cockpit.lock().expect("cockpit lock");
        match slot.as_mut() {
            Some(cached) if cached.0.elapsed() < KEEP => return Ok(cached.1.clone()),
            Some(cached) => {
                // claim the refresh: later requests see a fresh timestamp until it lands
                cached.0 = Instant::now();
                Some(cached.1.clone())
            }
            None => None,
        }
    };
    match stale {
        Some(old) => {
            let app = app.clone();
            tokio::spawn(async move {
                match compute(&app).await {
                    Ok(c) => {
                        *app.cockpit.lock().expect("cockpit lock") =
                            Some((Instant::now(), Arc::new(c)))
                    }
                    Err(e) => tracing::warn!("cockpit refresh failed: {e}"),
                }
            });
            Ok(old)
        }
        None => {
            let c = Arc::new(compute(app).await?);
            *app.cockpit.lock().expect("cockpit lock") = Some((Instant::now(), c.clone()));
            Ok(c)
        }
    }
}

fn month_back(d: NaiveDate, n: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 - n;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .expect("first of a month")
}

/// The whole city's cockpit (the page is for leaders and administrators, who see everything).
async fn compute(app: &App) -> Result<Cockpit> {
    let actor = &crate::assess::bulletins::city_reader();
    let today = crate::today();
    let now = Moment::now();
    let pipeline = crate::cockpit::stats::pipeline(app, actor, today).await?;
    let month = format!("{}-{:02}", today.year(), today.month());
    let figures = assess::compute(app, &month, now).await?;
    let named = bulletins::named_on(app, today).await?;
    let mut c = app.db.acquire().await?;
    let from = month_back(today, 11);
    let rows = store::monthly_trend(&mut c, &from.to_string(), &today.to_string()).await?;
    let trend = (0..12)
        .map(|i| {
            let m = month_back(today, 11 - i);
            let key = format!("{}-{:02}", m.year(), m.month());
            let pick = |stage: &str| {
                rows.iter()
                    .find(|r| r.0 == key && r.1 == stage)
                    .map_or((0, 0), |r| (r.2, r.3))
            };
            let (sc, sy) = pick("signed");
            let (tc, ty) = pick("started");
            Month {
                month: key,
                signed_count: sc,
                signed_yuan: sy,
                started_count: tc,
                started_yuan: ty,
            }
        })
        .collect();
    let origins = store::origins(&mut c, &actor.scope)
        .await?
        .into_iter()
        .map(|(province, leads, projects)| Origin {
            province,
            leads,
            projects,
        })
        .collect();
    let parks = store::park_points(&mut c).await?;
    Ok(Cockpit {
        computed_at: now,
        today,
        pipeline,
        figures,
        trend,
        named,
        origins,
        parks,
    })
}

fn t(s: impl Into<String>) -> OutCell {
    OutCell::Text(s.into())
}

/// 三张清单: 工作责任清单, 项目推进清单, 履职清单, one sheet each.
pub async fn three_lists(app: &App, actor: &Actor, year: i64) -> Result<Vec<u8>> {
    actor.require(bulletins::may_read(actor.role), "导出三张清单")?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("year", "年度应在2000到2100之间"));
    }
    let f = assess::compute(app, &year.to_string(), Moment::now()).await?;
    let targets = bulletins::targets(app, actor, year).await?;
    let mut c = app.db.acquire().await?;
    let projects = store::progress_rows(&mut c, &actor.scope, 20_000).await?;
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    // 工作责任清单: each target, its owner, the year's actual and completion
    let h1 = s(&[
        "责任主体",
        "指标",
        "年度目标",
        "累计完成",
        "完成率",
        "调整次数",
    ]);
    let mut r1 = Vec::new();
    for item in &targets.items {
        let tg = &item.target;
        let idx = f.metrics.iter().position(|m| m.code == tg.metric);
        let actual = idx.and_then(|i| {
            let (boards, id): (&[&str], i64) = match (tg.unit_id, tg.user_id) {
                (Some(u), _) => (&["units", "offices"], u),
                (_, Some(p)) => (&["people"], p),
                _ => (&[], 0),
            };
            f.boards
                .iter()
                .filter(|b| boards.contains(&b.key.as_str()))
                .flat_map(|b| &b.rows)
                .find(|r| r.id == id)
                .map(|r| r.ytd[i])
        });
        let a = actual.unwrap_or(0.0);
        r1.push(vec![
            t(item.owner_name.clone()),
            t(item.metric_label.clone()),
            t(bulletins::show(&tg.metric, tg.value as f64)),
            t(bulletins::show(&tg.metric, a)),
            t(if tg.value > 0 {
                format!("{:.1}%", a / tg.value as f64 * 100.0)
            } else {
                "—".into()
            }),
            t((item.versions - 1).to_string()),
        ]);
    }
    // 项目推进清单
    let h2 = s(&[
        "项目",
        "企业",
        "阶段",
        "阶段日期",
        "园区",
        "报送单位",
        "责任人",
        "责任领导",
        "投资额",
        "下一节点计划日期",
    ]);
    let r2: Vec<Vec<OutCell>> = projects
        .iter()
        .map(|p| {
            vec![
                t(p.name.clone()),
                t(p.company_name.clone()),
                t(fenglai_domain::Stage::parse(&p.stage)
                    .map(|s| s.label().to_string())
                    .unwrap_or_default()),
                t(p.stage_date.clone()),
                t(p.park_name.clone().unwrap_or_default()),
                t(p.unit_name.clone()),
                t(p.responsible_name.clone().unwrap_or_default()),
                t(p.leader_name.clone().unwrap_or_default()),
                t(fenglai_domain::Yuan(p.investment_yuan).human()),
                t(p.next_planned.clone().unwrap_or_default()),
            ]
        })
        .collect();
    // 履职清单: each person's year
    let cols = [
        "leads_valid",
        "visits",
        "events",
        "signed_count",
        "signed_amount",
        "started_count",
    ];
    let mut h3 = s(&["姓名", "单位"]);
    h3.extend(cols.iter().map(|c| {
        f.metrics
            .iter()
            .find(|m| m.code == *c)
            .map(|m| m.label.clone())
            .unwrap_or_default()
    }));
    let people = f.boards.iter().find(|b| b.key == "people");
    let r3: Vec<Vec<OutCell>> = people
        .map(|b| {
            b.rows
                .iter()
                .map(|r| {
                    let mut row = vec![t(r.name.clone()), t(r.group.clone())];
                    for c in cols {
                        let i = f.metrics.iter().position(|m| m.code == c).unwrap_or(0);
                        row.push(t(bulletins::show(c, r.ytd[i])));
                    }
                    row
                })
                .collect()
        })
        .unwrap_or_default();
    let t1 = format!("{year}年工作责任清单");
    let t2 = format!("{year}年项目推进清单");
    let t3 = format!("{year}年履职清单");
    write_sheets(&[
        SheetOut {
            name: "工作责任清单",
            title: &t1,
            headers: &h1,
            rows: &r1,
        },
        SheetOut {
            name: "项目推进清单",
            title: &t2,
            headers: &h2,
            rows: &r2,
        },
        SheetOut {
            name: "履职清单",
            title: &t3,
            headers: &h3,
            rows: &r3,
        },
    ])
    .map_err(|e| Error::Internal(e.to_string()))
}
