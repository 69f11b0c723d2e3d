//! The append-only event chain. Each mutation's transaction first takes the chain
//! head (an UPDATE, so it holds the write lock on SQLite and the row lock on
//! PostgreSQL from its first statement), then writes its event.

use crate::decode;
use crate::sql::Sql;
use crate::{Conn, Result};
use fenglai_domain::Moment;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// An event of the chain. `at` is hashed in its stored form (`Moment`'s `Display`, the
/// form every event has been written in). Serialized as the rows of a bulk insert.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub seq: i64,
    pub at: Moment,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl<'r> FromRow<'r, AnyRow> for Event {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<Event> {
        Ok(Event {
            id: r.try_get("id")?,
            seq: r.try_get("seq")?,
            at: decode::moment(r, "at")?,
            actor_id: r.try_get("actor_id")?,
            actor: r.try_get("actor")?,
            entity: r.try_get("entity")?,
            entity_id: r.try_get("entity_id")?,
            action: r.try_get("action")?,
            before_json: r.try_get("before_json")?,
            after_json: r.try_get("after_json")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
        })
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Locks the chain head for this transaction and returns it.
/// One statement: the write takes SQLite's write lock or PostgreSQL's row lock at once.
pub async fn lock_head(conn: &mut Conn) -> Result<Head> {
    Sql::new("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
        .fetch_one(conn)
        .await
}

pub async fn append(conn: &mut Conn, e: &Event) -> Result<()> {
    let mut s = Sql::new(
        "INSERT INTO events (seq, at, actor_id, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash) VALUES (",
    );
    s.bind(e.seq)
        .push(", ")
        .bind(e.at)
        .push(", ")
        .bind(e.actor_id)
        .push(", ");
    s.bind(e.actor.clone())
        .push(", ")
        .bind(e.entity.clone())
        .push(", ")
        .bind(e.entity_id);
    s.push(", ")
        .bind(e.action.clone())
        .push(", ")
        .bind(e.before_json.clone())
        .push(", ");
    s.bind(e.after_json.clone())
        .push(", ")
        .bind(e.prev_hash.clone())
        .push(", ");
    s.bind(e.hash.clone()).push(")");
    s.execute(conn).await?;
    let mut h = Sql::new("UPDATE audit_head SET seq = ");
    h.bind(e.seq)
        .push(", hash = ")
        .bind(e.hash.clone())
        .push(" WHERE id = 1");
    h.execute(conn).await.map(|_| ())
}

const COLS: &str = "id, seq, at, actor_id, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash";

pub async fn for_entity(conn: &mut Conn, entity: &str, entity_id: i64) -> Result<Vec<Event>> {
    let mut s = Sql::new(&format!("SELECT {COLS} FROM events WHERE entity = "));
    s.bind(entity)
        .push(" AND entity_id = ")
        .bind(entity_id)
        .push(" ORDER BY seq");
    s.fetch_all(conn).await
}

/// One line of a record's history as people read it: who by display name.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub seq: i64,
    pub at: Moment,
    pub actor_name: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
}

impl<'r> FromRow<'r, AnyRow> for HistoryLine {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<HistoryLine> {
        Ok(HistoryLine {
            seq: r.try_get("seq")?,
            at: decode::moment(r, "at")?,
            actor_name: r.try_get("actor_name")?,
            entity: r.try_get("entity")?,
            entity_id: r.try_get("entity_id")?,
            action: r.try_get("action")?,
        })
    }
}

/// The events of several records (e.g. a lead with its reviews and routings), in order.
pub async fn history(conn: &mut Conn, records: &[(&str, i64)]) -> Result<Vec<HistoryLine>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = Sql::new(
        "SELECT e.seq, e.at, COALESCE(u.display_name, e.actor) AS actor_name, e.entity, \
         e.entity_id, e.action FROM events e LEFT JOIN users u ON u.id = e.actor_id WHERE ",
    );
    for (i, (entity, id)) in records.iter().enumerate() {
        if i > 0 {
            s.push(" OR ");
        }
        s.push("(e.entity = ")
            .bind(*entity)
            .push(" AND e.entity_id = ")
            .bind(*id)
            .push(")");
    }
    s.push(" ORDER BY e.seq");
    s.fetch_all(conn).await
}

/// Events with `seq > after`, in order, at most `limit`.
pub async fn page(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<Event>> {
    let mut s = Sql::new(&format!("SELECT {COLS} FROM events WHERE seq > "));
    s.bind(after).push(" ORDER BY seq LIMIT ").bind(limit);
    s.fetch_all(conn).await
}

pub async fn head(conn: &mut Conn) -> Result<Head> {
    Sql::new("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// Appends many events at once (a ledger import), in multi-row INSERTs. The events
/// must already be chained (seq, prev_hash and hash set) by the caller.
pub async fn append_many(conn: &mut Conn, events: &[Event]) -> Result<()> {
    let backend = conn.backend();
    if backend == crate::Backend::Postgres {
        let cols = [
            ("seq", "bigint"),
            ("at", "text"),
            ("actor_id", "bigint"),
            ("actor", "text"),
            ("entity", "text"),
            ("entity_id", "bigint"),
            ("action", "text"),
            ("before_json", "text"),
            ("after_json", "text"),
            ("prev_hash", "text"),
            ("hash", "text"),
        ];
        crate::sql::insert_json(conn, "events", &cols, &[], events).await?;
        return set_head(conn, events).await;
    }
    for chunk in events.chunks(1000) {
        let mut s = Sql::new(
            "INSERT INTO events (seq, at, actor_id, actor, entity, entity_id, action, before_json, after_json, prev_hash, hash) VALUES ",
        );
        for (n, e) in chunk.iter().enumerate() {
            s.push(if n == 0 { "(" } else { ", (" });
            s.bind(e.seq).push(", ").bind(e.at).push(", ");
            s.bind(e.actor_id)
                .push(", ")
                .bind(e.actor.clone())
                .push(", ");
            s.bind(e.entity.clone())
                .push(", ")
                .bind(e.entity_id)
                .push(", ");
            s.bind(e.action.clone())
                .push(", ")
                .bind(e.before_json.clone())
                .push(", ");
            s.bind(e.after_json.clone())
                .push(", ")
                .bind(e.prev_hash.clone())
                .push(", ");
            s.bind(e.hash.clone()).push(")");
        }
        s.positional(backend);
        s.execute_owned(conn).await?;
    }
    set_head(conn, events).await
}

/// Moves the chain head to the last of `events`.
async fn set_head(conn: &mut Conn, events: &[Event]) -> Result<()> {
    if let Some(last) = events.last() {
        let mut h = Sql::new("UPDATE audit_head SET seq = ");
        h.bind(last.seq)
            .push(", hash = ")
            .bind(last.hash.clone())
            .push(" WHERE id = 1");
        h.execute(conn).await?;
    }
    Ok(())
}
