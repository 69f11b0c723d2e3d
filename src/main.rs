//! `fenglai`: the command line. Parses arguments, opens the database, and hands
//! over to the application and web layers.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use fenglai_app::audit::Verdict;
use fenglai_app::{demo, App};
use fenglai_store::Db;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "fenglai",
    version,
    about = "凤来 Fenglai — 招商引资全流程平台 (investment promotion, from lead to production)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    upload: UploadArgs,
}

/// What an uploaded ledger may unpack to and hold (the import API and pages, the monthly
/// figures and `fenglai import`); a file beyond them is refused with the limit named.
#[derive(Args, Clone)]
struct UploadArgs {
    /// Megabytes all parts of an uploaded workbook may inflate to together
    #[arg(
        long,
        global = true,
        env = "FENGLAI_UPLOAD_MAX_UNPACKED_MB",
        default_value_t = 512
    )]
    upload_max_unpacked_mb: u64,
    /// Megabytes one part of an uploaded workbook (a sheet, the shared strings) may inflate to
    #[arg(
        long,
        global = true,
        env = "FENGLAI_UPLOAD_MAX_PART_MB",
        default_value_t = 256
    )]
    upload_max_part_mb: u64,
    /// Cells a sheet may span from A1 to its last row and column with data (rows × columns)
    #[arg(
        long,
        global = true,
        env = "FENGLAI_UPLOAD_MAX_AREA",
        default_value_t = 20_000_000
    )]
    upload_max_area: u64,
    /// Non-empty cells an uploaded file may hold
    #[arg(
        long,
        global = true,
        env = "FENGLAI_UPLOAD_MAX_CELLS",
        default_value_t = 10_000_000
    )]
    upload_max_cells: u64,
}

impl UploadArgs {
    fn limits(&self) -> fenglai_ledger::Limits {
        fenglai_ledger::Limits {
            unpacked_total: self.upload_max_unpacked_mb.saturating_mul(1024 * 1024),
            unpacked_part: self.upload_max_part_mb.saturating_mul(1024 * 1024),
            area: self.upload_max_area,
            cells: self.upload_max_cells,
        }
    }
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Data directory for the SQLite database (created if missing)
    #[arg(long, env = "FENGLAI_DATA_DIR", default_value = "fenglai-data")]
    data_dir: PathBuf,
    /// PostgreSQL URL (postgres://…); overrides --data-dir
    #[arg(long, env = "FENGLAI_DATABASE_URL")]
    database_url: Option<String>,
    /// The days a bare number in a ledger's date column may be an Excel serial for,
    /// FIRST..LAST (YYYY-MM-DD; either side may be left out); outside them a number is
    /// read as the month or day it spells (2024.3, 20240305) or refused. Default
    /// 1990-01-01..(30 years from today)
    #[arg(long, env = "FENGLAI_SERIAL_DATES", value_name = "FIRST..LAST")]
    serial_dates: Option<String>,
}

impl DbArgs {
    fn serial_dates(&self) -> Result<Option<fenglai_app::ledgers::DateWindow>> {
        let Some(s) = self
            .serial_dates
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        else {
            return Ok(None);
        };
        let usage = || {
            anyhow::anyhow!(
                "--serial-dates: “{s}” should be FIRST..LAST, e.g. 1990-01-01..2060-12-31"
            )
        };
        let (first, last) = s.trim().split_once("..").ok_or_else(usage)?;
        let default = fenglai_app::ledgers::DateWindow::default();
        let day = |t: &str, or: chrono::NaiveDate| -> Result<chrono::NaiveDate> {
            match t.trim() {
                "" => Ok(or),
                t => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| usage()),
            }
        };
        let (first, last) = (day(first, default.first)?, day(last, default.last)?);
        fenglai_app::ledgers::DateWindow::new(first, last)
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("--serial-dates: {first} is after {last}"))
    }
}

/// The job worker that runs beside the server (webhook deliveries, the daily job).
#[derive(Args, Clone)]
struct WorkerArgs {
    /// Do not run background jobs in this process (another server's worker runs them)
    #[arg(long, env = "FENGLAI_NO_WORKER")]
    no_worker: bool,
    /// How often an idle worker looks for due jobs, in milliseconds
    #[arg(long, env = "FENGLAI_WORKER_POLL_MS", default_value_t = 2000)]
    worker_poll_ms: u64,
    /// Fenglai's address as users reach it (e.g. https://zs.example.gov.cn), for links in robot messages
    #[arg(long, env = "FENGLAI_PUBLIC_URL")]
    public_url: Option<String>,
}

