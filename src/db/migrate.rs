//! Migrations, embedded in the binary and run at start-up and by `lianxin migrate`.
//!
//! diesel_migrations is synchronous; it runs on the blocking pool over the async connection
//! through `AsyncConnectionWrapper`, so no libpq is needed.

use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Applies every pending migration; returns how many ran.
pub async fn run(url: &str) -> anyhow::Result<usize> {
    use diesel::Connection;
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(applied.len())
    })
    .await?
}
