//! The store's own connection and transaction handles: what the layers above hold
//! instead of sqlx's types, so that no SQL, no driver and no backend leaks out of
//! this crate.

use crate::{Backend, Result};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Transaction};
use std::ops::{Deref, DerefMut};

/// A connection to read (and, inside a [`Tx`], write) through: one taken from the pool
/// ([`crate::Db::acquire`]) or a transaction's.
pub struct Conn {
    inner: Inner,
    backend: Backend,
}

enum Inner {
    Pooled(PoolConnection<Any>),
    Tx(Transaction<'static, Any>),
    /// only while a [`Tx`] is being committed or rolled back
    Done,
}

impl Conn {
    pub(crate) fn pooled(c: PoolConnection<Any>, backend: Backend) -> Conn {
        Conn {
            inner: Inner::Pooled(c),
            backend,
        }
    }

    /// The driver's connection, for the statements of this crate.
    pub(crate) fn raw(&mut self) -> &mut AnyConnection {
        match &mut self.inner {
            Inner::Pooled(c) => c,
            Inner::Tx(t) => t,
            Inner::Done => unreachable!("a finished transaction is not used"),
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }
}

/// A transaction: begun by [`crate::Db`], committed by whoever began it; dropped
/// uncommitted, it rolls back. On SQLite a writing transaction also holds this
/// process's turn to write ([`crate::Db::begin_write`]) until it ends.
pub struct Tx {
    conn: Conn,
    /// released after the transaction ends (fields drop in order)
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub(crate) fn new(
        t: Transaction<'static, Any>,
        backend: Backend,
        turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    ) -> Tx {
        Tx {
            conn: Conn {
                inner: Inner::Tx(t),
                backend,
            },
            _turn: turn,
        }
    }

    fn take(&mut self) -> Transaction<'static, Any> {
        match std::mem::replace(&mut self.conn.inner, Inner::Done) {
            Inner::Tx(t) => t,
            _ => unreachable!("a Tx holds a transaction"),
        }
    }

    pub async fn commit(mut self) -> Result<()> {
        Ok(self.take().commit().await?)
    }

    pub async fn rollback(mut self) -> Result<()> {
        Ok(self.take().rollback().await?)
    }
}

impl Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}
