//! Upgrading: a database made by the previous release's migrations, with data in it, is
//! opened by this release (the later migrations applied, keys backfilled) and everything
//! in it still reads, counts and verifies — on SQLite and PostgreSQL.

use crate::helpers::{pg_admin_url, pg_available, random_name, with_db};
use fenglai_app::{audit, auth, cockpit::stats, delivery::milestones, projects, App};
use fenglai_domain::Stage;
use fenglai_domain::Yuan;
use fenglai_store::sql::Sql;
use fenglai_store::{Backend, Db};
use std::path::PathBuf;

/// The last migration of the previous release (what was on `main` when it last landed).
/// Raise it with each release: migrations are append-only.
const PREVIOUS_RELEASE: u32 = 19;

/// That release's migrations, copied out of the repository's folder for `backend`.
fn previous_migrations(backend: &str) -> PathBuf {
    let src =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../store/migrations/{backend}"));
    let dst = std::env::temp_dir().join(random_name("fenglai_prev_migrations"));
    std::fs::create_dir_all(&dst).unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        let version: u32 = name.split('_').next().unwrap().parse().unwrap();
        if version <= PREVIOUS_RELEASE {
            std::fs::copy(e.path(), dst.join(&name)).unwrap();
            n += 1;
        }
    }
    assert!(n >= 10, "{n} migrations of the previous release");
    dst
}

/// Rows as the previous release wrote them: a city, an administrator, an admitted lead
/// and its project, signed on 2024-01-01 after negotiating from 2023-06-01.
const OLD_DATA: &[&str] = &[
    "INSERT INTO units (id, parent_id, name, kind, path, jurisdiction_id, active, created_at) \
     VALUES (1, NULL, '旧市', 'region', '/1/', 1, 1, '2023-01-01T00:00:00.000000Z')",
    "INSERT INTO users (id, username, display_name, role, unit_id, password_hash, active, created_at) \
     VALUES (1, 'old_admin', '旧管理员', 'admin', 1, '!', 1, '2023-01-01T00:00:00.000000Z')",
    "INSERT INTO leads (id, company_name, planned_investment_yuan, reported_by, reporting_unit_id, \
     reported_date, status, project_id, created_at, updated_at) VALUES (1, '旧城升级科技有限公司', \
     300000000, 1, 1, '2023-05-20', 'admitted', 1, '2023-05-20T00:00:00.000000Z', '2023-05-20T00:00:00.000000Z')",
    "INSERT INTO projects (id, name, lead_id, company_name, reporting_unit_id, reported_by, \
     responsible_user_id, planned_investment_yuan, contracted_investment_yuan, stage, stage_date, \
     created_at, updated_at) VALUES (1, '旧城升级项目', 1, '旧城升级科技有限公司', 1, 1, 1, 300000000, \
     280000000, 'signed', '2024-01-01', '2023-06-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z')",
    "INSERT INTO stage_history (project_id, stage, kind, effective_date, end_date, investment_yuan, \
     reporting_unit_id, reported_by, recorded_by, recorded_at) VALUES (1, 'negotiating', 'advance', \
     '2023-06-01', '2024-01-01', 300000000, 1, 1, 1, '2023-06-01T00:00:00.000000Z')",
    "INSERT INTO stage_history (project_id, stage, kind, effective_date, amount_yuan, investment_yuan, \
     reporting_unit_id, reported_by, recorded_by, recorded_at) VALUES (1, 'signed', 'advance', \
     '2024-01-01', 280000000, 280000000, 1, 1, 1, '2024-01-01T00:00:00.000000Z')",
];

