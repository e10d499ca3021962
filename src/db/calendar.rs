//! A township's working-day calendar as stored (its exceptions), read by the calendar's own
//! endpoints and by the issues whose time limits it counts. Here, below both features.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::calendar_days;
use crate::domain::WorkingDays;
use crate::error::AppResult;

/// The township's calendar from `from` on (earlier exceptions cannot move a later day).
pub async fn working_days(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    from: NaiveDate,
) -> AppResult<WorkingDays> {
    let exceptions: Vec<(NaiveDate, bool)> = calendar_days::table
        .filter(calendar_days::tenant_id.eq(tenant))
        .filter(calendar_days::day.gt(from))
        .select((calendar_days::day, calendar_days::workday))
        .load(conn)
        .await?;
    Ok(WorkingDays::new(exceptions))
}

/// The township's today, in its zone: the day time limits start from and are compared with.
pub async fn today(conn: &mut AsyncPgConnection, tenant: Uuid) -> AppResult<NaiveDate> {
    let zone = crate::db::zone_of(conn, tenant).await?;
    Ok(chrono::Utc::now().with_timezone(&zone).date_naive())
}
