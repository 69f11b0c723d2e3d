//! Ledger imports (台账导入): the uploaded file and its outcome, the reference tables an
//! import resolves names against, and what an export reads; and the bulk writes of
//! leads, projects and stage history — ids reserved up front, multi-row INSERTs through a
//! staging table on SQLite, one JSON parameter on PostgreSQL. These are the only bulk
//! writers of those tables: a ledger import writes through them, and so do generated
//! datasets (the `fenglai-sample` crate), followed by [`finish_bulk_load`].

use crate::decode;
use crate::leads::search_doc;
use crate::sql::{insert_json, now, Sql, Stage};
use crate::{Backend, Conn, Db, Result};
use chrono::NaiveDate;
use fenglai_domain::{names, Channel, Moment};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// An upload and, once imported, its outcome. The file itself is read with [`content`].
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: i64,
    /// leads or projects
    pub kind: String,
    pub file_name: String,
    pub file_sha256: String,
    /// the mapping the user chose, if they changed the proposal
    pub mapping_json: Option<String>,
    pub actor_id: i64,
    /// preview, imported
    pub status: String,
    pub skip_bad_rows: Option<bool>,
    pub unit_id: Option<i64>,
    pub inserted: Option<i64>,
    pub invalid: Option<i64>,
    pub skipped: Option<i64>,
    pub created_at: Moment,
    pub imported_at: Option<Moment>,
}

impl FromRow<'_, AnyRow> for ImportRow {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(ImportRow {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            file_name: r.try_get("file_name")?,
            file_sha256: r.try_get("file_sha256")?,
            mapping_json: r.try_get("mapping_json")?,
            actor_id: r.try_get("actor_id")?,
            status: r.try_get("status")?,
            skip_bad_rows: r
                .try_get::<Option<i64>, _>("skip_bad_rows")?
                .map(|v| v != 0),
            unit_id: r.try_get("unit_id")?,
            inserted: r.try_get("inserted")?,
            invalid: r.try_get("invalid")?,
            skipped: r.try_get("skipped")?,
            created_at: decode::moment(r, "created_at")?,
            imported_at: decode::moment_opt(r, "imported_at")?,
        })
    }
}

const COLS: &str =
    "id, kind, file_name, file_sha256, mapping_json, actor_id, status, skip_bad_rows, \
    unit_id, inserted, invalid, skipped, created_at, imported_at";

