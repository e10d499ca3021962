//! The database: the connection pool, the embedded cluster, migrations, the schema.
//!
//! **Pipelined statements are awaited with `join!`, never `try_join!`.** Several statements
//! sent on one connection at once share a round trip; `try_join!` would return at the first
//! error and drop the others, and a dropped future stops where it is: what it had not sent
//! yet (a statement waiting for its preparation, the next statement of a sequence) is never
//! sent. Where the code itself brackets the statements (the visit writer's `BEGIN` …
//! `COMMIT`, the Citus path's several statements before its `COMMIT`), the `COMMIT` would be
//! missing and the connection would go back to the pool inside an open transaction. Reads in
//! a `TenantConn` would survive it (the transaction is rolled back when it is dropped), but one
//! rule everywhere is simpler to keep than a rule with exceptions to reason about.

pub mod calendar;
pub mod cluster;
pub mod migrate;
pub mod prepared;
pub mod schema;
pub mod scoped;
pub mod zone;

pub use scoped::TenantConn;
pub use zone::zone_of;

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

/// The writing transaction's id, for the `changed_xid` columns: every write that changes what
/// a phone keeps of a household stamps the household, its issue or its micro-grid with it
/// (see `households::sync` for how phones read them).
pub fn this_transaction() -> diesel::expression::SqlLiteral<schema::sql_types::Xid8> {
    diesel::dsl::sql("pg_current_xact_id()")
}

/// The role the service's queries run as: no superuser, no BYPASSRLS, so the row-level
/// security policies hold whatever URL the service was given (see the RLS migration).
pub const SERVICE_ROLE: &str = "lianxin_app";

/// Switches the session to `SERVICE_ROLE`. If that is impossible, the connection is refused
/// when its own user would bypass row-level security (a superuser or BYPASSRLS role), and
/// kept otherwise (FORCE ROW LEVEL SECURITY holds even the tables' owner).
async fn use_service_role(conn: &mut AsyncPgConnection) -> Result<(), ConnectionError> {
    use diesel_async::RunQueryDsl;
    if conn
        .batch_execute(&format!("SET ROLE {SERVICE_ROLE}"))
        .await
        .is_ok()
    {
        return Ok(());
    }
    #[derive(diesel::QueryableByName)]
    struct Bypass {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        bypass: bool,
    }
    let row: Bypass = diesel::sql_query(
        "SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(conn)
    .await
    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
    if row.bypass {
        return Err(ConnectionError::BadConnection(format!(
            "cannot switch to role {SERVICE_ROLE}; refusing to serve as a role that bypasses row-level security"
        )));
    }
    Ok(())
}

/// Asks PostgreSQL for its messages in English on this session, whatever the server's
/// `lc_messages`. A few errors that diesel does not classify (a deadlock, a shutdown, a
/// statement timeout) are known by their message (`error::DbFailure`); in Chinese they would
/// be 500s. Only a superuser, or a role granted `SET` on the parameter, may change it: the
/// service's own cluster and the tests connect as one; elsewhere the setting is the
/// operator's (docs/operations.md), and the service says so once in its log.
async fn speak_english(conn: &mut AsyncPgConnection) {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Language {
        #[diesel(sql_type = diesel::sql_types::Text)]
        lc_messages: String,
    }
    let _ = conn.batch_execute("SET lc_messages = 'C'").await;
    let language = diesel::sql_query("SELECT current_setting('lc_messages') AS lc_messages")
        .get_result::<Language>(conn)
        .await;
    let english = language.as_ref().is_ok_and(|l| {
        let value = l.lc_messages.to_ascii_lowercase();
        value == "c" || value == "posix" || value.starts_with("c.") || value.starts_with("en")
    });
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !english && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            lc_messages = language
                .as_ref()
                .map(|l| l.lc_messages.as_str())
                .unwrap_or("?"),
            "PostgreSQL answers this service in another language than English and it may not \
             change that; deadlocks, shutdowns and timeouts will be answered 500 instead of \
             being retried or 503. Run ALTER ROLE <the service's user> SET lc_messages = 'C'"
        );
    }
}

/// Whether the database is a Citus coordinator (the `citus` extension is installed), as the
/// last connection opened found it. A few statements take another form there
/// (`visits::routed`).
pub fn on_citus() -> bool {
    ON_CITUS.load(std::sync::atomic::Ordering::Relaxed)
}

static ON_CITUS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

async fn detect_citus(conn: &mut AsyncPgConnection) -> Result<(), ConnectionError> {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        citus: bool,
    }
    let found: Found = diesel::sql_query(
        "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') AS citus",
    )
    .get_result(conn)
    .await
    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
    ON_CITUS.store(found.citus, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

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
            // `citus.propagate_set_commands`: on Citus, the township's `SET LOCAL` reaches
            // the workers (db::scoped); on plain PostgreSQL it is an unused placeholder.
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout}; SET idle_in_transaction_session_timeout = 60000; \
                 SET citus.propagate_set_commands = 'local'"
            ))
            .await
            .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
            speak_english(&mut conn).await;
            use_service_role(&mut conn).await?;
            detect_citus(&mut conn).await?;
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
