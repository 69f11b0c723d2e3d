//! The command line, run as a user would: demo data, audit verification, user creation.

use fenglai_store::sql::Sql;
use fenglai_store::Db;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fenglai(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fenglai"));
    cmd.args(args)
        .env("FENGLAI_LOG", "warn")
        .env_remove("FENGLAI_DATABASE_URL");
    match std::env::var("CLI_TEST_DATABASE_URL") {
        Ok(url) => cmd.args(["--database-url", &url]),
        Err(_) => cmd.args(["--data-dir", dir.to_str().unwrap()]),
    };
    cmd.output().expect("run fenglai")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("fenglai_cli_{:016x}", rand::random::<u64>()))
}

#[tokio::test]
async fn audit_verify_catches_a_manual_update() {
    let dir = temp_dir();
    let o = fenglai(&dir, &["demo", "--no-serve"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("promoter"));
    // running the demo twice reuses the data
    let o = fenglai(&dir, &["demo", "--no-serve"]);
    assert!(text(&o).contains("沿用已有的演示数据"), "{}", text(&o));

    let o = fenglai(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("intact"));

    // edit a row behind the program's back
    let db = Db::open_sqlite_dir(&dir).await.unwrap();
    Sql::new("UPDATE events SET actor = 'mallory' WHERE seq = 3")
        .execute(&mut db.acquire().await.unwrap())
        .await
        .unwrap();
    db.pool.close().await;
    let o = fenglai(&dir, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("BROKEN") && t.contains("seq 3"), "{t}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn user_add_from_the_command_line() {
    let dir = temp_dir();
    assert!(fenglai(&dir, &["demo", "--no-serve"]).status.success());
    let add = |extra: &[&str]| {
        let mut args = vec!["user", "add", "--username", "lj_wang", "--name", "王五"];
        args.extend_from_slice(extra);
        fenglai(&dir, &args)
    };
    let o = add(&[
        "--role",
        "招商人",
        "--unit",
        "临江县投资促进中心",
        "--password",
        "long-enough-1",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("临江县投资促进中心"));
    // the same name again, a short password, an unknown unit or role: clear errors
    for (extra, needle) in [
        (
            vec![
                "--role",
                "promoter",
                "--unit",
                "临江县投资促进中心",
                "--password",
                "long-enough-1",
            ],
            "已存在",
        ),
        (
            vec![
                "--role",
                "promoter",
                "--unit",
                "临江县投资促进中心",
                "--password",
                "short",
            ],
            "密码",
        ),
        (
            vec![
                "--role",
                "promoter",
                "--unit",
                "火星招商局",
                "--password",
                "long-enough-1",
            ],
            "not found",
        ),
        (
            vec![
                "--role",
                "king",
                "--unit",
                "临江县投资促进中心",
                "--password",
                "long-enough-1",
            ],
            "role",
        ),
    ] {
        let o = add(&extra);
        assert!(!o.status.success());
        assert!(text(&o).contains(needle), "{needle}: {}", text(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn gen_makes_a_consistent_dataset() {
    use fenglai_store::stats::{pipeline, pipeline_raw};
    let dir = temp_dir();
    let o = fenglai(
        &dir,
        &["gen", "--leads", "3000", "--projects", "900", "--seed", "7"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("generated 3000 leads"), "{}", text(&o));
    let o = fenglai(&dir, &["gen", "--leads", "10", "--projects", "20"]);
    assert!(!o.status.success() && text(&o).contains("cannot exceed"));
    let db = Db::open_sqlite_dir(&dir).await.unwrap();
    let mut c = db.acquire().await.unwrap();
    let n = |sql: &'static str| Sql::new(sql);
    let projects = n("SELECT COUNT(*) FROM projects")
        .fetch_i64(&mut c)
        .await
        .unwrap();
    assert!((700..=900).contains(&projects), "{projects}");
    // every admitted lead points at its project and back
    let orphans = n(
        "SELECT COUNT(*) FROM leads l LEFT JOIN projects p ON p.id = l.project_id \
                     WHERE l.status = 'admitted' AND (p.id IS NULL OR p.lead_id <> l.id)",
    )
    .fetch_i64(&mut c)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
    // intervals are contiguous: each closed interval ends where the next begins
    let gaps = n(
        "SELECT COUNT(*) FROM stage_history a WHERE a.end_date IS NOT NULL AND NOT EXISTS \
                  (SELECT 1 FROM stage_history b WHERE b.project_id = a.project_id AND b.id > a.id \
                   AND b.effective_date = a.end_date)",
    )
    .fetch_i64(&mut c)
    .await
    .unwrap();
    assert_eq!(gaps, 0);
    let open = n("SELECT COUNT(*) FROM stage_history WHERE end_date IS NULL")
        .fetch_i64(&mut c)
        .await
        .unwrap();
    assert_eq!(open, projects, "one open interval per project");
    // the current stage is the last interval's
    let wrong = n("SELECT COUNT(*) FROM projects p JOIN stage_history h ON h.project_id = p.id AND h.end_date IS NULL \
                   WHERE h.stage <> p.stage OR h.effective_date <> p.stage_date")
        .fetch_i64(&mut c)
        .await
        .unwrap();
    assert_eq!(wrong, 0);
    for day in [
        "2021-06-30",
        "2022-01-01",
        "2023-07-15",
        "2024-12-31",
        "2026-01-31",
    ] {
        let mut a = pipeline(&mut c, day, &fenglai_store::Scope::All)
            .await
            .unwrap();
        let mut b = pipeline_raw(&mut c, day, &fenglai_store::Scope::All)
            .await
            .unwrap();
        a.retain(|f| f.count != 0);
        a.sort_by(|x, y| x.stage.cmp(&y.stage));
        b.sort_by(|x, y| x.stage.cmp(&y.stage));
        let key = |v: &Vec<fenglai_store::stats::StageFigure>| {
            v.iter()
                .map(|f| (f.stage.clone(), f.count, f.investment_yuan))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&a), key(&b), "{day}");
    }
    drop(c);
    db.pool.close().await;
    let o = fenglai(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