pub async fn insert(
    conn: &mut Conn,
    kind: &str,
    file_name: &str,
    sha256: &str,
    content: Vec<u8>,
    actor_id: i64,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO imports (kind, file_name, file_sha256, content, actor_id, status, created_at) VALUES (",
    );
    s.bind(kind).push(", ").bind(file_name).push(", ");
    s.bind(sha256).push(", ").bind(content).push(", ");
    s.bind(actor_id)
        .push(", 'preview', ")
        .bind(now())
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<ImportRow>> {
    let mut s = Sql::new(&format!("SELECT {COLS} FROM imports WHERE id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

/// The uploaded file's bytes.
pub async fn content(conn: &mut Conn, id: i64) -> Result<Vec<u8>> {
    #[derive(sqlx::FromRow)]
    struct Content {
        content: Vec<u8>,
    }
    let mut s = Sql::new("SELECT content FROM imports WHERE id = ");
    s.bind(id);
    Ok(s.fetch_one::<Content>(conn).await?.content)
}

pub async fn set_mapping(conn: &mut Conn, id: i64, mapping_json: &str) -> Result<()> {
    let mut s = Sql::new("UPDATE imports SET mapping_json = ");
    s.bind(mapping_json).push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

/// Marks an upload imported, if it was still a preview. False when another request
/// imported it first (the caller's transaction then writes nothing).
pub async fn claim(conn: &mut Conn, id: i64) -> Result<bool> {
    let mut s =
        Sql::new("UPDATE imports SET status = 'imported' WHERE status = 'preview' AND id = ");
    s.bind(id);
    Ok(s.execute(conn).await? == 1)
}

pub struct Outcome {
    pub skip_bad_rows: bool,
    pub unit_id: i64,
    pub inserted: i64,
    pub invalid: i64,
    pub skipped: i64,
}

pub async fn finish(conn: &mut Conn, id: i64, o: &Outcome) -> Result<()> {
    let mut s = Sql::new("UPDATE imports SET skip_bad_rows = ");
    s.bind(o.skip_bad_rows as i64)
        .push(", unit_id = ")
        .bind(o.unit_id);
    s.push(", inserted = ")
        .bind(o.inserted)
        .push(", invalid = ")
        .bind(o.invalid);
    s.push(", skipped = ")
        .bind(o.skipped)
        .push(", imported_at = ")
        .bind(now());
    s.push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

/// Readies the import's transaction for many rows. On PostgreSQL every connection plans
/// each execution of a prepared statement afresh (`plan_cache_mode = force_custom_plan`,
/// set at connect for the lists' filters), and that includes the lookups behind each
/// foreign key, run once per inserted row per key: re-planned against the referenced
/// table's every index, they cost a 100,000-row ledger several seconds more than the
/// inserts. For this transaction plans are cached as PostgreSQL does by default. A no-op
/// on SQLite.
pub async fn begin_bulk(conn: &mut Conn) -> Result<()> {
    let backend = conn.backend();
    if backend == Backend::Postgres {
        Sql::new("SET LOCAL plan_cache_mode = auto")
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Reserves `n` consecutive ids of `table` (leads or projects) for rows inserted with
/// explicit ids, so that one multi-row INSERT needs no `RETURNING` per row; returns the
/// first. Call inside the writing transaction after taking the audit head, which
/// serialises writers (or with the database to oneself, as a generator runs). On
/// PostgreSQL the identity sequence is moved past them (not undone by a rollback, which
/// only leaves a gap).
pub async fn reserve_ids(conn: &mut Conn, table: &str, n: i64) -> Result<i64> {
    let backend = conn.backend();
    debug_assert!(matches!(table, "leads" | "projects"));
    match backend {
        Backend::Sqlite => next_id(conn, table).await,
        Backend::Postgres => {
            let seq = format!("pg_get_serial_sequence('{table}', 'id')");
            let mut s = Sql::new(&format!(
                "SELECT CAST(setval({seq}, GREATEST(nextval({seq}), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table})) + "
            ));
            s.bind(n.max(1)).push(" - 1) - ").bind(n.max(1));
            s.push(" + 1 AS BIGINT)");
            s.fetch_i64(conn).await
        }
    }
}

/// Fewest rows a table must be about to receive before an import sets its indexes aside
/// ([`set_aside_indexes`]): below it the schema is left alone, which keeps every other
/// connection's prepared statements valid.
pub const BULK_ROWS: usize = 5_000;

/// Secondary indexes an import dropped inside its transaction ([`set_aside_indexes`]),
/// to be built again by [`rebuild_indexes`] before it commits.
#[must_use = "the indexes must be built again before the transaction commits"]
#[derive(Debug, Default)]
pub struct SetAside {
    indexes: Vec<Index>,
    /// tables whose planner statistics are to be gathered again after the rebuild
    analyze: Vec<String>,
}

/// An index set aside: its name and its definition.
#[derive(Debug, sqlx::FromRow)]
struct Index {
    name: String,
    sql: String,
}

impl SetAside {
    /// The names of the indexes set aside, in order.
    pub fn names(&self) -> Vec<&str> {
        self.indexes.iter().map(|i| i.name.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty()
    }

    /// Adds the indexes `other` set aside, to be built with these.
    pub fn extend(&mut self, other: SetAside) {
        self.indexes.extend(other.indexes);
        self.analyze.extend(other.analyze);
    }
}

/// On SQLite, inside the caller's transaction, drops the secondary indexes of each table
/// in `adding` that is about to receive at least `min_rows` rows and at least as many as
/// its highest id (an upper bound on the rows it holds): a ledger loaded into a new or
/// small system. Its rows then go in without index upkeep (each row of `leads` updates
/// seventeen indexes in random order), and [`rebuild_indexes`] builds each index once by
/// sorting, which is faster when the table is mostly new rows. Unique indexes (and those
/// behind `UNIQUE` and primary keys) stay and go on checking. If the database keeps
/// planner statistics (`ANALYZE` has run), those of the loaded tables, which `DROP INDEX`
/// deletes and the load would make stale anyway, are gathered again after the rebuild. A
/// rollback restores everything; other connections keep reading the committed schema
/// until the commit. A no-op on PostgreSQL.
pub async fn set_aside_indexes(
    conn: &mut Conn,
    adding: &[(&str, usize)],
    min_rows: usize,
) -> Result<SetAside> {
    let backend = conn.backend();
    let mut aside = SetAside::default();
    if backend != Backend::Sqlite {
        return Ok(aside);
    }
    let stats = Sql::new("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        .fetch_i64(conn)
        .await?
        > 0;
    for &(table, n) in adding {
        debug_assert!(table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        if n < min_rows {
            continue;
        }
        let held = Sql::new(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
            .fetch_i64(conn)
            .await?;
        if (n as i64) < held {
            continue;
        }
        // not the unique ones: they go on checking
        let mut s = Sql::new(
            "SELECT m.name, m.sql FROM sqlite_master m \
             WHERE m.type = 'index' AND m.sql IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM pragma_index_list(m.tbl_name) l WHERE l.name = m.name AND l.\"unique\") \
             AND m.tbl_name = ",
        );
        s.bind(table).push(" ORDER BY m.name");
        let indexes: Vec<Index> = s.fetch_all(conn).await?;
        if indexes.is_empty() {
            continue;
        }
        for i in indexes {
            Sql::new(&format!("DROP INDEX \"{}\"", i.name.replace('"', "\"\"")))
                .execute(conn)
                .await?;
            aside.indexes.push(i);
        }
        if stats {
            aside.analyze.push(table.to_string());
        }
    }
    if !aside.is_empty() {
        // the new pages stay in memory until the commit instead of being written to the
        // log and read back while the indexes are built: 4 KiB a row on top of the usual
        // 64 MiB, at most 512 MiB, until [`crate::Db::reset_write_cache`]; never lowered
        // here (a second call, for a smaller table, keeps what the first one set)
        let rows = adding.iter().map(|(_, n)| *n).max().unwrap_or(0) as i64;
        let kib = (65_536 + 4 * rows).min(524_288);
        if kib > cache_kib(conn).await? {
            Sql::new(&format!("PRAGMA cache_size = -{kib}"))
                .execute(conn)
                .await?;
        }
    }
    Ok(aside)
}

/// The connection's page cache in KiB (`cache_size` is negative for KiB, positive for
/// pages).
async fn cache_kib(conn: &mut Conn) -> Result<i64> {
    let size = Sql::new("PRAGMA cache_size").fetch_i64(conn).await?;
    if size < 0 {
        return Ok(-size);
    }
    let page = Sql::new("PRAGMA page_size").fetch_i64(conn).await?;
    Ok(size * page / 1024)
}

/// Builds again, with their own definitions, the indexes [`set_aside_indexes`] dropped,
/// then gathers the loaded tables' planner statistics again if the database keeps them
/// (sampling at most 1,000 rows of each index, `analysis_limit`).
pub async fn rebuild_indexes(conn: &mut Conn, set_aside: SetAside) -> Result<()> {
    for i in set_aside.indexes {
        Sql::new(&i.sql).execute(conn).await?;
    }
    if !set_aside.analyze.is_empty() {
        Sql::new("PRAGMA analysis_limit = 1000")
            .execute(conn)
            .await?;
        for table in &set_aside.analyze {
            Sql::new(&format!("ANALYZE \"{table}\""))
                .execute(conn)
                .await?;
        }
        Sql::new("PRAGMA analysis_limit = 0").execute(conn).await?;
    }
    Ok(())
}

/// The next free id of a table (SQLite; PostgreSQL reserves through its sequence).
async fn next_id(conn: &mut Conn, table: &str) -> Result<i64> {
    Sql::new(&format!(
        "SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM {table}"
    ))
    .fetch_i64(conn)
    .await
}

/// After a bulk load with explicit ids outside an import (a generated dataset, written
/// with the database to itself): moves PostgreSQL's identity sequences of leads and
/// projects to their highest id, so the next row takes the one after the load's last (ids
/// reserved beyond it are given back), and refreshes the planner's statistics on both
/// backends.
pub async fn finish_bulk_load(db: &Db) -> Result<()> {
    let mut conn = db.acquire().await?;
    if db.backend == Backend::Postgres {
        for t in ["leads", "projects"] {
            Sql::new(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {t}))"
            ))
            .execute(&mut conn)
            .await?;
        }
        Sql::new("VACUUM ANALYZE").execute(&mut conn).await?;
    } else {
        Sql::new("ANALYZE").execute(&mut conn).await?;
    }
    Ok(())
}

/// A lead as a bulk load writes it, with its id reserved: a ledger row, or a generated
/// one.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportLead {
    pub id: i64,
    pub company_name: String,
    pub uscc: Option<String>,
    pub industry_code: Option<String>,
    pub industry_section: Option<String>,
    pub region_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<i64>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    pub channel: Option<String>,
    pub reported_by: i64,
    pub reporting_unit_id: i64,
    pub reported_date: String,
    pub status: String,
    pub project_id: Option<i64>,
    /// the ledger import that wrote it (none for generated data)
    pub import_id: Option<i64>,
    /// JSON object of ledger columns without a field of their own
    pub ledger_extra: Option<String>,
}

/// The columns derived from a lead's name on every write: normalised name, identity key
/// (core + trade, through jieba) and the search document of bigrams and scope tokens.
#[derive(Debug, Clone, Default)]
pub struct LeadNames {
    pub norm: String,
    pub key: String,
    pub doc: String,
}

/// [`LeadNames`] of every row, worked out on all cores before the import's transaction
/// (jieba's segmentation is most of an import's CPU time outside SQL).
pub fn lead_names(rows: &[ImportLead]) -> Vec<LeadNames> {
    let of = |l: &ImportLead| LeadNames {
        norm: names::normalize(&l.company_name),
        key: crate::leads::name_key(&l.company_name),
        doc: search_doc(&l.company_name, l.reporting_unit_id, l.reported_by),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || rows.len() < 1000 {
        return rows.iter().map(of).collect();
    }
    let per = rows.len().div_ceil(threads);
    std::thread::scope(|sc| {
        let parts: Vec<_> = rows
            .chunks(per)
            .map(|part| sc.spawn(move || part.iter().map(of).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Inserts leads whose derived name columns `names` (one per row, from [`lead_names`])
/// are already worked out.
pub async fn insert_leads(conn: &mut Conn, rows: &[ImportLead], names: &[LeadNames]) -> Result<()> {
    let backend = conn.backend();
    debug_assert_eq!(rows.len(), names.len());
    let t = now();
    if backend == Backend::Postgres {
        #[derive(Serialize)]
        struct Row<'a> {
            #[serde(flatten)]
            lead: &'a ImportLead,
            name_norm: &'a str,
            name_key: &'a str,
            name_grams: &'a str,
        }
        let rows: Vec<Row> = rows
            .iter()
            .zip(names)
            .map(|(lead, n)| Row {
                lead,
                name_norm: &n.norm,
                name_key: &n.key,
                name_grams: &n.doc,
            })
            .collect();
        let cols = [
            ("id", "bigint"),
            ("company_name", "text"),
            ("name_norm", "text"),
            ("name_key", "text"),
            ("name_grams", "text"),
            ("uscc", "text"),
            ("industry_code", "text"),
            ("industry_section", "text"),
            ("region_code", "text"),
            ("contact_name", "text"),
            ("contact_phone", "text"),
            ("description", "text"),
            ("planned_investment_yuan", "bigint"),
            ("land_mu", "double precision"),
            ("expected_jobs", "bigint"),
            ("channel", "text"),
            ("reported_by", "bigint"),
            ("reporting_unit_id", "bigint"),
            ("reported_date", "text"),
            ("status", "text"),
            ("project_id", "bigint"),
            ("import_id", "bigint"),
            ("ledger_extra", "text"),
        ];
        let consts = [("created_at", t.clone().into()), ("updated_at", t.into())];
        return insert_json(conn, "leads", &cols, &consts, &rows).await;
    }
    const COLS: &str = "id, company_name, name_norm, name_key, name_grams, uscc, industry_code, industry_section, \
         region_code, contact_name, contact_phone, description, planned_investment_yuan, land_mu, expected_jobs, \
         channel, reported_by, reporting_unit_id, reported_date, status, project_id, import_id, ledger_extra, \
         created_at, updated_at";
    let stage = Stage::open(conn, "leads", COLS, rows.len(), 400).await?;
    for (chunk, names) in rows.chunks(400).zip(names.chunks(400)) {
        let mut s = Sql::new(&stage.insert());
        for (n, (l, d)) in chunk.iter().zip(names).enumerate() {
            s.push(if n == 0 { "(" } else { ", (" });
            s.bind(l.id)
                .push(", ")
                .bind(l.company_name.clone())
                .push(", ");
            s.bind(d.norm.clone()).push(", ");
            s.bind(d.key.clone()).push(", ");
            s.bind(d.doc.clone()).push(", ");
            s.bind(l.uscc.clone())
                .push(", ")
                .bind(l.industry_code.clone())
                .push(", ");
            s.bind(l.industry_section.clone())
                .push(", ")
                .bind(l.region_code.clone())
                .push(", ");
            s.bind(l.contact_name.clone())
                .push(", ")
                .bind(l.contact_phone.clone())
                .push(", ");
            s.bind(l.description.clone())
                .push(", ")
                .bind(l.planned_investment_yuan)
                .push(", ");
            s.bind(l.land_mu)
                .push(", ")
                .bind(l.expected_jobs)
                .push(", ");
            s.bind(l.channel.clone())
                .push(", ")
                .bind(l.reported_by)
                .push(", ");
            s.bind(l.reporting_unit_id)
                .push(", ")
                .bind(l.reported_date.clone())
                .push(", ");
            s.bind(l.status.clone())
                .push(", ")
                .bind(l.project_id)
                .push(", ");
            s.bind(l.import_id)
                .push(", ")
                .bind(l.ledger_extra.clone())
                .push(", ");
            s.bind(t.clone()).push(", ").bind(t.clone()).push(")");
        }
        s.positional(backend);
        s.execute_owned(conn).await?;
    }
    stage.close(conn).await
}

/// A project as a bulk load writes it, with its id reserved.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportProject {
    pub id: i64,
    pub name: String,
    pub lead_id: i64,
    pub company_name: String,
    pub uscc: Option<String>,
    pub industry_code: Option<String>,
    pub industry_section: Option<String>,
    pub park_id: Option<i64>,
    pub reporting_unit_id: i64,
    pub reported_by: i64,
    pub responsible_user_id: Option<i64>,
    pub planned_investment_yuan: i64,
    pub contracted_investment_yuan: Option<i64>,
    pub foreign_capital_usd: Option<i64>,
    pub land_mu: Option<f64>,
    pub stage: String,
    pub stage_date: String,
    pub before_drop_stage: Option<String>,
    pub drop_reason: Option<String>,
}

pub async fn insert_projects(conn: &mut Conn, rows: &[ImportProject]) -> Result<()> {
    let backend = conn.backend();
    let t = now();
    if backend == Backend::Postgres {
        let cols = [
            ("id", "bigint"),
            ("name", "text"),
            ("lead_id", "bigint"),
            ("company_name", "text"),
            ("uscc", "text"),
            ("industry_code", "text"),
            ("industry_section", "text"),
            ("park_id", "bigint"),
            ("reporting_unit_id", "bigint"),
            ("reported_by", "bigint"),
            ("responsible_user_id", "bigint"),
            ("planned_investment_yuan", "bigint"),
            ("contracted_investment_yuan", "bigint"),
            ("foreign_capital_usd", "bigint"),
            ("land_mu", "double precision"),
            ("stage", "text"),
            ("stage_date", "text"),
            ("before_drop_stage", "text"),
            ("drop_reason", "text"),
        ];
        let consts = [("created_at", t.clone().into()), ("updated_at", t.into())];
        return insert_json(conn, "projects", &cols, &consts, rows).await;
    }
    const COLS: &str = "id, name, lead_id, company_name, uscc, industry_code, industry_section, park_id, \
         reporting_unit_id, reported_by, responsible_user_id, planned_investment_yuan, contracted_investment_yuan, \
         foreign_capital_usd, land_mu, stage, stage_date, before_drop_stage, drop_reason, created_at, updated_at";
    let stage = Stage::open(conn, "projects", COLS, rows.len(), 500).await?;
    for chunk in rows.chunks(500) {
        let mut s = Sql::new(&stage.insert());
        for (n, p) in chunk.iter().enumerate() {
            s.push(if n == 0 { "(" } else { ", (" });
            s.bind(p.id).push(", ").bind(p.name.clone()).push(", ");
            s.bind(p.lead_id)
                .push(", ")
                .bind(p.company_name.clone())
                .push(", ");
            s.bind(p.uscc.clone())
                .push(", ")
                .bind(p.industry_code.clone())
                .push(", ");
            s.bind(p.industry_section.clone())
                .push(", ")
                .bind(p.park_id)
                .push(", ");
            s.bind(p.reporting_unit_id)
                .push(", ")
                .bind(p.reported_by)
                .push(", ");
            s.bind(p.responsible_user_id)
                .push(", ")
                .bind(p.planned_investment_yuan)
                .push(", ");
            s.bind(p.contracted_investment_yuan)
                .push(", ")
                .bind(p.foreign_capital_usd)
                .push(", ");
            s.bind(p.land_mu)
                .push(", ")
                .bind(p.stage.clone())
                .push(", ");
            s.bind(p.stage_date.clone())
                .push(", ")
                .bind(p.before_drop_stage.clone())
                .push(", ");
            s.bind(p.drop_reason.clone())
                .push(", ")
                .bind(t.clone())
                .push(", ")
                .bind(t.clone())
                .push(")");
        }
        s.positional(backend);
        s.execute_owned(conn).await?;
    }
    stage.close(conn).await
}

/// GB/T 4754 entries for resolving industry names: code, name, section.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndustryRef {
    pub code: String,
    pub name: String,
    pub section: String,
}

pub async fn industries(conn: &mut Conn) -> Result<Vec<IndustryRef>> {
    Sql::new("SELECT code, name, section FROM industries")
        .fetch_all(conn)
        .await
}

/// GB/T 2260 entries for resolving region names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegionRef {
    pub code: String,
    pub name: String,
    pub full_name: String,
    pub level: i64,
}

pub async fn regions(conn: &mut Conn) -> Result<Vec<RegionRef>> {
    Sql::new("SELECT code, name, full_name, level FROM regions")
        .fetch_all(conn)
        .await
}

/// The lead fields a project export adds to the project's own, by lead id.
#[derive(Debug, Clone)]
pub struct LeadFields {
    pub id: i64,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub expected_jobs: Option<i64>,
    pub channel: Option<Channel>,
    pub reported_date: NaiveDate,
    pub ledger_extra: Option<String>,
}

impl FromRow<'_, AnyRow> for LeadFields {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(LeadFields {
            id: r.try_get("id")?,
            region_code: r.try_get("region_code")?,
            region_name: r.try_get("region_name")?,
            contact_name: r.try_get("contact_name")?,
            contact_phone: r.try_get("contact_phone")?,
            description: r.try_get("description")?,
            expected_jobs: r.try_get("expected_jobs")?,
            channel: decode::channel_opt(r, "channel")?,
            reported_date: decode::day(r, "reported_date")?,
            ledger_extra: r.try_get("ledger_extra")?,
        })
    }
}

fn in_list(s: &mut Sql, ids: &[i64]) {
    s.push(" IN (");
    for (n, id) in ids.iter().enumerate() {
        if n > 0 {
            s.push(", ");
        }
        s.bind(*id);
    }
    s.push(")");
}

pub async fn lead_fields(conn: &mut Conn, ids: &[i64]) -> Result<Vec<LeadFields>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut s = Sql::new(
            "SELECT l.id, l.region_code, r.full_name AS region_name, l.contact_name, l.contact_phone, \
             l.description, l.expected_jobs, l.channel, l.reported_date, l.ledger_extra \
             FROM leads l LEFT JOIN regions r ON r.code = l.region_code WHERE l.id",
        );
        in_list(&mut s, chunk);
        out.extend(s.fetch_all::<LeadFields>(conn).await?);
    }
    Ok(out)
}

/// The effective date of each live stage-history entry of the projects, oldest first.
#[derive(Debug, Clone)]
pub struct StageDate {
    pub project_id: i64,
    pub stage: fenglai_domain::Stage,
    pub effective_date: NaiveDate,
}

impl FromRow<'_, AnyRow> for StageDate {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(StageDate {
            project_id: r.try_get("project_id")?,
            stage: decode::stage(r, "stage")?,
            effective_date: decode::day(r, "effective_date")?,
        })
    }
}