/// What a new password must be (users created or given a new password).
#[derive(Args, Clone)]
struct PasswordArgs {
    /// Minimum length of a new password, in characters (1–128)
    #[arg(long, env = "FENGLAI_PASSWORD_MIN_LENGTH", default_value_t = 8)]
    password_min_length: usize,
    /// Kinds of characters a new password must hold: 0 (any), a number 1–4 (at least that
    /// many of upper, lower, digit, symbol), or a list such as upper,lower,digit (each)
    #[arg(long, env = "FENGLAI_PASSWORD_CLASSES", default_value = "0")]
    password_classes: String,
}

impl PasswordArgs {
    fn policy(&self) -> Result<fenglai_domain::password::PasswordPolicy> {
        fenglai_domain::password::PasswordPolicy::parse(
            self.password_min_length,
            &self.password_classes,
        )
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.field.replace('_', "-"), e.message))
    }
}

/// Who stands in front of the server.
#[derive(Args, Clone)]
struct ProxyArgs {
    /// Reverse proxies whose X-Forwarded-For is believed, as addresses or CIDR ranges
    /// separated by commas (e.g. 127.0.0.1,10.0.0.0/8); the client is then the right-most
    /// forwarded address that is not one of them (login throttling). Default: none, the
    /// header is ignored
    #[arg(long, env = "FENGLAI_TRUSTED_PROXY", default_value = "")]
    trusted_proxy: String,
}

