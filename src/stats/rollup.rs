//! Reads the visit rollup (`visit_days`, migrations `2026-11-30-000200_visit_days` and
//! `2026-11-30-000700_visit_days_two_years`) for a range and scope: totals and per-key
//! figures counted in the database, weekly figures counted from the rows by `tally`. The
//! rollup is kept by every visit write in the same statement (src/visits/queries.rs), so it
//! always equals the visits.
//!
//! A row holds two ISO years, so a range inside two consecutive ISO years reads one row per
//! household and key. To count a household once, only the rows of households with more than
//! one (`multi`: another micro-grid or recorder) are merged; a range over more years merges
//! every household's rows (`$8`).

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::{
    Array, BigInt, Bool, Integer, Nullable, SmallInt, SqlType, Uuid as SqlUuid,
};
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

/// The rollup rows of the range in scope as a table `d (tenant_id, household_id,
/// micro_grid_id, leader_id, n)`, `n` a row's visits inside the range (its days there and its
/// repeats of them; an `int`, so that sums over it are `bigint` sums, not `numeric` ones). One
/// branch per `year` read, item k of `$5`-`$7`. The bounds are init plans (`(SELECT …)`:
/// computed once, not per row) and the days are cut with `substring`, not a mask: a mask made
/// per row cost 5x the whole count, and `&` with a joined mask twice `substring`.
fn in_range(p: Params<'_>, calendar: &Calendar) -> String {
    let scope = p.by_micro_grid("d");
    (1..=calendar.spans().len())
        .map(|k| {
            format!(
                "SELECT d.tenant_id, d.household_id, d.micro_grid_id, d.leader_id, \
                        (bit_count(substring(d.days FROM (SELECT $6[{k}] + 1) \
                                                    FOR (SELECT $7[{k}] - $6[{k}] + 1))) \
                         + CASE WHEN d.repeats IS NULL THEN 0 ELSE (SELECT count(*) \
                             FROM unnest(d.repeats) x WHERE x BETWEEN $6[{k}] AND $7[{k}]) END \
                        )::int AS n \
                 FROM visit_days d \
                 WHERE d.tenant_id = $1 AND d.year = (SELECT $5[{k}]) AND {scope}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Whether row `d` is merged with its household's other rows to count the household once:
/// when the range reads several rows per household (`$8`) or the household has rows of more
/// than one micro-grid or recorder (a small hashed list: households that moved or were
/// visited by more than one person). `$5` holds the years read.
const MERGED: &str = "($8 OR d.household_id IN (SELECT m.household_id FROM visit_days m \
      WHERE m.tenant_id = $1 AND m.year = ANY($5::int2[]) AND m.multi))";

/// Per group of `v (household_id, n)` rows: households with visits. Rows not merged carry no
/// household (one group of them, each row a household); a merged household's rows are one
/// group, counted once.
const HOUSEHOLDS: &str = "CASE WHEN v.household_id IS NULL THEN count(*) FILTER (WHERE v.n > 0) \
      ELSE (sum(v.n) > 0)::int END";

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
        .bind::<Bool, _>(calendar.merges_rows())
}

/// Visits and distinct households of the range in scope, counted in the database (a few
/// operations per rollup row; one row comes back). Each row's count is made first (`OFFSET 0`)
/// so that the grouping carries narrow rows, not bit strings; only merged rows are grouped
/// by household (hashing every household was most of a year's summary).
pub async fn total(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    calendar: &Calendar,
) -> AppResult<(i64, i64)> {
    let sql = format!(
        "SELECT coalesce(sum(x.n), 0)::bigint AS n, coalesce(sum(x.households), 0)::bigint \
                AS distinct_n \
         FROM (SELECT sum(v.n) AS n, {HOUSEHOLDS} AS households \
               FROM (SELECT CASE WHEN {MERGED} THEN d.household_id END AS household_id, d.n \
                     FROM ({}) d OFFSET 0) v \
               GROUP BY v.household_id) x",
        in_range(p, calendar)
    );
    let counts: Counts = with_years(p, sql, calendar).get_result(&mut &*conn).await?;
    Ok((counts.n, counts.distinct_n))
}

/// Visits and distinct households per micro-grid, grid or recorder, counted in the database
/// (households per key, merged rows grouped as in `total`, then keys).
pub async fn per_key(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    by: By,
    calendar: &Calendar,
) -> AppResult<Vec<Keyed>> {
    let (key, join) = key_of(by);
    let sql = format!(
        "SELECT x.key::text AS key, sum(x.n)::bigint AS n, sum(x.households)::bigint \
                AS distinct_n \
         FROM (SELECT v.key, sum(v.n) AS n, {HOUSEHOLDS} AS households \
               FROM (SELECT {key} AS key, \
                            CASE WHEN {MERGED} THEN d.household_id END AS household_id, d.n \
                     FROM ({}) d {join} OFFSET 0) v \
               GROUP BY v.key, v.household_id) x \
         GROUP BY x.key HAVING sum(x.n) > 0",
        in_range(p, calendar)
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

/// The rollup rows of the range's years in scope, as stored, for counting weeks in Rust
/// (`tally`, which clears the days outside the range): one row holds many weeks' figures.
/// Nothing is computed per row here; the few rows without a visit in the range count nothing.
pub async fn rows(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    calendar: &Calendar,
) -> AppResult<Vec<DayRow>> {
    let sql = format!(
        "SELECT d.household_id, d.year, d.days, d.repeats FROM visit_days d \
         WHERE d.tenant_id = $1 AND d.year = ANY($5::int2[]) AND {}",
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