pub async fn stage_dates(conn: &mut Conn, project_ids: &[i64]) -> Result<Vec<StageDate>> {
    let mut out = Vec::with_capacity(project_ids.len() * 2);
    for chunk in project_ids.chunks(500) {
        let mut s = Sql::new(
            "SELECT project_id, stage, effective_date FROM stage_history WHERE voided = 0 AND project_id",
        );
        in_list(&mut s, chunk);
        s.push(" ORDER BY project_id, id");
        out.extend(s.fetch_all::<StageDate>(conn).await?);
    }
    Ok(out)
}

/// A stage-history row as a bulk load writes it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub project_id: i64,
    pub stage: String,
    pub kind: String,
    pub effective_date: String,
    pub end_date: Option<String>,
    pub amount_yuan: Option<i64>,
    pub investment_yuan: i64,
    pub reason: Option<String>,
    pub park_id: Option<i64>,
    pub reporting_unit_id: i64,
    pub reported_by: i64,
    pub recorded_by: i64,
    /// the credit the entry is assessed under (migration 0020): its lead's unit,
    /// reporter, tags and industry division; left out (None), the database fills it
    /// from the project and lead
    #[serde(flatten)]
    pub credit: Option<Credit>,
}

/// A stage entry's credit as it is written with it (`stage_history.credit_*`).
#[derive(Debug, Clone, Serialize)]
pub struct Credit {
    #[serde(rename = "credit_unit")]
    pub unit: i64,
    #[serde(rename = "credit_user")]
    pub user: i64,
    #[serde(rename = "credit_tags")]
    pub tags: String,
    #[serde(rename = "credit_division")]
    pub division: Option<String>,
}

