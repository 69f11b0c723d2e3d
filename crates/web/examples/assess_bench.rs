//! 考核 at city scale: the monthly bulletin for 200 units and 2,000 people over 1,000,000
//! leads, and the leader cockpit page under repeated loads.
//!
//!   cargo run --release -p fenglai-web --example assess_bench -- [DB_URL|-] [LEADS] [RUNS] [REQUESTS]
//!
//! DB_URL defaults to a fresh SQLite file under bench-data/assess (a postgres:// URL must name
//! an empty database). A database that already holds the dataset (a previous run's, given by
//! its URL) is reused as it is. The dataset: the demo organisation plus 20 counties, each with a
//! bureau, four parks and four departments (200 units), ten promoters in each (2,000 people),
//! LEADS leads (default 1,000,000) with 30% made projects and their stage histories from
//! 2021 to today (the generator of `fenglai gen`), 100,000 visits and events, and targets
//! for four metrics for every unit. Then, RUNS times (default 5): the figures of last month
//! as of now (`assess::compute`, every unit and person, with year to date and the previous
//! month for movement), and the whole draft bulletin (figures plus the named stalled projects
//! and overdue requests). Then the server is started on loopback and `GET /cockpit` (the
//! HTML page, with a leader's session) is requested REQUESTS times (default 500) one after
//! another: the first request computes the cockpit, later ones within a minute are served
//! from what it computed. Prints each timing, the medians and the cockpit's p50/p99.

use chrono::Datelike;
use fenglai_app::demo::{self, OrgRefs, Reporter};
use fenglai_app::org::{create_unit, UnitInput};
use fenglai_app::{assess, assess::bulletins, auth, App};
use fenglai_store::sql::Sql;
use fenglai_store::Db;
use std::time::Instant;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn pct(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    s[((s.len() as f64 * p).ceil() as usize).clamp(1, s.len()) - 1]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    // RUST_LOG=fenglai_app::assess=debug prints where the figures' time goes
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .filter(|s| s != "-")
        .unwrap_or_else(|| {
            let dir = std::path::Path::new("bench-data/assess");
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir).expect("bench-data/assess");
            format!("sqlite://{}/fenglai.db?mode=rwc", dir.display())
        });
    let num = |i: usize, d: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (leads, runs, requests) = (num(2, 1_000_000), num(3, 5), num(4, 500));
    let db = Db::connect(&url).await?;
    let app = App::open(db.clone()).await?;
    demo::seed_org(&app).await?;
    let have = {
        let mut c = db.acquire().await?;
        Sql::new("SELECT COUNT(*) FROM leads")
            .fetch_i64(&mut c)
            .await?
    };
    if have < leads as i64 * 9 / 10 {
        build(&app, &db, leads).await?;
    } else {
        println!("reusing the dataset: {have} leads");
    }
    measure(&app, runs, requests).await
}