impl ProxyArgs {
    fn proxies(&self) -> Result<fenglai_app::auth::TrustedProxies> {
        fenglai_app::auth::TrustedProxies::parse(&self.trusted_proxy)
            .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Create the demo city if absent, then serve it
    Demo {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, env = "FENGLAI_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Only create the demo data; do not serve
        #[arg(long)]
        no_serve: bool,
        #[command(flatten)]
        worker: WorkerArgs,
        #[command(flatten)]
        password: PasswordArgs,
        #[command(flatten)]
        proxy: ProxyArgs,
    },
    /// Serve the web UI and the JSON API (and run background jobs beside them)
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, env = "FENGLAI_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        #[command(flatten)]
        worker: WorkerArgs,
        #[command(flatten)]
        password: PasswordArgs,
        #[command(flatten)]
        proxy: ProxyArgs,
    },
    /// Apply the database migrations and load reference data
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// The tamper-evident event chain
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Users
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Import a ledger (.xlsx, .xls or .csv) of leads or of projects, in one transaction
    Import {
        #[command(subcommand)]
        cmd: ImportCmd,
    },
    /// Write a consistent copy of the SQLite database to FILE while the server runs
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to create (must not exist)
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Restore a backup into the data directory (stop the server first); the backup is
    /// checked (integrity, audit chain) before it replaces anything
    Restore {
        /// The data directory to restore into
        #[arg(long, env = "FENGLAI_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        /// The backup file made by `fenglai backup`
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Replace an existing database (kept beside it as fenglai.db.before-restore-<time>)
        #[arg(long)]
        force: bool,
    },
    /// The enterprise registry (企业库) that chain targeting ranks
    Registry {
        #[command(subcommand)]
        cmd: RegistryCmd,
    },
    /// Generate a large synthetic dataset (demo organisation + N leads) for benchmarks;
    /// `gen registry` writes a synthetic enterprise registry instead
    #[command(args_conflicts_with_subcommands = true)]
    Gen {
        #[command(subcommand)]
        what: Option<GenCmd>,
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 100_000)]
        leads: u64,
        #[arg(long, default_value_t = 30_000)]
        projects: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum RegistryCmd {
    /// Import (or update, by credit code) a registry CSV: 统一社会信用代码, 企业名称, 地区代码,
    /// 行业代码, 注册资本（万元）, 成立日期, 经营范围, 标签, 新设分支机构, 融资轮次, 年产值（万元）,
    /// 年税收（万元）; bad rows are reported by line and skipped
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file (UTF-8, header row)
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum GenCmd {
    /// Write a synthetic enterprise registry CSV (deterministic for a seed)
    Registry {
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
        /// The CSV file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Region prefix of the home city, whose companies carry output and tax
        #[arg(long, default_value = "3411")]
        home: String,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// A lead ledger (线索台账): one company per row
    Leads(ImportArgs),
    /// A project ledger (项目台账): each row becomes an admitted lead, its project and stage history
    Projects(ImportArgs),
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The ledger file
    file: PathBuf,
    /// Read and check every row, print the counts and errors, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Import the good rows and report the bad ones (default: any bad row and nothing is written)
    #[arg(long)]
    skip_bad_rows: bool,
    /// The user the import is made as (their role and unit decide what they may import)
    #[arg(long = "as", value_name = "USERNAME", env = "FENGLAI_USER")]
    user: String,
    /// Reporting unit (name or id) for rows without a 报送单位 column; default the user's unit
    #[arg(long)]
    unit: Option<String>,
    /// Write the rows that failed or were skipped to this .xlsx file
    #[arg(long, value_name = "FILE")]
    error_report: Option<PathBuf>,
    /// The worksheet to read, by name (default the first that holds data)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Exit 0 if the event chain is intact, else name the first bad event
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create a user; the password comes from --password or FENGLAI_PASSWORD
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// Display name (姓名)
        #[arg(long)]
        name: String,
        /// admin, leader, promoter, informant, reviewer, receiver, collaborator (or the Chinese name)
        #[arg(long)]
        role: String,
        /// Unit name (exact) or id
        #[arg(long)]
        unit: String,
        #[arg(long, env = "FENGLAI_PASSWORD", hide_env_values = true)]
        password: String,
        #[command(flatten)]
        policy: PasswordArgs,
    },
}

async fn open(db: &DbArgs) -> Result<App> {
    Ok(open_with_store(db).await?.0)
}

/// [`open`], and the store's handle beside the app for the generators of
/// `fenglai-sample`, which write through the store's bulk writers.
async fn open_with_store(db: &DbArgs) -> Result<(App, Db)> {
    let store = match &db.database_url {
        Some(url) => Db::connect(url)
            .await
            .context("connecting to the database")?,
        None => Db::open_sqlite_dir(&db.data_dir)
            .await
            .with_context(|| format!("opening {}", db.data_dir.display()))?,
    };
    OPENED
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .push(store.clone());
    let window = db.serial_dates()?;
    let app = App::open(store.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = match window {
        Some(w) => app.with_serial_dates(w),
        None => app,
    };
    Ok((app, store))
}

/// Every database a command opened, closed before the process ends: closing the last
/// connection copies the write-ahead log back into the database file (the background
/// checkpoint stops with the process), so that once a command that had the database to
/// itself has finished, `fenglai.db` on its own holds every committed write.
static OPENED: std::sync::Mutex<Vec<Db>> = std::sync::Mutex::new(Vec::new());

async fn close_opened() {
    let dbs = OPENED
        .lock()
        .map(|mut v| std::mem::take(&mut *v))
        .unwrap_or_default();
    for db in dbs {
        db.close().await;
    }
}

async fn serve(app: App, bind: &str, w: &WorkerArgs) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr()?;
    // Email is sent when FENGLAI_SMTP_URL (smtp://[user:password@]host[:port]) and
    // FENGLAI_SMTP_FROM are set; a bad value stops the start-up rather than the mail.
    let smtp = if w.no_worker {
        None
    } else {
        fenglai_worker::SmtpConfig::from_env().map_err(|e| anyhow::anyhow!("{e}"))?
    };
    println!("凤来 Fenglai serving on http://{addr}");
    if let Some(s) = &smtp {
        println!("email notices through smtp://{}:{}", s.host, s.port);
    }
    // Ctrl-C stops the server and the worker together.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = (!w.no_worker).then(|| {
        let cfg = fenglai_worker::WorkerConfig {
            poll_interval: std::time::Duration::from_millis(w.worker_poll_ms.max(10)),
            public_url: w.public_url.clone(),
            smtp,
            ..Default::default()
        };
        let mut stopped = stopped.clone();
        tokio::spawn(fenglai_worker::run(app.clone(), cfg, async move {
            let _ = stopped.wait_for(|s| *s).await;
        }))
    });
    let shutdown = async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop.send(true);
    };
    fenglai_web::serve(listener, app, shutdown).await?;
    if let Some(w) = worker {
        let _ = w.await;
    }
    Ok(())
}

fn app_err(e: fenglai_app::Error) -> anyhow::Error {
    match e {
        fenglai_app::Error::Invalid { field, message } => anyhow::anyhow!("{field}: {message}"),
        other => anyhow::anyhow!("{other}"),
    }
}

