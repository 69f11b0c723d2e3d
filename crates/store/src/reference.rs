//! GB/T 4754-2017 industries and GB/T 2260 regions.

use crate::sql::Sql;
use crate::{Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeName {
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent_code: Option<String>,
}

pub struct NewIndustry<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub level: i64,
    pub parent_code: Option<&'a str>,
    pub section: &'a str,
}

pub struct NewRegion<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub level: i64,
    pub parent_code: Option<&'a str>,
    pub full_name: &'a str,
}

pub async fn count_industries(conn: &mut Conn) -> Result<i64> {
    Sql::new("SELECT COUNT(*) FROM industries")
        .fetch_i64(conn)
        .await
}

/// Inserts industries in multi-row batches.
pub async fn insert_industries(conn: &mut Conn, rows: &[NewIndustry<'_>]) -> Result<()> {
    for chunk in rows.chunks(400) {
        let mut s =
            Sql::new("INSERT INTO industries (code, name, level, parent_code, section) VALUES ");
        for (n, i) in chunk.iter().enumerate() {
            s.push(if n == 0 { "(" } else { ", (" });
            s.bind(i.code)
                .push(", ")
                .bind(i.name)
                .push(", ")
                .bind(i.level)
                .push(", ");
            s.bind(i.parent_code).push(", ").bind(i.section).push(")");
        }
        s.execute(conn).await?;
    }
    Ok(())
}

/// Inserts regions in multi-row batches.
pub async fn insert_regions(conn: &mut Conn, rows: &[NewRegion<'_>]) -> Result<()> {
    for chunk in rows.chunks(400) {
        let mut s =
            Sql::new("INSERT INTO regions (code, name, level, parent_code, full_name) VALUES ");
        for (n, r) in chunk.iter().enumerate() {
            s.push(if n == 0 { "(" } else { ", (" });
            s.bind(r.code)
                .push(", ")
                .bind(r.name)
                .push(", ")
                .bind(r.level)
                .push(", ");
            s.bind(r.parent_code).push(", ").bind(r.full_name).push(")");
        }
        s.execute(conn).await?;
    }
    Ok(())
}

/// Searches by code prefix or name fragment; codes first, shorter codes first.
pub async fn search(conn: &mut Conn, table: Table, q: &str, limit: i64) -> Result<Vec<CodeName>> {
    let backend = conn.backend();
    let (t, name_col) = match table {
        Table::Industries => ("industries", "name"),
        Table::Regions => ("regions", "full_name"),
    };
    let _ = backend;
    let q = q.trim();
    let mut s = Sql::new(&format!(
        "SELECT code, {name_col} AS name, level, parent_code FROM {t} WHERE code LIKE "
    ));
    s.bind(format!("{}%", crate::sql::like_escape(q)));
    s.push(" ESCAPE '\\' OR name LIKE ");
    s.bind(format!("%{}%", crate::sql::like_escape(q)));
    s.push(" ESCAPE '\\' ORDER BY level, code LIMIT ")
        .bind(limit);
    s.fetch_all(conn).await
}

#[derive(Debug, Clone, Copy)]
pub enum Table {
    Industries,
    Regions,
}

pub async fn get(conn: &mut Conn, table: Table, code: &str) -> Result<Option<CodeName>> {
    let (t, name_col) = match table {
        Table::Industries => ("industries", "name"),
        Table::Regions => ("regions", "full_name"),
    };
    let mut s = Sql::new(&format!(
        "SELECT code, {name_col} AS name, level, parent_code FROM {t} WHERE code = "
    ));
    s.bind(code);
    s.fetch_optional(conn).await
}

/// The section letter (门类) of an industry code.
pub async fn industry_section(conn: &mut Conn, code: &str) -> Result<Option<String>> {
    let mut s =
        Sql::new("SELECT section AS code, name, level, parent_code FROM industries WHERE code = ");
    s.bind(code);
    Ok(s.fetch_optional::<CodeName>(conn).await?.map(|c| c.code))
}

/// The first and last division (two-digit) codes of a section, e.g. C → ("13", "43").
pub async fn section_divisions(conn: &mut Conn, section: &str) -> Result<Option<(String, String)>> {
    let mut s = Sql::new(
        "SELECT MIN(code) AS code, MAX(code) AS name, 2 AS level, NULL AS parent_code FROM industries \
         WHERE level = 2 AND section = ",
    );
    s.bind(section);
    let row: Option<CodeName> = s.fetch_optional(conn).await.ok().flatten();
    Ok(row.filter(|r| !r.code.is_empty()).map(|r| (r.code, r.name)))
}
