//! Reads the visit rollup (`visit_days`, migration `2026-11-30-000200_visit_days`) for a
//! range and scope; `tally` counts the figures from it. The rollup is kept by every visit
//! write in the same statement (src/visits/queries.rs), so it always equals the visits.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::{Array, Nullable, SmallInt, SqlType, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::queries::Params;
use super::tally::{Calendar, DayBits, DayRow};
use super::types::By;
use crate::error::AppResult;

/// PostgreSQL's `bit(n)`, read in its binary form.
#[derive(SqlType)]
#[diesel(postgres_type(oid = 1560, array_oid = 1561))]
pub struct Bit;

/// `DayBits` as the column arrives.
#[derive(FromSqlRow)]
pub struct Days(DayBits);

impl FromSql<Bit, Pg> for Days {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        // The length in bits (4 bytes), then the bits, the first in the high bit.
        let bits = value
            .as_bytes()
            .get(4..)
            .ok_or("a bit string without its length")?;
        Ok(Days(DayBits::from_bytes(bits)))
    }
}

#[derive(QueryableByName)]
struct Read {
    #[diesel(sql_type = SqlUuid)]
    household_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    key: Option<Uuid>,
    #[diesel(sql_type = SmallInt)]
    year: i16,
    #[diesel(sql_type = Bit)]
    days: Days,
    #[diesel(sql_type = Nullable<Array<SmallInt>>)]
    repeats: Option<Vec<i16>>,
}

/// The rollup rows of the range's ISO years in scope, keyed as `by` asks (`None`: the
/// summary's, no key). Rows of a year are read whole; `tally` keeps the range's days.
pub async fn rows(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    by: Option<By>,
    calendar: &Calendar,
) -> AppResult<Vec<DayRow>> {
    let (key, join) = match by {
        Some(By::Grid) => (
            "m.grid_id",
            "JOIN micro_grids m ON m.tenant_id = d.tenant_id AND m.id = d.micro_grid_id",
        ),
        Some(By::MicroGrid) => ("d.micro_grid_id", ""),
        Some(By::Leader) => ("d.leader_id", ""),
        Some(By::Week) | None => ("NULL::uuid", ""),
    };
    let sql = format!(
        "SELECT d.household_id, {key} AS key, d.year, d.days, d.repeats \
         FROM visit_days d {join} \
         WHERE d.tenant_id = $1 AND d.year >= $5 AND d.year <= $6 AND {}",
        p.by_micro_grid("d")
    );
    let (first, last) = calendar.years();
    let read: Vec<Read> = p
        .query(sql)
        .bind::<SmallInt, _>(first)
        .bind::<SmallInt, _>(last)
        .load(&mut &*conn)
        .await?;
    Ok(read
        .into_iter()
        .map(|r| DayRow {
            household_id: r.household_id,
            key: r.key,
            year: r.year,
            days: r.days.0,
            repeats: r.repeats.unwrap_or_default(),
        })
        .collect())
}
