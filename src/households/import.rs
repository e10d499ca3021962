//! (to be built) roster import.

use std::path::Path;

use crate::db::DbPool;

pub async fn run_cli(_pool: &DbPool, _tenant: &str, _file: &Path) -> anyhow::Result<()> {
    anyhow::bail!("not built yet")
}