async fn upgrade(db: Db, backend: &str) {
    let old = sqlx::migrate::Migrator::new(previous_migrations(backend))
        .await
        .unwrap();
    old.run(db.pool()).await.unwrap();
    {
        let mut c = db.acquire().await.unwrap();
        for sql in OLD_DATA {
            Sql::new(sql).execute(&mut c).await.unwrap();
        }
        if db.backend() == Backend::Postgres {
            for t in ["units", "users", "leads", "projects"] {
                Sql::new(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                ))
                .execute(&mut c)
                .await
                .unwrap();
            }
        }
    }
    // this release opens it: later migrations, reference data, backfills
    let app = App::open(db.clone()).await.expect("upgrade");
    let admin = auth::actor_by_username(&app, "old_admin").await.unwrap();
    let p = projects::get(&app, &admin, 1).await.unwrap();
    assert_eq!(
        (p.name.as_str(), p.stage.as_str(), p.stage_date.to_string()),
        ("旧城升级项目", "signed", "2024-01-01".to_string())
    );
    assert_eq!(p.contracted_investment_yuan, Some(Yuan(280_000_000)));
    assert_eq!((p.project_type, p.target_production_date), (None, None));
    // figures as of a past date still come from the old history
    let on = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let before = stats::pipeline(&app, &admin, on("2023-12-31"))
        .await
        .unwrap();
    assert_eq!(before.stage(Stage::Negotiating).count, 1);
    let after = stats::pipeline(&app, &admin, on("2024-06-01"))
        .await
        .unwrap();
    assert_eq!(
        (
            after.stage(Stage::Signed).count,
            after.stage(Stage::Signed).investment_yuan
        ),
        (1, 280_000_000)
    );
    // the new capabilities work on old records: a stall list, a plan, the audit chain
    let stalls = milestones::stalled(
        &app,
        &admin,
        &milestones::StallQuery {
            as_of: Some("2024-03-01".into()),
            ..Default::default()
        },
        on("2024-03-01"),
    )
    .await
    .unwrap();
    assert_eq!(
        stalls
            .items
            .iter()
            .map(|s| (s.rule_code.as_str(), s.stalled_days))
            .collect::<Vec<_>>(),
        [("signed_unregistered", 60)]
    );
    milestones::schedule(
        &app,
        &admin,
        1,
        &milestones::PlanInput {
            project_type: "industrial".into(),
            target_production_date: "2025-06-30".into(),
        },
    )
    .await
    .unwrap();
    let tl = milestones::timeline(&app, &admin, 1, on("2024-03-01"))
        .await
        .unwrap();
    assert_eq!(
        tl.nodes
            .iter()
            .find(|n| n.milestone.node == "sign")
            .unwrap()
            .milestone
            .actual_date
            .as_deref(),
        Some("2024-01-01")
    );
    // assessment reads old records: January 2024's signing counts for the old city, whole
    let fig = fenglai_app::assess::compute(&app, "2024-01", fenglai_domain::Moment::now())
        .await
        .unwrap();
    let signed = fig
        .metrics
        .iter()
        .position(|m| m.code == "signed_count")
        .unwrap();
    let amount = fig
        .metrics
        .iter()
        .position(|m| m.code == "signed_amount")
        .unwrap();
    assert_eq!(
        (fig.total_raw[signed], fig.total_raw[amount]),
        (1.0, 280_000_000.0)
    );
    // the old stage entries carry their lead's credit (filled by migration 0020)
    let mut c = db.acquire().await.unwrap();
    assert_eq!(
        fenglai_store::assess::credit_out_of_step(&mut c)
            .await
            .unwrap(),
        0
    );
    drop(c);
    match audit::verify(&app).await.unwrap() {
        audit::Verdict::Intact { events } => assert!(events >= 1),
        other => panic!("{other:?}"),
    }
    // opening again changes nothing
    let again = App::open(db.clone()).await.unwrap();
    assert!(matches!(
        audit::verify(&again).await.unwrap(),
        audit::Verdict::Intact { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_release_upgrades_on_sqlite() {
    let dir = std::env::temp_dir().join(random_name("fenglai_upgrade"));
    let db = Db::open_sqlite_dir(&dir).await.unwrap();
    upgrade(db, "sqlite").await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_release_upgrades_on_postgres() {
    if !pg_available() {
        return;
    }
    let admin = pg_admin_url().unwrap();
    let name = random_name("fenglai_upgrade");
    let adm = Db::connect(&admin).await.unwrap();
    Sql::new(&format!("CREATE DATABASE {name}"))
        .execute(&mut adm.acquire().await.unwrap())
        .await
        .unwrap();
    adm.pool().close().await;
    let db = Db::connect(&with_db(&admin, &name)).await.unwrap();
    upgrade(db, "postgres").await;
}
