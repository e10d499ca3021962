//! The zone a township's days are counted in, as lists, the audit log and statistics read
//! it. Here, below the features, because each of them reads it.

use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::tenants;
use crate::domain::stored_zone;
use crate::error::{AppError, AppResult};

/// The township's zone. Zones are checked when a township is created, so an unknown one is
/// a fault in the data: a 500 whose cause is logged (once, with the request), never another
/// zone in its place.
pub async fn zone_of(conn: &mut AsyncPgConnection, tenant: Uuid) -> AppResult<Tz> {
    let stored: String = tenants::table
        .find(tenant)
        .select(tenants::timezone)
        .first(conn)
        .await?;
    stored_zone(&stored).map_err(AppError::internal)
}
