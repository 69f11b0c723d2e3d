//! Connecting, choosing the backend, migrating.

use crate::Result;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool on one backend.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// On SQLite, the one connection every write transaction runs on ([`Db::begin_write`]).
    /// SQLite lets one writer in at a time anyway, and in WAL mode a connection drops its
    /// whole page cache whenever another connection has written since its last
    /// transaction: with writes spread over the pool every write began on a cold cache.
    /// On one connection the writer's cache stays warm from one write to the next.
    writes: Option<AnyPool>,
    /// Held by whoever checkpoints the WAL: the background task or [`Db::close`].
    checkpoints: std::sync::Arc<tokio::sync::Mutex<()>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Opens (creating if missing) `fenglai.db` in `dir`, in WAL mode.
    pub async fn open_sqlite_dir(dir: &Path) -> Result<Db> {
        std::fs::create_dir_all(dir).map_err(|e| {
            crate::StoreError::Corrupt(format!("cannot create data dir {}: {e}", dir.display()))
        })?;
        let file = dir.join("fenglai.db");
        Db::connect(&format!("sqlite://{}?mode=rwc", file.display())).await
    }

    /// Connects to `sqlite://…` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let opts = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let checkpoints = std::sync::Arc::new(tokio::sync::Mutex::new(()));
        let (pool, writes) = match backend {
            Backend::Sqlite => {
                let sqlite = |connections: u32| {
                    AnyPoolOptions::new()
                        .max_connections(connections)
                        .min_connections(1)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute(
                                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                                     PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; \
                                     PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 1073741824; \
                                     PRAGMA wal_autocheckpoint = 0; \
                                     PRAGMA journal_size_limit = 67108864;",
                                )
                                .await?;
                                Ok(())
                            })
                        })
                };
                let pool = sqlite(8).connect_with(opts.clone()).await?;
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(&pool)
                    .await?;
                let writes = sqlite(1).connect_with(opts).await?;
                spawn_checkpointer(pool.clone(), checkpoints.clone());
                (pool, Some(writes))
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // Statements are prepared once and reused; a generic plan chosen
                            // for one filter value can be far off for another (a rare
                            // industry, a common name fragment), so plan each execution.
                            conn.execute("SET plan_cache_mode = force_custom_plan")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?;
                (pool, None)
            }
        };
        Ok(Db {
            pool,
            backend,
            writes,
            checkpoints,
        })
    }

    /// Writes a consistent copy of the whole database to `file` while others go on
    /// reading and writing (SQLite's `VACUUM INTO`: one read transaction, so the copy is
    /// the database as of one moment, every committed write before it and none after).
    /// PostgreSQL deployments use `pg_dump` (see README).
    pub async fn backup_to(&self, file: &Path) -> Result<()> {
        if self.backend == Backend::Postgres {
            return Err(crate::StoreError::Corrupt(
                "PostgreSQL 请用 pg_dump 备份（见 README）".into(),
            ));
        }
        let path = file.to_str().ok_or_else(|| {
            crate::StoreError::Corrupt(format!("备份路径不是 UTF-8：{}", file.display()))
        })?;
        let mut c = self.acquire().await?;
        crate::sql::Sql::new("VACUUM INTO $1")
            .bind(path)
            .execute(&mut c)
            .await?;
        Ok(())
    }

    /// `PRAGMA integrity_check` on SQLite: `ok`, or what is wrong.
    pub async fn integrity(&self) -> Result<String> {
        if self.backend == Backend::Postgres {
            return Ok("ok".into());
        }
        let mut c = self.acquire().await?;
        let rows: Vec<(String,)> = crate::sql::Sql::new("PRAGMA integrity_check")
            .fetch_all(&mut c)
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("; "))
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// A transaction that will write: on SQLite on the one writing connection (queued
    /// behind the write before it), on PostgreSQL from the pool.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.writes.as_ref().unwrap_or(&self.pool).begin().await?)
    }

    /// Puts the writing connection's page cache back to its usual 64 MiB (`cache_size =
    /// -65536`, as every connection opens with), releasing the pages a bulk load
    /// ([`crate::imports::set_aside_indexes`]) may have raised it by; run after every
    /// import. Nothing to do once the database is closed.
    pub async fn reset_write_cache(&self) -> Result<()> {
        if let Some(w) = self.writes.as_ref().filter(|w| !w.is_closed()) {
            sqlx::query("PRAGMA cache_size = -65536").execute(w).await?;
        }
        Ok(())
    }

    /// Closes every connection (reads and the writing one), waiting for those in use. On
    /// SQLite the write-ahead log is first copied into the database file, as far as no
    /// other process still reads an older state: when no other process has the database
    /// open, `fenglai.db` on its own then holds every committed write (otherwise
    /// `fenglai.db` and its `-wal` together do, as while a server runs).
    pub async fn close(&self) {
        if let Some(w) = &self.writes {
            // after the background checkpoint in progress, if any: SQLite refuses a second
            // checkpointer at once rather than wait for it
            let _alone = self.checkpoints.lock().await;
            // PASSIVE: another process (a server beside a command) is never made to wait;
            // alone, it copies the whole log, and closing the last connection removes it
            if !w.is_closed() {
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(w)
                    .await
                {
                    tracing::warn!("WAL checkpoint at close: {e}");
                }
            }
            w.close().await;
        }
        self.pool.close().await;
    }
}

/// How often the WAL is copied back into the database file on SQLite.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies committed pages from the write-ahead log back into the database file, off the
/// path of every request. SQLite's own automatic checkpoint runs inside the commit that
/// takes the log past 1,000 pages, so that one writer waits for the copy and the fsync:
/// about 0.8 s of a 100,000-row ledger import's commit. Connections therefore turn it off
/// (`wal_autocheckpoint = 0`) and this task runs a PASSIVE checkpoint — it copies what no
/// reader still needs and never waits for readers or writers — twice a second until the
/// pool is closed. When the log has been copied whole, the next writer starts it again
/// from the beginning and `journal_size_limit` trims the file to 64 MiB. Closing the last
/// connection checkpoints whatever is left, as before.
fn spawn_checkpointer(pool: AnyPool, checkpoints: std::sync::Arc<tokio::sync::Mutex<()>>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _alone = checkpoints.lock().await;
            if pool.is_closed() {
                break;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                if pool.is_closed() {
                    break;
                }
                tracing::warn!("WAL checkpoint: {e}");
            }
        }
    });
}
