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
    db.pool().close().await;
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
        let mut a = pipeline(&mut c, day.parse().unwrap(), &fenglai_store::Scope::All)
            .await
            .unwrap();
        let mut b = pipeline_raw(&mut c, day.parse().unwrap(), &fenglai_store::Scope::All)
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
    db.pool().close().await;
    let o = fenglai(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Counts that must be equal between a database and its restored backup.
async fn fingerprint(dir: &Path) -> Vec<(String, String)> {
    let db = Db::open_sqlite_dir(dir).await.unwrap();
    let mut c = db.acquire().await.unwrap();
    let mut out = Vec::new();
    for q in [
        "SELECT COUNT(*) FROM leads",
        "SELECT COUNT(*) FROM projects",
        "SELECT COUNT(*) FROM stage_history",
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM events",
        "SELECT COALESCE(SUM(investment_yuan), 0) FROM stage_history WHERE voided = 0",
        "SELECT COALESCE(SUM(planned_investment_yuan), 0) FROM leads",
    ] {
        let v = Sql::new(q).fetch_i64(&mut c).await.unwrap();
        out.push((q.to_string(), v.to_string()));
    }
    let head: (String,) = Sql::new("SELECT hash FROM events ORDER BY seq DESC LIMIT 1")
        .fetch_one(&mut c)
        .await
        .unwrap();
    out.push(("last event hash".into(), head.0));
    drop(c);
    db.pool().close().await;
    out
}

fn sqlite_cmd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fenglai"))
        .args(args)
        .env("FENGLAI_LOG", "warn")
        .env_remove("FENGLAI_DATABASE_URL")
        .output()
        .expect("run fenglai")
}

#[tokio::test]
async fn backup_while_serving_then_restore() {
    let a = temp_dir();
    let a_s = a.to_str().unwrap().to_string();
    assert!(sqlite_cmd(&["demo", "--no-serve", "--data-dir", &a_s])
        .status
        .success());
    // the server runs throughout; another process writes users while the backup is taken
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_fenglai"))
        .args([
            "serve",
            "--no-worker",
            "--data-dir",
            &a_s,
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("FENGLAI_LOG", "warn")
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let acked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writer = {
        let (a_s, acked) = (a_s.clone(), acked.clone());
        std::thread::spawn(move || {
            for i in 0..15 {
                let name = format!("bk_{i:02}");
                let o = sqlite_cmd(&[
                    "user",
                    "add",
                    "--data-dir",
                    &a_s,
                    "--username",
                    &name,
                    "--name",
                    "备份",
                    "--role",
                    "信息员",
                    "--unit",
                    "临江县投资促进中心",
                    "--password",
                    "long-enough-1",
                ]);
                assert!(o.status.success(), "{}", text(&o));
                acked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        })
    };
    while acked.load(std::sync::atomic::Ordering::SeqCst) < 5 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before = acked.load(std::sync::atomic::Ordering::SeqCst);
    let b = std::env::temp_dir().join(format!("fenglai_backup_{:016x}.db", rand::random::<u64>()));
    let b_s = b.to_str().unwrap().to_string();
    let o = sqlite_cmd(&["backup", "--data-dir", &a_s, "--to", &b_s]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("backup written"));
    writer.join().unwrap();
    // the same file again is refused
    let o = sqlite_cmd(&["backup", "--data-dir", &a_s, "--to", &b_s]);
    assert!(
        !o.status.success() && text(&o).contains("已存在"),
        "{}",
        text(&o)
    );
    // restored elsewhere: the chain verifies, and every write acknowledged before the backup is in it
    let c = temp_dir();
    let c_s = c.to_str().unwrap().to_string();
    let o = sqlite_cmd(&["restore", "--data-dir", &c_s, "--from", &b_s]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("audit chain intact"), "{}", text(&o));
    let o = sqlite_cmd(&["audit", "verify", "--data-dir", &c_s]);
    assert!(o.status.success(), "{}", text(&o));
    let db = Db::open_sqlite_dir(&c).await.unwrap();
    let n = Sql::new("SELECT COUNT(*) FROM users WHERE username LIKE 'bk_%'")
        .fetch_i64(&mut db.acquire().await.unwrap())
        .await
        .unwrap();
    db.pool().close().await;
    assert!(
        n as usize >= before && n <= 15,
        "{n} users of 15, {before} acknowledged before the backup"
    );
    // restoring over a database needs --force; a file that is not a backup is refused
    let o = sqlite_cmd(&["restore", "--data-dir", &c_s, "--from", &b_s]);
    assert!(
        !o.status.success() && text(&o).contains("--force"),
        "{}",
        text(&o)
    );
    let junk = std::env::temp_dir().join(format!("fenglai_junk_{:016x}.db", rand::random::<u64>()));
    std::fs::write(&junk, b"not a database at all, just bytes").unwrap();
    let o = sqlite_cmd(&[
        "restore",
        "--data-dir",
        &c_s,
        "--from",
        junk.to_str().unwrap(),
        "--force",
    ]);
    assert!(!o.status.success(), "{}", text(&o));
    // quiet now: a second backup restored over C gives the same figures as the live database
    let d = std::env::temp_dir().join(format!("fenglai_backup_{:016x}.db", rand::random::<u64>()));
    let o = sqlite_cmd(&["backup", "--data-dir", &a_s, "--to", d.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = sqlite_cmd(&[
        "restore",
        "--data-dir",
        &c_s,
        "--from",
        d.to_str().unwrap(),
        "--force",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read_dir(&c).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("fenglai.db.before-restore-")));
    server.kill().unwrap();
    let _ = server.wait();
    assert_eq!(fingerprint(&a).await, fingerprint(&c).await);
    for p in [&b, &d, &junk] {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&c);
}
