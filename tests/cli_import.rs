//! `fenglai import` as a user runs it: a dry run writes nothing, a ledger goes in whole,
//! and a process killed in the middle of writing leaves the database exactly as it was
//! (SQLite; PostgreSQL too when FENGLAI_TEST_PG_URL names a server).

use fenglai_store::sql::Sql;
use fenglai_store::Db;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Where the test database is: a data directory or a PostgreSQL URL.
enum Target {
    Dir(PathBuf),
    Url(String),
}

impl Target {
    fn args(&self) -> Vec<String> {
        match self {
            Target::Dir(d) => vec!["--data-dir".into(), d.display().to_string()],
            Target::Url(u) => vec!["--database-url".into(), u.clone()],
        }
    }

    async fn db(&self) -> Db {
        match self {
            Target::Dir(d) => Db::open_sqlite_dir(d).await.unwrap(),
            Target::Url(u) => Db::connect(u).await.unwrap(),
        }
    }
}

fn fenglai(t: &Target, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fenglai"));
    cmd.args(args)
        .args(t.args())
        .env("FENGLAI_LOG", "warn")
        .env_remove("FENGLAI_DATABASE_URL")
        .env_remove("FENGLAI_DATA_DIR");
    cmd
}

/// `fenglai import leads FILE --as promoter` and `extra`.
fn import_leads(t: &Target, file: &Path, extra: &[&str]) -> Command {
    let mut cmd = fenglai(
        t,
        &[
            "import",
            "leads",
            file.to_str().unwrap(),
            "--as",
            "promoter",
        ],
    );
    cmd.args(extra);
    cmd
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// leads, projects, stage history, events, imports.
async fn counts(t: &Target) -> Vec<i64> {
    let db = t.db().await;
    let mut c = db.acquire().await.unwrap();
    let mut out = Vec::new();
    for table in ["leads", "projects", "stage_history", "events", "imports"] {
        out.push(
            Sql::new(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_i64(&mut c)
                .await
                .unwrap(),
        );
    }
    drop(c);
    db.pool().close().await;
    out
}

fn ledger(path: &Path, rows: usize) {
    let mut s = String::from("线索台账\n序号,企业名称,计划投资(万元),报送日期,来源地\n");
    for i in 0..rows {
        s.push_str(&format!(
            "{},第{}号测试科技有限公司,{}.5,2024年3月{}日,苏州\n",
            i + 1,
            i + 1,
            i % 5000 + 1,
            i % 28 + 1
        ));
    }
    std::fs::write(path, s).unwrap();
}

async fn killed_mid_import_leaves_nothing(t: Target, work: &Path) {
    let o = fenglai(&t, &["demo", "--no-serve"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let before = counts(&t).await;

    // a dry run reads and checks, writes nothing
    let small = work.join("small.csv");
    ledger(&small, 30);
    let o = import_leads(&t, &small, &["--dry-run"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("30 行可导入，0 行有错误"), "{}", text(&o));
    assert_eq!(counts(&t).await, before);
    // --sheet names the worksheet; one the file does not have is refused by name
    let o = import_leads(&t, &small, &["--sheet", "汇总"])
        .output()
        .unwrap();
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("没有名为“汇总”的工作表（有：small.csv）"),
        "{}",
        text(&o)
    );
    assert_eq!(counts(&t).await, before);

    // the upload limits hold on the command line too, set by flag or environment
    for (flag, env) in [(true, false), (false, true)] {
        let mut cmd = import_leads(&t, &small, &["--dry-run"]);
        if flag {
            cmd.args(["--upload-max-cells", "20"]);
        }
        if env {
            cmd.env("FENGLAI_UPLOAD_MAX_CELLS", "20");
        }
        let o = cmd.output().unwrap();
        assert!(!o.status.success(), "{}", text(&o));
        assert!(
            text(&o).contains("文件含有超过 20 个非空单元格（可由 FENGLAI_UPLOAD_MAX_CELLS 调整）"),
            "{}",
            text(&o)
        );
    }
    assert_eq!(counts(&t).await, before);

    // killed while writing: nothing of it remains
    let big = work.join("big.csv");
    ledger(&big, 60_000);
    let mut child = fenglai(
        &t,
        &["import", "leads", big.to_str().unwrap(), "--as", "promoter"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        seen.push(line.clone());
        // "写入数据库 2000/60000": some rows are written, the commit is far off
        if let Some(rest) = line.strip_prefix("写入数据库 ") {
            let done: u64 = rest.split('/').next().unwrap().parse().unwrap();
            if done > 0 {
                child.kill().unwrap();
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the import finished before it was killed: {seen:?}"
    );
    assert!(
        seen.iter().any(|l| l.starts_with("写入数据库 ")),
        "{seen:?}"
    );
    assert_eq!(counts(&t).await, before, "a killed import left rows behind");
    let o = fenglai(&t, &["audit", "verify"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));

    // and the database takes the next import whole
    let o = import_leads(&t, &small, &[]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已导入 30 条线索"), "{}", text(&o));
    let after = counts(&t).await;
    assert_eq!(after[0], before[0] + 30);
    assert_eq!(
        after[3],
        before[3] + 31,
        "one event per lead and one for the import"
    );
    assert_eq!(after[4], before[4] + 1);
    let o = fenglai(&t, &["audit", "verify"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));

    // rows with errors: refused whole, exit 1, unless skipped
    let bad = work.join("bad.csv");
    std::fs::write(
        &bad,
        "企业名称,计划投资(万元),报送日期\n好科技有限公司,100,2024-01-01\n坏科技有限公司,约一个亿,2024-01-01\n",
    )
    .unwrap();
    let o = fenglai(
        &t,
        &["import", "leads", bad.to_str().unwrap(), "--as", "promoter"],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("B3 计划投资") || text(&o).contains("B3 总投资"),
        "{}",
        text(&o)
    );
    assert_eq!(counts(&t).await, after);
    let o = import_leads(&t, &bad, &["--skip-bad-rows"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(counts(&t).await[0], after[0] + 1);
}

/// A header without a unit is read as 万元: the command line says so as the web preview
/// does, and a dry run shows the unit each amount column is read in; a currency sign is
/// whole yuan or dollars.
#[tokio::test]
async fn dry_run_names_the_unit_of_each_amount_column() {
    let work = work_dir();
    let t = Target::Dir(work.join("data"));
    let o = fenglai(&t, &["demo", "--no-serve"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let file = work.join("units.csv");
    std::fs::write(
        &file,
        "企业名称,总投资,利用外资（万美元）,签约日期\n\
         甲科技有限公司,3500,$1200,2024年3月5日星期二\n\
         乙科技有限公司,¥3500,1200,20240305\n",
    )
    .unwrap();
    let before = counts(&t).await;
    let o = import_leads(&t, &file, &["--dry-run"]).output().unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("注意：“总投资”列未注明单位，按万元读取"),
        "{out}"
    );
    assert!(
        out.contains("金额：B列“总投资”（总投资）按万元读取（表头未注明单位）"),
        "{out}"
    );
    assert!(
        out.contains("金额：C列“利用外资（万美元）”（利用外资）按万美元读取\n"),
        "{out}"
    );
    assert!(out.contains("2 行可导入，0 行有错误"), "{out}");
    assert_eq!(counts(&t).await, before);
    // without --dry-run the warning is printed too
    let o = import_leads(&t, &file, &[]).output().unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("注意：“总投资”列未注明单位"), "{out}");
    assert!(!out.contains("金额："), "{out}");
    let db = t.db().await;
    let mut c = db.acquire().await.unwrap();
    // "3500" under a header without a unit is 万元; "¥3500" is yuan
    for (name, want) in [("甲科技有限公司", 35_000_000), ("乙科技有限公司", 3_500)] {
        let got = Sql::new(&format!(
            "SELECT planned_investment_yuan FROM leads WHERE company_name = '{name}'"
        ))
        .fetch_i64(&mut c)
        .await
        .unwrap();
        assert_eq!(got, want, "{name}");
    }
    drop(c);
    db.pool().close().await;
    let _ = std::fs::remove_dir_all(&work);
}

fn work_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("fenglai_import_{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test]
async fn sqlite_import_killed_midway_leaves_the_database_unchanged() {
    let work = work_dir();
    killed_mid_import_leaves_nothing(Target::Dir(work.join("data")), &work).await;
    let _ = std::fs::remove_dir_all(&work);
}

#[tokio::test]
async fn postgres_import_killed_midway_leaves_the_database_unchanged() {
    let Some(admin) = std::env::var("FENGLAI_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        if std::env::var("FENGLAI_REQUIRE_PG").is_ok_and(|v| v == "1") {
            panic!("FENGLAI_REQUIRE_PG=1 but FENGLAI_TEST_PG_URL is not set");
        }
        eprintln!("PostgreSQL test skipped: FENGLAI_TEST_PG_URL is not set");
        return;
    };
    let name = format!("fenglai_kill_{:016x}", rand::random::<u64>());
    let adm = Db::connect(&admin).await.unwrap();
    Sql::new(&format!("CREATE DATABASE {name}"))
        .execute(&mut adm.acquire().await.unwrap())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let work = work_dir();
    killed_mid_import_leaves_nothing(Target::Url(format!("{base}/{name}")), &work).await;
    let _ = std::fs::remove_dir_all(&work);
    let _ = Sql::new(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut adm.acquire().await.unwrap())
        .await;
}

/// --serial-dates (FENGLAI_SERIAL_DATES) sets the days a bare number in a date column may
/// be an Excel serial for; a malformed one stops the command naming the flag.
#[tokio::test]
async fn serial_dates_window_is_configurable() {
    let work = work_dir();
    let t = Target::Dir(work.join("data"));
    let o = fenglai(&t, &["demo", "--no-serve"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let file = work.join("dates.csv");
    // 36000 is 1998-07-24; 20243 would be 1955-06-03
    std::fs::write(
        &file,
        "企业名称,报送日期\n甲科技有限公司,36000\n乙科技有限公司,20243\n",
    )
    .unwrap();
    let run = |window: Option<&str>| {
        let mut cmd = import_leads(&t, &file, &["--dry-run"]);
        cmd.env_remove("FENGLAI_SERIAL_DATES");
        if let Some(w) = window {
            cmd.env("FENGLAI_SERIAL_DATES", w);
        }
        text(&cmd.output().unwrap())
    };
    let out = run(None);
    assert!(out.contains("1 行可导入，1 行有错误"), "{out}");
    assert!(out.contains("B3 报送日期：无法识别的日期“20243”"), "{out}");
    let out = run(Some("2000-01-01.."));
    assert!(out.contains("0 行可导入，2 行有错误"), "{out}");
    assert!(out.contains("不是日期，也不是2000-01-01至"), "{out}");
    let out = run(Some("1950-01-01..2000-12-31"));
    assert!(out.contains("2 行可导入，0 行有错误"), "{out}");
    let out = run(Some("2000-01-01"));
    assert!(out.contains("--serial-dates"), "{out}");
    let out = run(Some("2030-01-01..2000-01-01"));
    assert!(
        out.contains("--serial-dates: 2030-01-01 is after 2000-01-01"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&work);
}
