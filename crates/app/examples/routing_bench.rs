//! Routing a lead across 200 parks with 5,000 plots: the time of one ranking as the
//! API computes it (read every park's profile, industries and plots, then score).
//!
//!   cargo run --release -p fenglai-app --example routing_bench -- [DB_URL] [REQUESTS]
//!
//! DB_URL defaults to a fresh SQLite file under bench-data/routing; a postgres:// URL
//! must name an empty database. Prints the median and p99 in milliseconds of rankings as
//! they run (the park table cached), and the median of the first ranking after a park
//! changed (every park read again). One table row: backend, data, rankings, median, p99,
//! rankings after a change, their median and p99, parks that fit a lead on average.

use fenglai_app::parks::{PlotInput, ProfileInput};
use fenglai_app::{auth, demo, intake::routing, leads, org, parks, App};
use fenglai_store::Db;
use std::time::Instant;

const PARKS: usize = 200;
const PLOTS: usize = 5_000;
/// Leading industries are drawn from these (GB/T 4754-2017 小类).
const CODES: &[&str] = &[
    "6520", "6513", "3973", "3976", "3982", "3841", "3562", "3491", "3499", "3670", "3831", "2720",
    "1419", "1491", "1495", "3311", "3399", "7320",
];
const USES: &[&str] = &["industrial", "rd", "commercial", "warehouse"];
const STATUSES: &[&str] = &["ready", "ready", "preparing", "supplied"];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().unwrap_or_else(|| {
        let dir = std::path::Path::new("bench-data/routing");
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).expect("bench-data/routing");
        format!("sqlite://{}/fenglai.db?mode=rwc", dir.display())
    });
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500);
    let db = Db::connect(&url).await?;
    let app = App::open(db).await?;
    demo::seed_org(&app).await?;
    let admin = auth::actor_by_username(&app, "admin").await?;
    let city = org::unit_by_name(&app, demo::CITY).await?.expect("city");
    let seeded = parks::all(&app).await?;
    let existing = seeded.len();
    // the demo's own parks and plots count towards the 200 and the 5,000
    let mut plots_left = PLOTS - seeded.iter().map(|p| p.plots.len()).sum::<usize>();
    let t0 = Instant::now();
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |m: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % m
    };
    for i in existing..PARKS {
        let unit = org::create_unit(
            &app,
            Some(&admin),
            &org::UnitInput {
                name: format!("基准园区{i:03}"),
                kind: "park".into(),
                parent_id: Some(city.id),
                region_code: None,
            },
        )
        .await?;
        let industries = (0..3)
            .map(|_| CODES[next(CODES.len() as u64) as usize].to_string())
            .collect();
        parks::save(
            &app,
            &admin,
            unit.id,
            &ProfileInput {
                industries,
                chains: vec!["集成电路".into()],
                power_kva: Some(20_000 + next(100_000) as i64),
                min_intensity_yuan_per_mu: Some(1_000_000 + next(4_000_000) as i64),
                min_tax_yuan_per_mu: Some(100_000 + next(300_000) as i64),
                env_categories: vec!["报告表".into(), "登记表".into()],
                ..Default::default()
            },
        )
        .await?;
        let parks_left = PARKS - i;
        let here = plots_left.div_ceil(parks_left);
        plots_left -= here;
        for j in 0..here {
            parks::add_plot(
                &app,
                &admin,
                unit.id,
                &PlotInput {
                    name: format!("{i:03}-{j:02}地块"),
                    area_mu: 20.0 + next(400) as f64,
                    land_use: USES[next(USES.len() as u64) as usize].into(),
                    status: STATUSES[next(STATUSES.len() as u64) as usize].into(),
                    price_yuan_per_mu: Some(200_000 + next(400_000) as i64),
                    active: None,
                    version: None,
                },
            )
            .await?;
        }
    }
    let all = parks::all(&app).await?;
    let plots: usize = all.iter().map(|p| p.plots.len()).sum();
    eprintln!(
        "{} parks, {plots} plots ({:.1} s to load)",
        all.len(),
        t0.elapsed().as_secs_f64()
    );
    let promoter = auth::actor_by_username(&app, "promoter").await?;
    let mut ids = Vec::new();
    for i in 0..20 {
        let lead = leads::create(
            &app,
            &promoter,
            &leads::LeadInput {
                company_name: format!("基准线索{i}科技有限公司"),
                industry_code: Some(CODES[i % CODES.len()].into()),
                land_mu: Some(50.0 + (i * 20) as f64),
                planned_investment_yuan: Some(500_000_000 + i as i64 * 50_000_000),
                expected_tax_yuan: Some(20_000_000),
                env_category: Some("登记表".into()),
                power_kva: Some(5_000),
                ..Default::default()
            },
        )
        .await?;
        ids.push(lead.id);
    }
    for id in ids.iter().take(5) {
        routing::ranking(&app, &promoter, *id).await?; // warm-up
    }
    let mut ms = Vec::with_capacity(n);
    let mut fitting = 0;
    for k in 0..n {
        let t = Instant::now();
        let r = routing::ranking(&app, &promoter, ids[k % ids.len()]).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.len(), all.len());
        fitting += r.iter().filter(|f| f.fits).count();
    }
    // the first ranking after a park changes reads every park again
    let plot = all
        .last()
        .and_then(|p| p.plots.first())
        .expect("a plot")
        .clone();
    let cold_n = 30;
    let mut cold = Vec::with_capacity(cold_n);
    for k in 0..cold_n {
        parks::edit_plot(
            &app,
            &admin,
            plot.id,
            &PlotInput {
                name: plot.name.clone(),
                area_mu: plot.area_mu,
                land_use: plot.land_use.clone(),
                status: plot.status.clone(),
                price_yuan_per_mu: Some(300_000 + k as i64),
                active: None,
                version: None,
            },
        )
        .await?;
        let t = Instant::now();
        routing::ranking(&app, &promoter, ids[k % ids.len()]).await?;
        cold.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let q = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    println!(
        "| {} | {} parks, {plots} plots | {n} | {:.2} | {:.2} | {cold_n} | {:.1} | {:.1} | {:.1} |",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        all.len(),
        q(&mut ms, 0.5),
        q(&mut ms, 0.99),
        q(&mut cold, 0.5),
        q(&mut cold, 0.99),
        fitting as f64 / n as f64
    );
    Ok(())
}