use fenglai_app::ledgers::LedgerKind as fenglai_ledger_kind;

/// `fenglai registry import FILE`: a progress bar over the file's bytes, then a summary
/// with the first bad rows by line.
async fn registry_import(db: &DbArgs, file: &std::path::Path) -> Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    let app = open(db).await?;
    let f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "导入企业库 [{bar:40}] {bytes}/{total_bytes} {msg} ({elapsed}, 剩余 {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let progress = |bytes: u64, rows: u64| {
        bar.set_position(bytes);
        bar.set_message(format!("{rows} 行"));
    };
    let s = fenglai_app::ledgers::registry::import(
        &app,
        None,
        std::io::BufReader::with_capacity(1 << 20, f),
        &progress,
    )
    .await
    .map_err(app_err)?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "企业库导入完成：读取 {} 行，写入（新增或更新）{} 行，错误 {} 行，用时 {:.1} 秒（{:.0} 行/秒）；企业库现有 {} 家企业",
        s.rows,
        s.written,
        s.bad,
        secs,
        s.written as f64 / secs.max(0.001),
        s.total
    );
    for (line, msg) in s.errors.iter().take(20) {
        println!("  第 {line} 行：{msg}");
    }
    if s.bad as usize > s.errors.len().min(20) {
        println!(
            "  …… 另有 {} 行错误",
            s.bad as usize - s.errors.len().min(20)
        );
    }
    Ok(())
}