/// The organisation, the leads and projects, the activities and the targets.
async fn build(app: &App, db: &Db, leads: u64) -> anyhow::Result<()> {
    let app = app.clone();
    let t0 = Instant::now();

    // 200 units: 20 counties × (bureau, 4 parks, 4 departments)
    let city = fenglai_app::org::unit_by_name(&app, demo::CITY)
        .await?
        .expect("the demo city");
    let mut units = Vec::new();
    let mut parks = Vec::new();
    for c in 0..20 {
        let county = create_unit(
            &app,
            None,
            &UnitInput {
                name: format!("测试{c:02}县"),
                kind: "county".into(),
                parent_id: Some(city.id),
                region_code: None,
            },
        )
        .await?;
        units.push(county.id);
        for (k, kind) in [
            "department",
            "park",
            "park",
            "park",
            "park",
            "department",
            "department",
            "department",
            "department",
        ]
        .iter()
        .enumerate()
        {
            let u = create_unit(
                &app,
                None,
                &UnitInput {
                    name: format!("测试{c:02}县单位{k}"),
                    kind: kind.to_string(),
                    parent_id: Some(county.id),
                    region_code: None,
                },
            )
            .await?;
            if *kind == "park" {
                parks.push(u.id);
            }
            units.push(u.id);
        }
    }
    // 2,000 people: ten promoters a unit (no password: they never log in here)
    let mut c = db.acquire().await?;
    let now = fenglai_store::sql::now();
    for chunk in units.chunks(20) {
        let mut s = Sql::new(
            "INSERT INTO users (username, display_name, role, unit_id, password_hash, active, created_at) VALUES ",
        );
        let mut first = true;
        for u in chunk {
            for k in 0..10 {
                if !first {
                    s.push(", ");
                }
                first = false;
                s.push("(")
                    .bind(format!("bench_{u}_{k}"))
                    .push(", ")
                    .bind(format!("测试人员{u}-{k}"));
                s.push(", 'promoter', ")
                    .bind(*u)
                    .push(", '!', 1, ")
                    .bind(now.clone())
                    .push(")");
            }
        }
        s.positional(db.backend()).execute(&mut c).await?;
    }
    #[derive(sqlx::FromRow)]
    struct U {
        id: i64,
        unit_id: i64,
    }
    let people: Vec<U> = Sql::new(
        "SELECT id, unit_id FROM users WHERE username LIKE 'bench\\_%' ESCAPE '\\' ORDER BY id",
    )
    .fetch_all(&mut c)
    .await?;
    drop(c);
    println!(
        "org: {} units, {} people in {:.1} s",
        units.len(),
        people.len(),
        t0.elapsed().as_secs_f64()
    );
    let refs = OrgRefs {
        reporters: people
            .iter()
            .map(|p| Reporter {
                user_id: p.id,
                unit_id: p.unit_id,
            })
            .collect(),
        parks,
        recorder_user_id: people[0].id,
    };
    let today = fenglai_app::today();
    let t1 = Instant::now();
    let summary = fenglai_sample::generate(
        &app,
        db,
        &refs,
        &fenglai_sample::Options {
            leads,
            projects: leads * 3 / 10,
            seed: 7,
            start: chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("date"),
            end: today,
        },
        &|_, _| {},
    )
    .await?;
    println!(
        "data: {} leads, {} projects, {} stage-history rows in {:.1} s",
        summary.leads,
        summary.projects,
        summary.history,
        t1.elapsed().as_secs_f64()
    );
    // 100,000 visits and events over the last two years, one person each
    let t2 = Instant::now();
    let mut c = db.acquire().await?;
    let mut x: u64 = 12345;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let first_id = Sql::new("SELECT COALESCE(MAX(id), 0) FROM activities")
        .fetch_i64(&mut c)
        .await?
        + 1;
    for batch in 0..100 {
        let mut s = Sql::new(
            "INSERT INTO activities (id, kind, title, activity_date, unit_id, created_by, created_at) VALUES ",
        );
        let mut ap = Sql::new("INSERT INTO activity_people (activity_id, user_id) VALUES ");
        for i in 0..1000i64 {
            let id = first_id + batch * 1000 + i;
            let p = &people[(next() % people.len() as u64) as usize];
            let day = today - chrono::Duration::days((next() % 730) as i64);
            let kind = if next() % 6 == 0 { "event" } else { "visit" };
            if i > 0 {
                s.push(", ");
                ap.push(", ");
            }
            s.push("(")
                .bind(id)
                .push(", ")
                .bind(kind)
                .push(", '走访', ");
            s.bind(day.to_string())
                .push(", ")
                .bind(p.unit_id)
                .push(", ")
                .bind(p.id);
            s.push(", ").bind(now.clone()).push(")");
            ap.push("(").bind(id).push(", ").bind(p.id).push(")");
        }
        s.positional(db.backend()).execute(&mut c).await?;
        ap.positional(db.backend()).execute(&mut c).await?;
    }
    drop(c);
    // targets: four metrics for every unit
    let leader = auth::actor_by_username(&app, "leader").await?;
    let year = today.year() as i64;
    for (i, u) in units.iter().enumerate() {
        for (metric, value) in [
            ("signed_count", 40 + i as i64 % 7),
            ("signed_amount", 5_000_000_000 + i as i64 * 10_000_000),
            ("started_count", 20 + i as i64 % 5),
            ("leads_valid", 300 + i as i64 % 11),
        ] {
            bulletins::set_target(
                &app,
                &leader,
                &bulletins::TargetInput {
                    year,
                    metric: metric.into(),
                    unit_id: Some(*u),
                    value,
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    println!(
        "activities and targets in {:.1} s",
        t2.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The bulletin's figures and draft, then the cockpit page over HTTP.
async fn measure(app: &App, runs: u64, requests: u64) -> anyhow::Result<()> {
    let app = app.clone();
    let today = fenglai_app::today();
    let leader = auth::actor_by_username(&app, "leader").await?;

    let last = chrono::NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .and_then(|d| d.pred_opt())
        .expect("last month");
    let period = last.format("%Y-%m").to_string();
    let mut figures = Vec::new();
    let mut drafts = Vec::new();
    for run in 0..runs {
        let t = Instant::now();
        let f = assess::compute(&app, &period, fenglai_domain::Moment::now()).await?;
        let fs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let d = bulletins::draft(&app, &leader, &period).await?;
        let ds = t.elapsed().as_secs_f64();
        println!(
            "run {run}: figures of {period} {:.0} ms ({} boards: {} units, {} people; city signed {}), whole draft bulletin {:.0} ms ({} stalled named)",
            fs * 1000.0,
            f.boards.len(),
            f.boards[0].rows.len() + f.boards[1].rows.len(),
            f.boards[2].rows.len(),
            f.total_raw[3],
            ds * 1000.0,
            d.named.stalled.len()
        );
        figures.push(fs);
        drafts.push(ds);
    }
    println!(
        "median: figures {:.0} ms, draft bulletin {:.0} ms",
        median(&mut figures) * 1000.0,
        median(&mut drafts) * 1000.0
    );

    // the cockpit page over HTTP
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let served = app.clone();
    tokio::spawn(async move {
        fenglai_web::serve(listener, served, std::future::pending())
            .await
            .expect("serve")
    });
    let session = auth::login(&app, "leader", "demo", "127.0.0.1", auth::Kind::Web).await?;
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    for _ in 0..requests {
        let t = Instant::now();
        let r = client
            .get(format!("http://{addr}/cockpit"))
            .header("cookie", format!("fenglai_session={}", session.token))
            .send()
            .await?;
        assert!(r.status().is_success(), "{}", r.status());
        let body = r.bytes().await?;
        assert!(body.len() > 10_000);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "cockpit: {} requests, first {:.0} ms, p50 {:.1} ms, p99 {:.1} ms, max {:.0} ms",
        times.len(),
        times[0],
        pct(&times, 0.50),
        pct(&times, 0.99),
        pct(&times, 1.0)
    );
    Ok(())
}
