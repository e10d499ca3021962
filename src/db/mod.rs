//! The database: the connection pool, the embedded cluster, migrations, the schema.

pub mod cluster;
pub mod migrate;
pub mod schema;

use std::time::Duration;

use deadpool::Runtime;
use diesel::ConnectionError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// Builds the pool. Connections are opened lazily; a request that cannot get one within
/// `timeout` fails with 503 instead of hanging, and each statement is cut off after
/// `timeout` too (a stuck query must not pin a connection).
pub fn pool(url: &str, size: usize, timeout: Duration) -> anyhow::Result<DbPool> {
    let statement_timeout = timeout.as_millis().max(1000) * 5;
    let mut config = ManagerConfig::default();
    // Checking a connection on every checkout costs a round trip per request; a dead
    // connection shows itself on first use instead, is answered with 503 and dropped.
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout}; SET idle_in_transaction_session_timeout = 60000"
            ))
            .await
            .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Ok(Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .build()?)
}
