//! Evidence files: contents stored once by SHA-256 in `blobs`, attachments pointing at
//! them; and the monthly realised figures of projects.

use crate::sql::{now, Sql};
use crate::{Conn, Result};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub project_id: i64,
    pub request_id: Option<i64>,
    /// contract, land_certificate, permit, photo, other
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: i64,
    pub uploaded_by_name: String,
    pub uploaded_at: String,
}

const SELECT: &str =
    "SELECT a.id, a.project_id, a.request_id, a.kind, a.filename, a.content_type, \
    a.size, a.sha256, a.uploaded_by, u.display_name AS uploaded_by_name, a.uploaded_at \
    FROM attachments a JOIN users u ON u.id = a.uploaded_by";

/// Stores the content under its hash unless it is there already.
pub async fn put_blob(conn: &mut Conn, sha256: &str, content: &[u8]) -> Result<()> {
    let mut s = Sql::new("INSERT INTO blobs (sha256, size, content, created_at) VALUES (");
    s.bind(sha256)
        .push(", ")
        .bind(content.len() as i64)
        .push(", ")
        .bind(content.to_vec())
        .push(", ")
        .bind(now())
        .push(") ON CONFLICT (sha256) DO NOTHING");
    s.execute(conn).await?;
    Ok(())
}

pub async fn blob(conn: &mut Conn, sha256: &str) -> Result<Option<Vec<u8>>> {
    let mut s = Sql::new("SELECT content FROM blobs WHERE sha256 = ");
    s.bind(sha256);
    let row: Option<(Vec<u8>,)> = s.fetch_optional(conn).await?;
    Ok(row.map(|r| r.0))
}

pub struct NewAttachment<'a> {
    pub project_id: i64,
    pub request_id: Option<i64>,
    pub kind: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub uploaded_by: i64,
}

pub async fn insert(conn: &mut Conn, a: &NewAttachment<'_>) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO attachments (project_id, request_id, kind, filename, content_type, size, sha256, \
         uploaded_by, uploaded_at) VALUES (",
    );
    s.bind(a.project_id)
        .push(", ")
        .bind(a.request_id)
        .push(", ")
        .bind(a.kind)
        .push(", ")
        .bind(a.filename)
        .push(", ")
        .bind(a.content_type)
        .push(", ")
        .bind(a.size)
        .push(", ")
        .bind(a.sha256)
        .push(", ")
        .bind(a.uploaded_by)
        .push(", ")
        .bind(now())
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}

/// A project's attachments that are not voided.
pub async fn list(conn: &mut Conn, project_id: i64) -> Result<Vec<Attachment>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE a.project_id = ")
        .bind(project_id)
        .push(" AND a.voided_at IS NULL ORDER BY a.id");
    s.fetch_all(conn).await
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Attachment>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE a.id = ")
        .bind(id)
        .push(" AND a.voided_at IS NULL");
    s.fetch_optional(conn).await
}

pub async fn void(conn: &mut Conn, id: i64, by: i64) -> Result<()> {
    let mut s = Sql::new("UPDATE attachments SET voided_at = ");
    s.bind(now())
        .push(", voided_by = ")
        .bind(by)
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await?;
    Ok(())
}

/// The kinds of evidence a project has.
pub async fn kinds(conn: &mut Conn, project_id: i64) -> Result<Vec<String>> {
    let mut s = Sql::new("SELECT DISTINCT kind FROM attachments WHERE project_id = ");
    s.bind(project_id).push(" AND voided_at IS NULL");
    let rows: Vec<(String,)> = s.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// One month of a project's realised figures.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Monthly {
    pub project_id: i64,
    /// YYYY-MM
    pub month: String,
    pub capital_arrived_yuan: Option<i64>,
    pub fixed_asset_yuan: Option<i64>,
    pub output_yuan: Option<i64>,
    pub tax_yuan: Option<i64>,
    pub employment: Option<i64>,
    /// 实际使用外资 in the month, US dollars
    #[serde(default)]
    pub foreign_capital_usd: Option<i64>,
}

pub async fn monthly(conn: &mut Conn, project_id: i64) -> Result<Vec<Monthly>> {
    let mut s = Sql::new(
        "SELECT project_id, month, capital_arrived_yuan, fixed_asset_yuan, output_yuan, tax_yuan, employment, \
         foreign_capital_usd FROM project_monthly WHERE project_id = ",
    );
    s.bind(project_id).push(" ORDER BY month");
    s.fetch_all(conn).await
}

pub async fn put_monthly(conn: &mut Conn, m: &Monthly, by: i64) -> Result<()> {
    let mut s = Sql::new(
        "INSERT INTO project_monthly (project_id, month, capital_arrived_yuan, fixed_asset_yuan, output_yuan, \
         tax_yuan, employment, foreign_capital_usd, recorded_by, recorded_at) VALUES (",
    );
    s.bind(m.project_id)
        .push(", ")
        .bind(m.month.as_str())
        .push(", ")
        .bind(m.capital_arrived_yuan)
        .push(", ")
        .bind(m.fixed_asset_yuan)
        .push(", ")
        .bind(m.output_yuan)
        .push(", ")
        .bind(m.tax_yuan)
        .push(", ")
        .bind(m.employment)
        .push(", ")
        .bind(m.foreign_capital_usd)
        .push(", ")
        .bind(by)
        .push(", ")
        .bind(now())
        .push(
            ") ON CONFLICT (project_id, month) DO UPDATE SET capital_arrived_yuan = excluded.capital_arrived_yuan, \
             fixed_asset_yuan = excluded.fixed_asset_yuan, output_yuan = excluded.output_yuan, \
             tax_yuan = excluded.tax_yuan, employment = excluded.employment, \
             foreign_capital_usd = excluded.foreign_capital_usd, \
             recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        );
    s.execute(conn).await?;
    Ok(())
}

pub async fn set_above_scale(conn: &mut Conn, project_id: i64, date: Option<&str>) -> Result<()> {
    let mut s = Sql::new("UPDATE projects SET above_scale_date = ");
    s.bind(date).push(" WHERE id = ").bind(project_id);
    s.execute(conn).await?;
    Ok(())
}