/// Stage-history rows in multi-row INSERTs.
pub async fn insert_history(conn: &mut Conn, rows: &[HistoryRow]) -> Result<()> {
    let backend = conn.backend();
    let t = now();
    if backend == Backend::Postgres {
        let cols = [
            ("project_id", "bigint"),
            ("stage", "text"),
            ("kind", "text"),
            ("effective_date", "text"),
            ("end_date", "text"),
            ("amount_yuan", "bigint"),
            ("investment_yuan", "bigint"),
            ("reason", "text"),
            ("park_id", "bigint"),
            ("reporting_unit_id", "bigint"),
            ("reported_by", "bigint"),
            ("recorded_by", "bigint"),
            ("credit_unit", "bigint"),
            ("credit_user", "bigint"),
            ("credit_tags", "text"),
            ("credit_division", "text"),
        ];
        let consts = [("recorded_at", t.into()), ("voided", 0i64.into())];
        return insert_json(conn, "stage_history", &cols, &consts, rows).await;
    }
    const COLS: &str = "project_id, stage, kind, effective_date, end_date, amount_yuan, \
         investment_yuan, reason, park_id, reporting_unit_id, reported_by, recorded_by, recorded_at, voided, \
         credit_unit, credit_user, credit_tags, credit_division";
    // 17 parameters a row: SQLite takes at most 32,766 in one statement
    let stage = Stage::open(conn, "stage_history", COLS, rows.len(), 1500).await?;
    for chunk in rows.chunks(1500) {
        let mut s = Sql::new(&stage.insert());
        for (n, r) in chunk.iter().enumerate() {
            s.push(if n == 0 { "(" } else { ", (" });
            s.bind(r.project_id)
                .push(", ")
                .bind(r.stage.clone())
                .push(", ")
                .bind(r.kind.clone());
            s.push(", ")
                .bind(r.effective_date.clone())
                .push(", ")
                .bind(r.end_date.clone())
                .push(", ");
            s.bind(r.amount_yuan)
                .push(", ")
                .bind(r.investment_yuan)
                .push(", ");
            s.bind(r.reason.clone())
                .push(", ")
                .bind(r.park_id)
                .push(", ");
            s.bind(r.reporting_unit_id)
                .push(", ")
                .bind(r.reported_by)
                .push(", ");
            s.bind(r.recorded_by)
                .push(", ")
                .bind(t.clone())
                .push(", 0, ");
            let c = r.credit.as_ref();
            s.bind(c.map(|c| c.unit))
                .push(", ")
                .bind(c.map(|c| c.user))
                .push(", ");
            s.bind(c.map(|c| c.tags.clone()))
                .push(", ")
                .bind(c.and_then(|c| c.division.clone()))
                .push(")");
        }
        s.positional(backend);
        s.execute_owned(conn).await?;
    }
    stage.close(conn).await
}

