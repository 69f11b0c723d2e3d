//! The daily computation over a city's delivery data: which of 3,000,000 milestones are
//! overdue or at risk, which of 300,000 projects are stalled under the six default rules,
//! which of 500,000 requests' parts are overdue, and escalating those not yet escalated.
//!
//!   cargo run --release -p fenglai-sample --example daily_bench -- [DB_URL] [PROJECTS] [REQUESTS] [RUNS]
//!
//! DB_URL defaults to a fresh SQLite file under bench-data/daily; a postgres:// URL must name
//! an empty database. Each run computes as of 2026-01-01 after the previous run's
//! escalations are cleared, so every run does the same work. Prints each run and the median.

use fenglai_app::{delivery::alerts, demo, App};
use fenglai_store::sql::Sql;
use fenglai_store::{synthetic, Db};
use std::time::Instant;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .filter(|s| s != "-")
        .unwrap_or_else(|| {
            let dir = std::path::Path::new("bench-data/daily");
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir).expect("bench-data/daily");
            format!("sqlite://{}/fenglai.db?mode=rwc", dir.display())
        });
    let num = |i: usize, d: i64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (projects, requests, runs) = (num(2, 300_000), num(3, 500_000), num(4, 3));
    let db = Db::connect(&url).await?;
    let app = App::open(db.clone()).await?;
    demo::seed_org(&app).await?;
    let t0 = Instant::now();
    synthetic::delivery(&db, projects, requests).await?;
    let mut c = db.acquire().await?;
    let count = |t: &str| Sql::new(&format!("SELECT COUNT(*) FROM {t}"));
    let (p, m, r, k) = (
        count("projects").fetch_i64(&mut c).await?,
        count("milestones").fetch_i64(&mut c).await?,
        count("requests").fetch_i64(&mut c).await?,
        count("request_tasks").fetch_i64(&mut c).await?,
    );
    println!(
        "data: {p} projects, {m} milestones, {r} requests with {k} department parts, written in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    drop(c);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut times = Vec::new();
    for i in 0..runs {
        let mut c = db.acquire().await?;
        Sql::new("UPDATE request_tasks SET escalated_at = NULL WHERE escalated_at IS NOT NULL")
            .execute(&mut c)
            .await?;
        drop(c);
        let t = Instant::now();
        let (run, _) = alerts::compute(&app, as_of).await?;
        let s = t.elapsed().as_secs_f64();
        println!(
            "run {}: {s:.2} s — overdue {}, at risk {}, stalled {}, overdue request parts {}, escalated {}",
            i + 1,
            run.overdue,
            run.at_risk,
            run.stalled,
            run.requests,
            run.escalated
        );
        times.push(s);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{:?} | {p} projects, {m} milestones, {r} requests | median {:.2} s of {runs}",
        db.backend(),
        times[times.len() / 2]
    );
    Ok(())
}
