//! The home page (figures as of a day) and the leader's 驾驶舱.

use crate::charts::{park_map, shaded_china, trend, ChinaMap, TrendBar};
use crate::pages::*;
use fenglai_app::assess::bulletins;
use fenglai_app::cockpit::{self, Cockpit};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(dashboard))
        .route("/cockpit", get(cockpit_page))
}

// ---- dashboard ----

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    f: Frame,
    as_of: String,
    pipeline: Pipeline,
    summary: String,
    funnel: Vec<FunnelBar>,
    parks: Vec<GroupPipeline>,
    park_bars: Vec<HBar>,
    units: Vec<GroupPipeline>,
    lead_counts: Vec<UnitCount>,
    recent: Vec<RecentChange>,
    dropped: i64,
}

#[derive(Deserialize)]
struct AsOf {
    as_of: Option<String>,
}

async fn dashboard(State(app): State<App>, s: WebSession, Query(q): Query<AsOf>) -> PageResult {
    let as_of = crate::as_of::day(&q.as_of)?;
    let pipeline = stats::pipeline(&app, &s.actor, as_of).await?;
    let parks = stats::pipeline_by(&app, &s.actor, as_of, true).await?;
    let units = stats::pipeline_by(&app, &s.actor, as_of, false).await?;
    let lead_counts = stats::lead_counts(&app, &s.actor).await?;
    let recent = stats::recent(&app, &s.actor, 12).await?;
    Ok(render(
        StatusCode::OK,
        &Dashboard {
            f: Frame::new(&s, "dashboard"),
            as_of: as_of.to_string(),
            summary: pipeline.summary(),
            funnel: charts::funnel(&pipeline),
            park_bars: charts::group_bars(&parks),
            dropped: pipeline.stage(Stage::Dropped).count,
            pipeline,
            parks,
            units,
            lead_counts,
            recent,
        },
    ))
}

// ---------------------------------------------------------------- cockpit

#[derive(Template)]
#[template(path = "cockpit.html")]
struct CockpitPage {
    f: Frame,
    c: std::sync::Arc<Cockpit>,
    funnel: Vec<charts::FunnelBar>,
    bars: Vec<TrendBar>,
    china: ChinaMap,
    parks: Option<charts::ParkMap>,
    top: Vec<Vec<String>>,
    headers: Vec<String>,
    ytd: Vec<(String, String)>,
}

async fn cockpit_page(State(app): State<App>, s: WebSession) -> PageResult {
    let c = cockpit::get(&app, &s.actor).await?;
    let f = &c.figures;
    let counts: HashMap<String, i64> = c
        .origins
        .iter()
        .map(|o| (o.province.clone(), o.leads))
        .collect();
    let months: Vec<(String, i64, i64)> = c
        .trend
        .iter()
        .map(|m| (m.month.clone(), m.signed_yuan, m.started_yuan))
        .collect();
    let pts: Vec<(i64, String, Option<f64>, Option<f64>)> = c
        .parks
        .iter()
        .map(|p| {
            (
                p.id,
                format!("{}（{}个）", p.name, p.projects),
                p.lng,
                p.lat,
            )
        })
        .collect();
    let (headers, rows) = f
        .boards
        .iter()
        .find(|b| b.key == "units")
        .map(|b| bulletins::ranking_table(f, b))
        .unwrap_or_default();
    let idx = |code: &str| f.metrics.iter().position(|m| m.code == code).unwrap_or(0);
    let ytd = [
        "leads_valid",
        "signed_count",
        "signed_amount",
        "started_count",
        "started_amount",
        "capital_arrived",
    ]
    .iter()
    .map(|code| {
        (
            f.metrics[idx(code)].label.clone(),
            bulletins::show(code, f.total_ytd[idx(code)]),
        )
    })
    .collect();
    let page = CockpitPage {
        f: Frame::new(&s, "cockpit"),
        funnel: charts::funnel(&c.pipeline),
        bars: trend(&months, 160),
        china: shaded_china(&counts),
        parks: park_map(&pts, None, 520),
        top: rows.into_iter().take(10).collect(),
        headers,
        ytd,
        c: c.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}