/// Leaves the monthly figures of the stage history of projects `first..=last` to
/// [`add_monthly`]: the insert trigger on `stage_history` skips them (migration 0016).
/// Only inside the import's transaction, which no other connection sees.
pub async fn defer_monthly(conn: &mut Conn, first: i64, last: i64) -> Result<()> {
    let mut s =
        Sql::new("INSERT INTO stage_monthly_deferred (first_project, last_project) VALUES (");
    s.bind(first).push(", ").bind(last).push(")");
    s.execute(conn).await.map(|_| ())
}

/// Adds the monthly figures of an import's stage history `rows` (all of projects
/// `first..=last`, live) — the sums the trigger would have added row by row: +1 and the
/// investment in the month a row took effect, −1 and minus it in the month it ended, by
/// (month, stage, park or 0, reporting unit) — summed in memory and upserted once per
/// key; then ends the deferral [`defer_monthly`] began.
pub async fn add_monthly(
    conn: &mut Conn,
    first: i64,
    last: i64,
    rows: &[HistoryRow],
) -> Result<()> {
    let backend = conn.backend();
    let mut sums: std::collections::BTreeMap<(&str, &str, i64, i64), (i64, i64)> =
        std::collections::BTreeMap::new();
    for r in rows {
        for (date, sign) in [
            (Some(r.effective_date.as_str()), 1),
            (r.end_date.as_deref(), -1),
        ] {
            let Some(date) = date else { continue };
            let month = date.get(..7).unwrap_or(date);
            let e = sums
                .entry((
                    month,
                    r.stage.as_str(),
                    r.park_id.unwrap_or(0),
                    r.reporting_unit_id,
                ))
                .or_default();
            e.0 += sign;
            e.1 += sign * r.investment_yuan;
        }
    }
    let sums: Vec<_> = sums.into_iter().collect();
    for chunk in sums.chunks(1000) {
        let mut s = Sql::new(
            "INSERT INTO stage_monthly AS m (month, stage, park_id, reporting_unit_id, d_count, d_investment) VALUES ",
        );
        for (n, ((month, stage, park, unit), (count, inv))) in chunk.iter().enumerate() {
            s.push(if n == 0 { "(" } else { ", (" });
            s.bind(*month).push(", ").bind(*stage).push(", ");
            s.bind(*park).push(", ").bind(*unit).push(", ");
            s.bind(*count).push(", ").bind(*inv).push(")");
        }
        s.push(
            " ON CONFLICT (month, stage, park_id, reporting_unit_id) \
             DO UPDATE SET d_count = m.d_count + excluded.d_count, d_investment = m.d_investment + excluded.d_investment",
        );
        s.positional(backend);
        s.execute_owned(conn).await?;
    }
    let mut d = Sql::new("DELETE FROM stage_monthly_deferred WHERE first_project = ");
    d.bind(first).push(" AND last_project = ").bind(last);
    d.execute(conn).await.map(|_| ())
}
