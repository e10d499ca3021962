//! (to be built) the demo township.

use crate::db::DbPool;

/// Seeds the demo township unless it exists; returns whether it seeded.
pub async fn seed(_pool: &DbPool, _weeks: u32, _progress: bool) -> anyhow::Result<bool> {
    Ok(false)
}

pub fn print_logins() {}