/// `fenglai import leads|projects FILE`: a progress bar on a terminal, plain lines
/// otherwise; exit 1 when rows have errors and they are not skipped.
async fn import(kind: fenglai_ledger_kind, a: ImportArgs) -> Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    use std::io::IsTerminal;
    let app = open(&a.db).await?;
    let actor = fenglai_app::auth::actor_by_username(&app, &a.user)
        .await
        .map_err(|e| match e {
            fenglai_app::Error::NotFound => anyhow::anyhow!("user “{}” not found", a.user),
            other => app_err(other),
        })?;
    let unit_id = match &a.unit {
        None => None,
        Some(u) => Some(match u.parse::<i64>() {
            Ok(id) => id,
            Err(_) => match fenglai_app::org::unit_by_name(&app, u)
                .await
                .map_err(app_err)?
            {
                Some(unit) => unit.id,
                None => bail!("unit “{u}” not found"),
            },
        }),
    };
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tty = std::io::stderr().is_terminal();
    let bar = if tty {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    bar.set_message(format!("读取并校验 {name} …"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    if !tty {
        eprintln!("读取并校验 {name} …");
    }
    let last = std::sync::atomic::AtomicU64::new(u64::MAX);
    let progress = |done: u64, total: u64| {
        if tty {
            if bar.length() != Some(total) {
                bar.set_length(total);
                bar.set_style(
                    ProgressStyle::with_template("写入数据库 [{bar:40}] {pos}/{len} 行 ({eta})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
            }
            bar.set_position(done);
        } else if last.swap(done, std::sync::atomic::Ordering::Relaxed) != done {
            eprintln!("写入数据库 {done}/{total}");
        }
    };
    let input = fenglai_app::ledgers::CommitInput {
        skip_bad_rows: a.skip_bad_rows,
        unit_id,
    };
    let started = std::time::Instant::now();
    let (analysis, written) = fenglai_app::ledgers::import_file(
        &app,
        &actor,
        kind,
        &name,
        bytes,
        &input,
        a.sheet.as_deref(),
        a.dry_run,
        &progress,
    )
    .await
    .map_err(app_err)?;
    bar.finish_and_clear();
    if let Some(m) = analysis.mapping_error() {
        eprintln!("未导入：{m}");
        std::process::exit(1);
    }
    let s = analysis.summary();
    // What the web preview warns of (a unit assumed for a header naming none, a field
    // named twice, names not matched), before anything is written.
    for w in analysis.warnings() {
        println!("注意：{w}");
    }
    if a.dry_run {
        for u in analysis.amount_units() {
            println!("金额：{u}");
        }
    }
    let errors = analysis.errors();
    for e in errors.iter().take(50) {
        println!("{}", e.text);
    }
    if errors.len() > 50 {
        println!(
            "…… 另有 {} 处错误（--error-report FILE 可导出全部）",
            errors.len() - 50
        );
    }
    if let Some(path) = &a.error_report {
        std::fs::write(path, analysis.error_report().map_err(app_err)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("错误报告：{}", path.display());
    }
    println!(
        "{} 行可导入，{} 行有错误，{} 行跳过（空行、合计、说明）",
        s.valid, s.invalid, s.skipped
    );
    match written {
        Ok(r) if r.dry_run => {
            println!("试运行（--dry-run）：未写入数据库");
        }
        Ok(r) => {
            println!(
                "已导入 {} 条{}（导入批次 {}），用时 {:.1} 秒",
                r.inserted,
                if kind == fenglai_ledger_kind::Leads {
                    "线索"
                } else {
                    "项目"
                },
                r.id.unwrap_or(0),
                started.elapsed().as_secs_f64()
            );
        }
        Err(e) => {
            eprintln!("未导入：{}", app_err(e));
            std::process::exit(1);
        }
    }
    if s.invalid > 0 && !a.skip_bad_rows {
        std::process::exit(1);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FENGLAI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    fenglai_ledger::set_limits(cli.upload.limits());
    let done = run(cli.cmd).await;
    close_opened().await;
    done
}

async fn run(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Demo {
            db,
            bind,
            no_serve,
            worker,
            password,
            proxy,
        } => {
            let (policy, proxies) = (password.policy()?, proxy.proxies()?);
            let (app, store) = open_with_store(&db).await?;
            let app = app
                .with_password_policy(policy)
                .with_trusted_proxies(proxies);
            let seeded = fenglai_sample::ensure_demo(&app, &store)
                .await
                .map_err(app_err)?;
            println!(
                "{}",
                if seeded {
                    "演示数据已创建（凤城市）。"
                } else {
                    "沿用已有的演示数据。"
                }
            );
            println!("Demo accounts (password: demo):");
            for (u, name, role, unit) in demo::ACCOUNTS {
                println!("  {u:<10} {} · {name} · {unit}", role.label());
            }
            if no_serve {
                return Ok(());
            }
            serve(app, &bind, &worker).await
        }
        Cmd::Serve {
            db,
            bind,
            worker,
            password,
            proxy,
        } => {
            let (policy, proxies) = (password.policy()?, proxy.proxies()?);
            serve(
                open(&db)
                    .await?
                    .with_password_policy(policy)
                    .with_trusted_proxies(proxies),
                &bind,
                &worker,
            )
            .await
        }
        Cmd::Migrate { db } => {
            open(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Cmd::Audit {
            cmd: AuditCmd::Verify { db },
        } => {
            let app = open(&db).await?;
            match fenglai_app::audit::verify(&app).await.map_err(app_err)? {
                Verdict::Intact { events } => {
                    println!("audit chain intact: {events} events");
                    Ok(())
                }
                Verdict::Broken { seq, id, reason } => {
                    eprintln!("audit chain BROKEN at event seq {seq} (row id {id}): {reason}");
                    std::process::exit(1);
                }
            }
        }
        Cmd::Backup { db, to } => {
            if to.exists() {
                anyhow::bail!("{} 已存在，不会覆盖", to.display());
            }
            let app = open(&db).await?;
            let t0 = std::time::Instant::now();
            app.backup_to(&to)
                .await
                .map_err(|e| anyhow::anyhow!("备份失败：{e}"))?;
            let size = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
            println!(
                "backup written: {} ({:.1} MB in {:.1} s)",
                to.display(),
                size as f64 / 1_048_576.0,
                t0.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Cmd::Restore {
            data_dir,
            from,
            force,
        } => restore(&data_dir, &from, force).await,
        Cmd::User {
            cmd:
                UserCmd::Add {
                    db,
                    username,
                    name,
                    role,
                    unit,
                    password,
                    policy,
                },
        } => {
            let app = open(&db).await?.with_password_policy(policy.policy()?);
            let unit_id = match unit.parse::<i64>() {
                Ok(id) => id,
                Err(_) => match fenglai_app::org::unit_by_name(&app, &unit)
                    .await
                    .map_err(app_err)?
                {
                    Some(u) => u.id,
                    None => bail!("unit “{unit}” not found"),
                },
            };
            let role = fenglai_domain::Role::parse(&role)
                .map_err(|e| anyhow::anyhow!("role: {}", e.message))?;
            let input = fenglai_app::org::UserInput {
                username,
                display_name: name,
                role: role.as_str().into(),
                unit_id,
                password,
                phone: None,
            };
            let u = fenglai_app::org::create_user(&app, None, &input)
                .await
                .map_err(app_err)?;
            println!(
                "created user {} (id {}, {}, {})",
                u.username,
                u.id,
                role.label(),
                u.unit_name
            );
            Ok(())
        }
        Cmd::Import { cmd } => {
            let (kind, args) = match cmd {
                ImportCmd::Leads(a) => (fenglai_ledger_kind::Leads, a),
                ImportCmd::Projects(a) => (fenglai_ledger_kind::Projects, a),
            };
            import(kind, args).await
        }
        Cmd::Registry {
            cmd: RegistryCmd::Import { db, file },
        } => registry_import(&db, &file).await,
        Cmd::Gen {
            what:
                Some(GenCmd::Registry {
                    rows,
                    out,
                    seed,
                    home,
                }),
            ..
        } => {
            let started = std::time::Instant::now();
            let f = std::fs::File::create(&out)
                .with_context(|| format!("creating {}", out.display()))?;
            let bar = indicatif::ProgressBar::new(rows);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "生成企业库 [{bar:40}] {pos}/{len} 行 ({eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            fenglai_sample::registry::write(f, rows, seed, &home, &|n| bar.set_position(n))
                .with_context(|| format!("writing {}", out.display()))?;
            bar.finish_and_clear();
            let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            println!(
                "wrote {rows} companies to {} ({:.1} MB) in {:.1} s",
                out.display(),
                size as f64 / 1_048_576.0,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Cmd::Gen {
            what: None,
            db,
            leads,
            projects,
            seed,
        } => {
            if projects > leads {
                bail!("--projects ({projects}) cannot exceed --leads ({leads})");
            }
            let (app, store) = open_with_store(&db).await?;
            let refs = demo::seed_org(&app).await.map_err(app_err)?;
            let started = std::time::Instant::now();
            let opts = fenglai_sample::Options {
                leads,
                projects,
                seed,
                start: chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("valid date"),
                end: fenglai_app::today(),
            };
            let progress = |done: u64, total: u64| {
                eprint!("\r生成中 {done}/{total}");
            };
            let s = fenglai_sample::generate(&app, &store, &refs, &opts, &progress)
                .await
                .map_err(app_err)?;
            eprintln!();
            println!(
                "generated {} leads, {} projects, {} stage-history rows in {:.1} s",
                s.leads,
                s.projects,
                s.history,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

/// Copies the backup beside the database, checks the copy (integrity, migrations, the audit
/// chain), and only then moves it into place; an existing database (with its WAL files) is
/// kept under another name.
async fn restore(dir: &std::path::Path, from: &std::path::Path, force: bool) -> Result<()> {
    if !from.is_file() {
        anyhow::bail!("找不到备份文件 {}", from.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let target = dir.join("fenglai.db");
    if target.exists() && !force {
        anyhow::bail!(
            "{} 已有数据库；确认已停止服务后加 --force 覆盖（原库会保留为 fenglai.db.before-restore-时间）",
            dir.display()
        );
    }
    let staging = dir.join("restoring");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)?;
    std::fs::copy(from, staging.join("fenglai.db"))
        .with_context(|| format!("copying {}", from.display()))?;
    {
        let db = Db::open_sqlite_dir(&staging)
            .await
            .map_err(|e| anyhow::anyhow!("备份文件无法打开：{e}"))?;
        let integrity = db.integrity().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if integrity != "ok" {
            anyhow::bail!("备份文件已损坏：{integrity}");
        }
        let app = App::open(db.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        match fenglai_app::audit::verify(&app)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            Verdict::Intact { events } => {
                println!("backup checked: audit chain intact, {events} events")
            }
            Verdict::Broken { seq, reason, .. } => {
                anyhow::bail!("备份中的审计链在第 {seq} 条事件处断开：{reason}")
            }
        }
        db.checkpoint().await?;
        db.close().await;
    }
    if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
        for ext in ["", "-wal", "-shm"] {
            let old = dir.join(format!("fenglai.db{ext}"));
            if old.exists() {
                std::fs::rename(
                    &old,
                    dir.join(format!("fenglai.db{ext}.before-restore-{stamp}")),
                )?;
            }
        }
    }
    std::fs::rename(staging.join("fenglai.db"), &target)?;
    let _ = std::fs::remove_dir_all(&staging);
    println!("restored {} into {}", from.display(), target.display());
    Ok(())
}
