//! The enterprise registry (企业库): streaming import of a CSV at national scale.
//!
//! An import reads the file on its own thread (CSV parsing and row checks), hands batches
//! of [`REGISTRY_BATCH`] rows to the writer, which upserts each batch in one multi-row
//! statement (anonymous `?` on SQLite) and commits every [`BATCHES_PER_COMMIT`] batches.
//! A bad row is reported by its line and skipped; re-importing updates rows by credit
//! code. The registry is reference data from outside: the import records one audit event
//! with its counts, not one per company.

use crate::audit::Tx;
use crate::{Actor, App, Error, Result};
use fenglai_chains::registry::{parse_row, Layout};
use fenglai_store::chains::{self as store, EnterpriseRow, REGISTRY_BATCH};
use std::io::Read;

/// Batches written between commits.
pub const BATCHES_PER_COMMIT: usize = 20;
/// Bad rows listed in a summary (all are counted).
pub const MAX_LISTED_ERRORS: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// data rows read
    pub rows: u64,
    /// rows written (inserted or updated)
    pub written: u64,
    /// rows refused
    pub bad: u64,
    /// the first bad rows: (line, message)
    pub errors: Vec<(u64, String)>,
    /// companies in the registry after the import
    pub total: i64,
}

enum Msg {
    Batch(Vec<EnterpriseRow>, u64),
    Bad(u64, String),
    Fatal(String),
}

fn read_all<R: Read>(reader: R, tx: tokio::sync::mpsc::Sender<Msg>) {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(reader);
    let mut rec = csv::ByteRecord::new();
    let layout = match rdr.read_byte_record(&mut rec) {
        Ok(true) => {
            let h: Vec<String> = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            match Layout::from_header(h.iter().map(String::as_str)) {
                Ok(l) => l,
                Err(m) => {
                    let _ = tx.blocking_send(Msg::Fatal(format!("第 1 行：{m}")));
                    return;
                }
            }
        }
        Ok(false) => {
            let _ = tx.blocking_send(Msg::Fatal("文件为空".into()));
            return;
        }
        Err(e) => {
            let _ = tx.blocking_send(Msg::Fatal(format!("无法读取文件：{e}")));
            return;
        }
    };
    let mut batch = Vec::with_capacity(REGISTRY_BATCH);
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                if tx
                    .blocking_send(Msg::Bad(line, format!("无法解析：{e}")))
                    .is_err()
                {
                    return;
                }
                continue;
            }
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let fields: std::result::Result<Vec<&str>, _> =
            rec.iter().map(std::str::from_utf8).collect();
        let parsed = match fields {
            Ok(f) if f.iter().all(|x| x.trim().is_empty()) => continue,
            Ok(f) => parse_row(&layout, &f),
            Err(_) => Err("不是 UTF-8 编码的文本".into()),
        };
        match parsed {
            Ok(r) => batch.push(r),
            Err(m) => {
                if tx.blocking_send(Msg::Bad(line, m)).is_err() {
                    return;
                }
            }
        }
        if batch.len() == REGISTRY_BATCH {
            let bytes = rec.position().map(|p| p.byte()).unwrap_or(0);
            let full = std::mem::replace(&mut batch, Vec::with_capacity(REGISTRY_BATCH));
            if tx.blocking_send(Msg::Batch(full, bytes)).is_err() {
                return;
            }
        }
    }
    let bytes = rec.position().map(|p| p.byte()).unwrap_or(0);
    let _ = tx.blocking_send(Msg::Batch(batch, bytes));
}

/// Imports a registry CSV (UTF-8, header row; see `fenglai_chains::registry`), calling
/// `progress(bytes read, rows written)` after each batch.
pub async fn import<R: Read + Send + 'static>(
    app: &App,
    actor: Option<&Actor>,
    reader: R,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportSummary> {
    if let Some(a) = actor {
        a.require(matches!(a.role, fenglai_domain::Role::Admin), "导入企业库")?;
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(8);
    let reader_thread = std::thread::spawn(move || read_all(reader, tx));
    let mut sum = ImportSummary::default();
    let mut conn_tx: Option<fenglai_store::Tx> = None;
    let mut in_tx = 0;
    let mut fatal = None;
    while let Some(m) = rx.recv().await {
        match m {
            Msg::Batch(rows, bytes) => {
                if rows.is_empty() {
                    continue;
                }
                if conn_tx.is_none() {
                    conn_tx = Some(app.db.begin().await?);
                }
                let t = conn_tx.as_mut().expect("begun above");
                let n = rows.len() as u64;
                store::upsert_enterprises(t, &rows).await?;
                sum.rows += n;
                sum.written += n;
                in_tx += 1;
                if in_tx == BATCHES_PER_COMMIT {
                    conn_tx.take().expect("begun above").commit().await?;
                    in_tx = 0;
                }
                progress(bytes, sum.written);
            }
            Msg::Bad(line, msg) => {
                sum.rows += 1;
                sum.bad += 1;
                if sum.errors.len() < MAX_LISTED_ERRORS {
                    sum.errors.push((line, msg));
                }
            }
            Msg::Fatal(m) => fatal = Some(m),
        }
    }
    if let Some(t) = conn_tx {
        t.commit().await?;
    }
    let _ = reader_thread.join();
    if let Some(m) = fatal {
        return Err(Error::invalid("file", m));
    }
    let mut c = app.db.acquire().await?;
    sum.total = store::enterprise_count(&mut c).await?;
    drop(c);
    let mut tx = Tx::begin(app).await?;
    let note = serde_json::json!({"rows": sum.rows, "written": sum.written, "bad": sum.bad, "total": sum.total});
    tx.record::<(), _>(actor, "registry", 0, "import", None, Some(&note))
        .await?;
    tx.commit().await?;
    Ok(sum)
}
