//! Writing and verifying the SHA-256 event chain.

use crate::{Actor, App, Result};
use fenglai_domain::Moment;
use fenglai_store::audit::{self, Event, Head};
use fenglai_store::Conn;
use sha2::{Digest, Sha256};

/// A transaction that holds the chain head: every mutation runs in one.
pub struct Tx {
    tx: fenglai_store::Tx,
    head: Head,
}

impl Tx {
    /// A writing transaction (see `Db::begin_write`) with the chain head locked.
    pub async fn begin(app: &App) -> Result<Tx> {
        let tx = app.db.begin_write().await?;
        Tx::holding(tx).await
    }

    /// A transaction begun by the holder of a group's turn to write (the group commit of
    /// new leads).
    pub(crate) async fn begin_in_turn(app: &App, turn: &fenglai_store::Turn) -> Result<Tx> {
        let tx = app.db.begin_write_in(turn).await?;
        Tx::holding(tx).await
    }

    async fn holding(mut tx: fenglai_store::Tx) -> Result<Tx> {
        let head = audit::lock_head(&mut tx).await?;
        Ok(Tx { tx, head })
    }

    pub fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Appends an event for a change to `entity` #`id`.
    pub async fn record<B: serde::Serialize, A: serde::Serialize>(
        &mut self,
        actor: Option<&Actor>,
        entity: &str,
        id: i64,
        action: &str,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        let mut e = Event {
            id: 0,
            seq: self.head.seq + 1,
            at: Moment::now(),
            actor_id: actor.map(|a| a.id()),
            actor: actor
                .map(|a| a.user.username.clone())
                .unwrap_or_else(|| "system".into()),
            entity: entity.into(),
            entity_id: id,
            action: action.into(),
            before_json: before.map(|b| serde_json::to_string(b).unwrap_or_default()),
            after_json: after.map(|a| serde_json::to_string(a).unwrap_or_default()),
            prev_hash: self.head.hash.clone(),
            hash: String::new(),
        };
        e.hash = hash(&e);
        audit::append(&mut self.tx, &e).await?;
        self.head = Head {
            seq: e.seq,
            hash: e.hash,
        };
        Ok(())
    }

    /// Appends one event per item (entity, id, action, the "after" JSON), chained in
    /// order and written in multi-row batches: what a ledger import of many rows records.
    pub async fn record_many(
        &mut self,
        actor: Option<&Actor>,
        items: impl IntoIterator<Item = (&'static str, i64, &'static str, String)>,
    ) -> Result<()> {
        let events = chain(&self.head, actor, items);
        self.append_chained(events).await
    }

    /// The chain's head as this transaction holds it: where [`chain`] starts events that
    /// are worked out beside the transaction's other writes.
    pub fn head(&self) -> Head {
        self.head.clone()
    }

    /// Appends events chained by [`chain`] from [`Tx::head`], in multi-row batches.
    pub async fn append_chained(&mut self, events: Vec<Event>) -> Result<()> {
        let Some(last) = events.last() else {
            return Ok(());
        };
        if events[0].seq != self.head.seq + 1 || events[0].prev_hash != self.head.hash {
            return Err(crate::Error::Internal(
                "events chained from another head".into(),
            ));
        }
        let head = Head {
            seq: last.seq,
            hash: last.hash.clone(),
        };
        audit::append_many(&mut self.tx, &events).await?;
        self.head = head;
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        Ok(self.tx.commit().await?)
    }
}

/// One event per item (entity, id, action, the "after" JSON) by `actor`, chained in order
/// from `head`: pure, so that a ledger import works its events out beside its inserts.
pub fn chain(
    head: &Head,
    actor: Option<&Actor>,
    items: impl IntoIterator<Item = (&'static str, i64, &'static str, String)>,
) -> Vec<Event> {
    let at = Moment::now();
    let (actor_id, name) = (
        actor.map(|a| a.id()),
        actor
            .map(|a| a.user.username.clone())
            .unwrap_or_else(|| "system".into()),
    );
    let mut head = head.clone();
    let mut events = Vec::new();
    for (entity, id, action, after) in items {
        let mut e = Event {
            id: 0,
            seq: head.seq + 1,
            at,
            actor_id,
            actor: name.clone(),
            entity: entity.into(),
            entity_id: id,
            action: action.into(),
            before_json: None,
            after_json: Some(after),
            prev_hash: head.hash.clone(),
            hash: String::new(),
        };
        e.hash = hash(&e);
        head = Head {
            seq: e.seq,
            hash: e.hash.clone(),
        };
        events.push(e);
    }
    events
}

/// The chain's head after `events` (chained by [`chain`]), if there are any.
pub fn head_after(events: &[Event]) -> Option<Head> {
    events.last().map(|e| Head {
        seq: e.seq,
        hash: e.hash.clone(),
    })
}

/// The hash of an event: SHA-256 over its fields and the previous hash; `at` in its stored
/// form (`Moment`'s `Display`, the text every event has been written with).
pub fn hash(e: &Event) -> String {
    let mut h = Sha256::new();
    for part in [
        e.seq.to_string().as_str(),
        &e.at.to_string(),
        &e.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        &e.actor,
        &e.entity,
        &e.entity_id.to_string(),
        &e.action,
        e.before_json.as_deref().unwrap_or("\u{0}"),
        e.after_json.as_deref().unwrap_or("\u{0}"),
        &e.prev_hash,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact { events: i64 },
    Broken { seq: i64, id: i64, reason: String },
}

/// Walks the whole chain in order and reports the first broken link.
pub async fn verify(app: &App) -> Result<Verdict> {
    let mut conn = app.db.acquire().await?;
    let mut prev = "0".repeat(64);
    let mut expected_seq = 1;
    loop {
        let page = audit::page(&mut conn, expected_seq - 1, 5000).await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            let broken = |reason: String| Verdict::Broken {
                seq: e.seq,
                id: e.id,
                reason,
            };
            if e.seq != expected_seq {
                return Ok(broken(format!("序号不连续：应为 {expected_seq}")));
            }
            if e.prev_hash != prev {
                return Ok(broken("前一哈希与上一事件不符".into()));
            }
            let h = hash(&e);
            if h != e.hash {
                return Ok(broken(format!(
                    "内容与哈希不符（事件被改动）：存储 {}…，重算 {}…",
                    &e.hash.get(..12).unwrap_or(""),
                    &h[..12]
                )));
            }
            prev = e.hash;
            expected_seq += 1;
        }
    }
    let head = audit::head(&mut conn).await?;
    if head.seq != expected_seq - 1 || head.hash != prev {
        return Ok(Verdict::Broken {
            seq: head.seq,
            id: 0,
            reason: format!(
                "链头记录为第 {} 个事件，实际链长 {}（事件被删除或链头被改动）",
                head.seq,
                expected_seq - 1
            ),
        });
    }
    Ok(Verdict::Intact {
        events: expected_seq - 1,
    })
}

pub async fn for_entity(app: &App, entity: &str, id: i64) -> Result<Vec<Event>> {
    let mut conn = app.db.acquire().await?;
    Ok(audit::for_entity(&mut conn, entity, id).await?)
}

/// The history of several records together (a lead, its reviews and its routings), with
/// display names. The caller has already checked that the actor may read the records.
pub async fn history(app: &App, records: &[(&str, i64)]) -> Result<Vec<audit::HistoryLine>> {
    let mut conn = app.db.acquire().await?;
    Ok(audit::history(&mut conn, records).await?)
}
