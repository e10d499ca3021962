//! A connection inside a transaction scoped to one township (the row-level-security key).
//!
//! The township is set with `SET LOCAL app.tenant_id` inside the transaction, never for the
//! session: a pooled connection then carries nothing from one request to the next, and on
//! Citus (with `citus.propagate_set_commands = 'local'`, set on every pooled connection) the
//! same `SET LOCAL` is forwarded to every worker the transaction reaches, so the policies hold
//! on the shards too. Citus forwards the `SET` command only, not `set_config()`.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use diesel::QueryResult;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};
use uuid::Uuid;

use super::DbConn;

/// The statement that scopes the current transaction to `tenant` (none: no township, so every
/// policy matches no row). A UUID's text cannot break out of the quotes.
pub fn scope_sql(tenant: Option<Uuid>) -> String {
    let tenant = tenant.map(|t| t.to_string()).unwrap_or_default();
    format!("SET LOCAL app.tenant_id = '{tenant}'")
}

/// A pooled connection in an open transaction scoped to one township. `commit` ends it; a
/// `TenantConn` dropped without one is rolled back (on a task of its own, bounded in time)
/// before the connection goes back to the pool, so a request that writes must commit.
pub struct TenantConn {
    conn: Option<DbConn>,
}

impl TenantConn {
    /// Opens the transaction and sets the township in one round trip (a simple-query batch).
    /// Nested `conn.transaction(…)` calls become savepoints inside it.
    pub async fn begin(mut conn: DbConn, tenant: Option<Uuid>) -> QueryResult<TenantConn> {
        let sql = format!("BEGIN; {}", scope_sql(tenant));
        AnsiTransactionManager::begin_transaction_sql(&mut *conn, &sql).await?;
        Ok(TenantConn { conn: Some(conn) })
    }

    /// Commits the request's work.
    pub async fn commit(mut self) -> QueryResult<()> {
        let mut conn = self
            .conn
            .take()
            .expect("a TenantConn holds its connection until done");
        AnsiTransactionManager::commit_transaction(&mut *conn).await
    }

    /// Keeps a connection whose state is unknown (a timed-out round trip) out of the pool.
    pub fn discard(mut self) {
        if let Some(conn) = self.conn.take() {
            drop(deadpool::managed::Object::take(conn));
        }
    }
}

impl Deref for TenantConn {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        self.conn
            .as_ref()
            .expect("a TenantConn holds its connection until done")
    }
}

impl DerefMut for TenantConn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        self.conn
            .as_mut()
            .expect("a TenantConn holds its connection until done")
    }
}

impl Drop for TenantConn {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            drop(deadpool::managed::Object::take(conn));
            return;
        };
        runtime.spawn(async move {
            let rollback = AnsiTransactionManager::rollback_transaction(&mut *conn);
            if !matches!(
                tokio::time::timeout(ROLLBACK_LIMIT, rollback).await,
                Ok(Ok(()))
            ) {
                drop(deadpool::managed::Object::take(conn));
            }
        });
    }
}

/// A rollback that takes longer means the database is unwell: the connection is dropped.
const ROLLBACK_LIMIT: Duration = Duration::from_secs(5);
