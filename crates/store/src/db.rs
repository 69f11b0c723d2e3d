//! Connecting, choosing the backend, migrating.

use crate::conn::{Conn, Tx};
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
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// On SQLite, the turn to write: [`Db::begin_write`] takes it before its transaction,
    /// so this process's writers queue here and each is woken the moment the one before
    /// commits, instead of polling SQLite's lock in the busy handler's growing sleeps.
    /// On either backend, also whose turn it is to write a [`Group`] of queued writes.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
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
            writer: std::sync::Arc::default(),
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

    /// A connection from the pool, to read through.
    pub async fn acquire(&self) -> Result<Conn> {
        Ok(Conn::pooled(self.pool.acquire().await?, self.backend))
    }

    /// A transaction on a pooled connection, outside the turn to write: the start-up
    /// loading of reference tables, the daily alerts, the registry's batches.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx::new(self.pool.begin().await?, self.backend, None))
    }

    /// A read-only transaction whose every read sees one snapshot of the database, as of
    /// its first read: SQLite's read transaction is one; PostgreSQL needs REPEATABLE READ.
    pub async fn begin_snapshot(&self) -> Result<Tx> {
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            crate::sql::Sql::new("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut tx)
                .await?;
        }
        Ok(tx)
    }

    /// A transaction that will write: on SQLite on the one writing connection, after this
    /// process's writers before it (it holds the turn until it ends); on PostgreSQL from
    /// the pool, where writers queue on the row locks they take.
    pub async fn begin_write(&self) -> Result<Tx> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let t = self.writes.as_ref().unwrap_or(&self.pool).begin().await?;
        Ok(Tx::new(t, self.backend, turn))
    }

    /// [`Db::begin_write`] for the holder of `turn`, who already has it.
    pub async fn begin_write_in(&self, _turn: &Turn) -> Result<Tx> {
        let t = self.writes.as_ref().unwrap_or(&self.pool).begin().await?;
        Ok(Tx::new(t, self.backend, None))
    }

    /// Group commit: `item` joins `group`'s queue; whoever gets the turn to write next
    /// takes the whole queue (at most the group's `max`, a caller who has hung up left
    /// out) and hands it to `write` with the turn, on a task of its own so that one
    /// caller hanging up cancels no one else's write. `write` answers each item in order.
    /// Under many writers the per-transaction work (a chain head, the commit) is then
    /// shared. `None`: the writer stopped before answering this item.
    pub async fn group_commit<T, R, F, Fut>(
        &self,
        group: &Group<T, R>,
        item: T,
        write: F,
    ) -> Option<R>
    where
        T: Send + 'static,
        R: Send + 'static,
        F: FnOnce(Vec<T>, Turn) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Vec<R>> + Send + 'static,
    {
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        group
            .waiting
            .lock()
            .expect("group queue")
            .push((item, reply));
        let turn = tokio::select! {
            biased;
            written = &mut answer => return written.ok(),
            turn = self.writer.clone().lock_owned() => turn,
        };
        if let Ok(written) = answer.try_recv() {
            return Some(written);
        }
        // the turn's holder before answered every item it took before it let go, and this
        // one is not answered: it is still queued, so this turn writes it with the others
        let (items, replies): (Vec<T>, Vec<_>) = {
            let mut queue = group.waiting.lock().expect("group queue");
            let n = queue.len().min(group.max);
            queue.drain(..n).filter(|(_, r)| !r.is_closed()).unzip()
        };
        tokio::spawn(async move {
            let answers = write(items, Turn { _guard: turn }).await;
            for (r, a) in replies.into_iter().zip(answers) {
                let _ = r.send(a);
            }
        });
        answer.await.ok()
    }

    /// Folds the write-ahead log into the database file (SQLite), so that the file alone
    /// is the whole database; nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let mut c = self.acquire().await?;
            crate::sql::Sql::new("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut c)
                .await?;
        }
        Ok(())
    }

    /// Puts the writing connection's page cache back to its usual 64 MiB (`cache_size =
    /// -65536`, as every connection opens with), releasing the pages a bulk load
    /// ([`crate::ledgers::set_aside_indexes`]) may have raised it by; run after every
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

/// What tests and benchmarks reach under the hood (the `raw-sql` feature).
#[cfg(feature = "raw-sql")]
impl Db {
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// The turn to write a [`Group`], held while its batch is written.
pub struct Turn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

/// Writes waiting to be written together ([`Db::group_commit`]).
pub struct Group<T, R> {
    waiting: std::sync::Mutex<Vec<(T, tokio::sync::oneshot::Sender<R>)>>,
    max: usize,
}

impl<T, R> Group<T, R> {
    /// A queue whose turns write at most `max` items each.
    pub fn new(max: usize) -> Group<T, R> {
        Group {
            waiting: std::sync::Mutex::default(),
            max,
        }
    }
}
