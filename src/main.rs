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
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Data directory for the SQLite database (created if missing)
    #[arg(long, env = "FENGLAI_DATA_DIR", default_value = "fenglai-data")]
    data_dir: PathBuf,
    /// PostgreSQL URL (postgres://…); overrides --data-dir
    #[arg(long, env = "FENGLAI_DATABASE_URL")]
    database_url: Option<String>,
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
    },
    /// Serve the web UI and the JSON API
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, env = "FENGLAI_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
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
    /// Generate a large synthetic dataset (demo organisation + N leads) for benchmarks
    Gen {
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
    },
}

async fn open(db: &DbArgs) -> Result<App> {
    let store = match &db.database_url {
        Some(url) => Db::connect(url)
            .await
            .context("connecting to the database")?,
        None => Db::open_sqlite_dir(&db.data_dir)
            .await
            .with_context(|| format!("opening {}", db.data_dir.display()))?,
    };
    App::open(store).await.map_err(|e| anyhow::anyhow!("{e}"))
}

async fn serve(app: App, bind: &str) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr()?;
    println!("凤来 Fenglai serving on http://{addr}");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    fenglai_web::serve(listener, app, shutdown).await?;
    Ok(())
}

fn app_err(e: fenglai_app::Error) -> anyhow::Error {
    match e {
        fenglai_app::Error::Invalid { field, message } => anyhow::anyhow!("{field}: {message}"),
        other => anyhow::anyhow!("{other}"),
    }
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
    match Cli::parse().cmd {
        Cmd::Demo { db, bind, no_serve } => {
            let app = open(&db).await?;
            let seeded = demo::ensure_demo(&app).await.map_err(app_err)?;
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
            serve(app, &bind).await
        }
        Cmd::Serve { db, bind } => serve(open(&db).await?, &bind).await,
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
        Cmd::User {
            cmd:
                UserCmd::Add {
                    db,
                    username,
                    name,
                    role,
                    unit,
                    password,
                },
        } => {
            let app = open(&db).await?;
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
        Cmd::Gen {
            db,
            leads,
            projects,
            seed,
        } => {
            if projects > leads {
                bail!("--projects ({projects}) cannot exceed --leads ({leads})");
            }
            let app = open(&db).await?;
            let refs = demo::seed_org(&app).await.map_err(app_err)?;
            let started = std::time::Instant::now();
            let opts = fenglai_app::sample::Options {
                leads,
                projects,
                seed,
                start: chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("valid date"),
                end: fenglai_app::today(),
            };
            let progress = |done: u64, total: u64| {
                eprint!("\r生成中 {done}/{total}");
            };
            let s = demo::generate(&app, &refs, &opts, &progress)
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
