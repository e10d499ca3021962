//! Reads the visit rollup (`visit_days`, migration `2026-11-30-000200_visit_days`) for a
//! range and scope: totals and per-key figures counted in the database, weekly figures
//! counted from the rows by `tally`. The rollup is kept by every visit
//! write in the same statement (src/visits/queries.rs), so it always equals the visits.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::{Array, BigInt, Integer, Nullable, SmallInt, SqlType, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::queries::{Keyed, Params};
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
    #[diesel(sql_type = SmallInt)]
    year: i16,
    #[diesel(sql_type = Bit)]
    days: Days,
    #[diesel(sql_type = Nullable<Array<SmallInt>>)]
    repeats: Option<Vec<i16>>,
}

/// The range's days in each ISO year it touches, as a table `r (year, lo, hi, mask)` to join
/// rollup rows `d` on their year (the years bound as `$5`-`$7`). `OFFSET 0` keeps the planner
/// from pulling the subquery up into the join: pulled up, the mask (a string built and cast to
/// bits) was made again for every rollup row, 5x the cost of the whole count.
const IN_RANGE: &str = "JOIN (SELECT y.year, y.lo, y.hi, \
        (repeat('0', y.lo) || repeat('1', y.hi - y.lo + 1) || repeat('0', 370 - y.hi))::bit(371) \
          AS mask \
      FROM unnest($5::int2[], $6::int4[], $7::int4[]) AS y (year, lo, hi) OFFSET 0) r \
      ON r.year = d.year";

/// A row's visits inside the range: its days there, and its repeats of those days; an `int`
/// so that the sums over it are `bigint` sums, not `numeric` ones.
const VISITS: &str = "(bit_count(d.days & r.mask) + CASE WHEN d.repeats IS NULL THEN 0 \
      ELSE (SELECT count(*) FROM unnest(d.repeats) x WHERE x BETWEEN r.lo AND r.hi) END)::int";

fn with_years(
    p: Params<'_>,
    sql: String,
    calendar: &Calendar,
) -> diesel::query_builder::BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
    let spans = calendar.spans();
    p.query(sql)
        .bind::<Array<SmallInt>, _>(spans.iter().map(|s| s.0).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(spans.iter().map(|s| s.1).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(spans.iter().map(|s| s.2).collect::<Vec<_>>())
}

/// Visits and distinct households of the range in scope, counted in the database (a few
/// operations per rollup row; one row comes back). Each row's count is made first (`OFFSET 0`):
/// the grouping then sorts or hashes narrow rows instead of carrying every row's bit strings,
/// which spilled a year's sort to disk and tripled the time by grid.
pub async fn total(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    calendar: &Calendar,
) -> AppResult<(i64, i64)> {
    let sql = format!(
        "SELECT coalesce(sum(x.n), 0)::bigint AS n, count(*) AS distinct_n \
         FROM (SELECT v.household_id, sum(v.n) AS n \
               FROM (SELECT d.household_id, {VISITS} AS n FROM visit_days d {IN_RANGE} \
                     WHERE d.tenant_id = $1 AND {} OFFSET 0) v \
               GROUP BY 1) x \
         WHERE x.n > 0",
        p.by_micro_grid("d")
    );
    let counts: Counts = with_years(p, sql, calendar).get_result(&mut &*conn).await?;
    Ok((counts.n, counts.distinct_n))
}

/// Visits and distinct households per micro-grid, grid or recorder, counted in the database
/// (households per key, then keys).
pub async fn per_key(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    by: By,
    calendar: &Calendar,
) -> AppResult<Vec<Keyed>> {
    let (key, join) = key_of(by);
    let sql = format!(
        "SELECT x.key::text AS key, sum(x.n)::bigint AS n, count(*) AS distinct_n \
         FROM (SELECT v.key, v.household_id, sum(v.n) AS n \
               FROM (SELECT {key} AS key, d.household_id, {VISITS} AS n \
                     FROM visit_days d {IN_RANGE} {join} \
                     WHERE d.tenant_id = $1 AND {} OFFSET 0) v \
               GROUP BY 1, 2) x \
         WHERE x.n > 0 GROUP BY x.key",
        p.by_micro_grid("d")
    );
    Ok(with_years(p, sql, calendar).load(&mut &*conn).await?)
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    distinct_n: i64,
}

fn key_of(by: By) -> (&'static str, &'static str) {
    match by {
        By::Grid => (
            "m.grid_id",
            "JOIN micro_grids m ON m.tenant_id = d.tenant_id AND m.id = d.micro_grid_id",
        ),
        By::MicroGrid => ("d.micro_grid_id", ""),
        By::Leader => ("d.leader_id", ""),
        // The household's tags as of now.
        By::Tag => (
            "t.tag",
            "JOIN households h ON h.tenant_id = d.tenant_id AND h.id = d.household_id \
             CROSS JOIN LATERAL unnest(h.tags) AS t (tag)",
        ),
        // Weeks are counted from the rows (`rows`).
        By::Week => ("NULL::uuid", ""),
    }
}

/// The rollup rows with visits in the range in scope (their days outside it cleared), for
/// counting weeks in Rust (`tally`): one row holds many weeks' figures.
pub async fn rows(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    calendar: &Calendar,
) -> AppResult<Vec<DayRow>> {
    // Only rows with a visit in the range come back.
    let sql = format!(
        "SELECT d.household_id, d.year, d.days & r.mask AS days, d.repeats \
         FROM visit_days d {IN_RANGE} \
         WHERE d.tenant_id = $1 AND bit_count(d.days & r.mask) > 0 AND {}",
        p.by_micro_grid("d")
    );
    let read: Vec<Read> = with_years(p, sql, calendar).load(&mut &*conn).await?;
    Ok(read
        .into_iter()
        .map(|r| DayRow {
            household_id: r.household_id,
            year: r.year,
            days: r.days.0,
            repeats: r.repeats.unwrap_or_default(),
        })
        .collect())
}
