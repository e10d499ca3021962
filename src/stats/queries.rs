//! The statistics queries. Why they look like this:
//! * Visit figures come from the visit rollup (`visit_days`: per household, micro-grid,
//!   recorder and ISO year, a bitmap of visit days), read by `rollup` and counted by
//!   `tally`: a year is ~2 rows per household instead of every visit (docs/stats.md).
//! * Issue counts are ranges on an indexed instant: `issues_raised`, `issues_resolved`. The
//!   local-date range was turned into instants once (`Range`), so no query computes a local
//!   date per row to filter, and a 30-day window reads 30 days.
//! * Counts of things (grids, micro-grids, households) are as of now, read from the small
//!   tables directly.
//! * The scope becomes a fixed SQL fragment per kind (township / grid / micro-grid), so each
//!   statement has one plan shape; all statements bind the same parameters:
//!   `$1` tenant, `$2` scope id, `$3` range start, `$4` range end (weekly issue counts add
//!   the weeks' keys and bounds, computed in the township's zone, as `$5`-`$7`; the leader
//!   breakdown's names add the leaders who did work as `$5`; the rollup its years as
//!   `$5`-`$6`).
//! * Visits and issues count where the work was done (their own micro-grid and leader),
//!   not where the household lives now.

use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::rollup;
use super::scope::{Range, Scope, Week};
use super::tally::{self, Calendar};
use super::types::By;
use crate::domain::STANDARD_TAGS;
use crate::error::AppResult;

/// The bound parameters shared by every statistics statement.
#[derive(Clone, Copy)]
pub struct Params<'a> {
    pub tenant: Uuid,
    pub scope: Scope,
    pub range: &'a Range,
}

impl Params<'_> {
    pub(super) fn query(&self, sql: String) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        diesel::sql_query(sql)
            .into_boxed()
            .bind::<SqlUuid, _>(self.tenant)
            .bind::<Nullable<SqlUuid>, _>(self.scope.id())
            .bind::<Timestamptz, _>(self.range.start)
            .bind::<Timestamptz, _>(self.range.end)
    }

    /// Rows of `alias` (a table with `micro_grid_id`) inside the scope.
    pub(super) fn by_micro_grid(&self, alias: &str) -> String {
        match self.scope {
            Scope::Township => "TRUE".into(),
            Scope::Grid(_) => format!(
                "{alias}.micro_grid_id IN \
                 (SELECT id FROM micro_grids WHERE tenant_id = $1 AND grid_id = $2)"
            ),
            Scope::MicroGrid(_) => format!("{alias}.micro_grid_id = $2"),
        }
    }

    /// Micro-grids `m` inside the scope.
    fn micro_grids(&self) -> &'static str {
        match self.scope {
            Scope::Township => "TRUE",
            Scope::Grid(_) => "m.grid_id = $2",
            Scope::MicroGrid(_) => "m.id = $2",
        }
    }

    /// Grids `g` inside the scope (a micro-grid's scope holds its grid).
    fn grids(&self) -> &'static str {
        match self.scope {
            Scope::Township => "TRUE",
            Scope::Grid(_) => "g.id = $2",
            Scope::MicroGrid(_) => {
                "g.id = (SELECT grid_id FROM micro_grids WHERE tenant_id = $1 AND id = $2)"
            }
        }
    }
}

#[derive(QueryableByName)]
pub struct GridCounts {
    #[diesel(sql_type = BigInt)]
    pub village: i64,
    #[diesel(sql_type = BigInt)]
    pub enterprise: i64,
}

pub async fn grid_counts(conn: &AsyncPgConnection, p: Params<'_>) -> AppResult<GridCounts> {
    let sql = format!(
        "SELECT count(*) FILTER (WHERE g.kind = 'village') AS village, \
                count(*) FILTER (WHERE g.kind = 'enterprise') AS enterprise \
         FROM grids g WHERE g.tenant_id = $1 AND {}",
        p.grids()
    );
    Ok(p.query(sql).get_result(&mut &*conn).await?)
}

#[derive(QueryableByName)]
pub struct MicroGridCounts {
    #[diesel(sql_type = BigInt)]
    pub village: i64,
    #[diesel(sql_type = BigInt)]
    pub enterprise: i64,
    #[diesel(sql_type = BigInt)]
    pub leaders: i64,
    #[diesel(sql_type = BigInt)]
    pub groups: i64,
}

pub async fn micro_grid_counts(
    conn: &AsyncPgConnection,
    p: Params<'_>,
) -> AppResult<MicroGridCounts> {
    let sql = format!(
        "SELECT count(*) FILTER (WHERE g.kind = 'village') AS village, \
                count(*) FILTER (WHERE g.kind = 'enterprise') AS enterprise, \
                count(DISTINCT m.leader_id) AS leaders, \
                count(*) FILTER (WHERE m.group_name IS NOT NULL) AS groups \
         FROM micro_grids m JOIN grids g ON g.tenant_id = m.tenant_id AND g.id = m.grid_id \
         WHERE m.tenant_id = $1 AND {}",
        p.micro_grids()
    );
    Ok(p.query(sql).get_result(&mut &*conn).await?)
}

#[derive(QueryableByName)]
pub struct HouseholdCounts {
    #[diesel(sql_type = BigInt)]
    pub households: i64,
    #[diesel(sql_type = BigInt)]
    pub acquainted: i64,
    #[diesel(sql_type = BigInt)]
    pub in_group: i64,
}

pub async fn household_counts(
    conn: &AsyncPgConnection,
    p: Params<'_>,
) -> AppResult<HouseholdCounts> {
    let sql = format!(
        "SELECT count(*) AS households, count(h.acquainted_at) AS acquainted, \
                count(*) FILTER (WHERE h.in_group) AS in_group \
         FROM households h WHERE h.tenant_id = $1 AND {}",
        p.by_micro_grid("h")
    );
    Ok(p.query(sql).get_result(&mut &*conn).await?)
}

#[derive(QueryableByName)]
pub struct VisitCounts {
    #[diesel(sql_type = BigInt)]
    pub visits: i64,
    #[diesel(sql_type = BigInt)]
    pub households_visited: i64,
}

/// From the visit rollup (`rollup`): ~2 rows per household for a year instead of every visit
/// of the range.
pub async fn visit_counts(conn: &AsyncPgConnection, p: Params<'_>) -> AppResult<VisitCounts> {
    let calendar = Calendar::new(p.range.from, p.range.to);
    let (visits, households_visited) = rollup::total(conn, p, &calendar).await?;
    Ok(VisitCounts {
        visits,
        households_visited,
    })
}

#[derive(QueryableByName)]
pub struct IssueCounts {
    #[diesel(sql_type = BigInt)]
    pub raised: i64,
    #[diesel(sql_type = BigInt)]
    pub resolved: i64,
    #[diesel(sql_type = BigInt)]
    pub satisfied: i64,
    #[diesel(sql_type = BigInt)]
    pub with_feedback: i64,
    #[diesel(sql_type = BigInt)]
    pub open: i64,
}

pub async fn issue_counts(conn: &AsyncPgConnection, p: Params<'_>) -> AppResult<IssueCounts> {
    let scope = p.by_micro_grid("i");
    // Three index ranges: raised in range, resolved in range, and open now (`issues_status`).
    let sql = format!(
        "SELECT r.raised, s.resolved, s.satisfied, s.with_feedback, o.open FROM \
         (SELECT count(*) AS raised FROM issues i \
          WHERE i.tenant_id = $1 AND i.raised_at >= $3 AND i.raised_at < $4 AND {scope}) r, \
         (SELECT count(*) AS resolved, \
                 count(*) FILTER (WHERE i.satisfied) AS satisfied, \
                 count(i.satisfied) AS with_feedback \
          FROM issues i \
          WHERE i.tenant_id = $1 AND i.resolved_at >= $3 AND i.resolved_at < $4 \
            AND i.status = 'resolved' AND {scope}) s, \
         (SELECT count(*) AS open FROM issues i \
          WHERE i.tenant_id = $1 \
            AND i.status IN ('open', 'escalated', 'assigned', 'accepted', 'done') AND {scope}) o"
    );
    Ok(p.query(sql).get_result(&mut &*conn).await?)
}

/// An issue resolved inside the range (and still resolved): the days, in the township's
/// zone, it was raised and resolved, and its time limit if it was routed to a department.
#[derive(QueryableByName)]
pub struct Resolution {
    #[diesel(sql_type = Date)]
    pub raised_on: NaiveDate,
    #[diesel(sql_type = Date)]
    pub resolved_on: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    pub due_on: Option<NaiveDate>,
}

/// The range's resolutions, for the timeliness figures (the same index range as
/// `issue_counts`' resolved: a few hundred rows a month for a township).
pub async fn resolutions(conn: &AsyncPgConnection, p: Params<'_>) -> AppResult<Vec<Resolution>> {
    let scope = p.by_micro_grid("i");
    let sql = format!(
        "SELECT (i.raised_at AT TIME ZONE t.timezone)::date AS raised_on, \
                (i.resolved_at AT TIME ZONE t.timezone)::date AS resolved_on, i.due_on \
         FROM issues i JOIN tenants t ON t.id = i.tenant_id \
         WHERE i.tenant_id = $1 AND i.resolved_at >= $3 AND i.resolved_at < $4 \
           AND i.status = 'resolved' AND {scope}"
    );
    Ok(p.query(sql).load(&mut &*conn).await?)
}

/// A resolution of the range and the breakdown row it belongs to.
#[derive(QueryableByName)]
pub struct KeyedResolution {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Date)]
    pub raised_on: NaiveDate,
    #[diesel(sql_type = Date)]
    pub resolved_on: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    pub due_on: Option<NaiveDate>,
}

/// The range's resolutions keyed as `issues_by` keys the resolved counts (by the grid or
/// micro-grid raised in, the leader who raised it, the household's tags, the week resolved),
/// for each row's timeliness.
pub async fn resolutions_by(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    by: By,
    weeks: &[Week],
) -> AppResult<Vec<KeyedResolution>> {
    let scope = p.by_micro_grid("i");
    let days = "(i.raised_at AT TIME ZONE z.timezone)::date AS raised_on, \
                (i.resolved_at AT TIME ZONE z.timezone)::date AS resolved_on, i.due_on";
    let (key, join) = match issue_key(by) {
        Some(keyed) => keyed,
        None => {
            let sql = format!(
                "SELECT w.key, c.raised_on, c.resolved_on, c.due_on \
                 FROM unnest($5::text[], $6::timestamptz[], $7::timestamptz[]) AS w (key, s, e) \
                 CROSS JOIN LATERAL ( \
                   SELECT {days} FROM issues i JOIN tenants z ON z.id = i.tenant_id \
                   WHERE i.tenant_id = $1 AND i.resolved_at >= w.s AND i.resolved_at < w.e \
                     AND i.status = 'resolved' AND {scope}) c"
            );
            return by_week(conn, p, sql, weeks).await;
        }
    };
    let sql = format!(
        "SELECT {key}::text AS key, {days} \
         FROM issues i JOIN tenants z ON z.id = i.tenant_id {join} \
         WHERE i.tenant_id = $1 AND i.resolved_at >= $3 AND i.resolved_at < $4 \
           AND i.status = 'resolved' AND {scope}"
    );
    Ok(p.query(sql).load(&mut &*conn).await?)
}

/// One dimension value (a grid, micro-grid or leader) and its name.
#[derive(QueryableByName)]
pub struct Named {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub name: String,
}

/// A count or two per dimension key.
#[derive(QueryableByName)]
pub struct Keyed {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = BigInt)]
    pub distinct_n: i64,
}

/// The grids or micro-grids in scope (for `by=leader`, the leaders of micro-grids in scope
/// plus `also`: whoever did work in scope in the range).
pub async fn dimension(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    by: By,
    also: Vec<Uuid>,
) -> AppResult<Vec<Named>> {
    let sql = match by {
        By::Grid => format!(
            "SELECT g.id::text AS key, g.name FROM grids g WHERE g.tenant_id = $1 AND {}",
            p.grids()
        ),
        By::MicroGrid => format!(
            "SELECT m.id::text AS key, m.name FROM micro_grids m WHERE m.tenant_id = $1 AND {}",
            p.micro_grids()
        ),
        By::Leader => format!(
            "SELECT u.id::text AS key, u.display_name AS name FROM users u \
             WHERE u.tenant_id = $1 AND (u.id = ANY($5) OR u.id IN \
               (SELECT m.leader_id FROM micro_grids m WHERE m.tenant_id = $1 AND {}))",
            p.micro_grids()
        ),
        // The standard priority groups always, and every other tag carried in scope.
        By::Tag => format!(
            "SELECT s.tag AS key, s.tag AS name FROM unnest($6::text[]) AS s (tag) \
             UNION SELECT t.tag, t.tag FROM households h {TAGS_OF_HOUSEHOLD} \
             WHERE h.tenant_id = $1 AND {}",
            p.by_micro_grid("h")
        ),
        By::Week => return Ok(Vec::new()),
    };
    let standard: Vec<&str> = STANDARD_TAGS.to_vec();
    Ok(p.query(sql)
        .bind::<Array<SqlUuid>, _>(also)
        .bind::<Array<Text>, _>(standard)
        .load(&mut &*conn)
        .await?)
}

const MICRO_GRID_OF_HOUSEHOLD: &str =
    "JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id";

/// One row per tag a household `h` carries now.
const TAGS_OF_HOUSEHOLD: &str = "CROSS JOIN LATERAL unnest(h.tags) AS t (tag)";

/// Households as of now per dimension key (for weeks: one row, key '').
pub async fn households_by(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    by: By,
) -> AppResult<Vec<Keyed>> {
    // Grids and leaders are the micro-grid's; weeks and micro-grids need no join.
    let (key, join) = match by {
        By::Grid => ("m.grid_id", MICRO_GRID_OF_HOUSEHOLD),
        By::MicroGrid => ("h.micro_grid_id", ""),
        By::Leader => ("m.leader_id", MICRO_GRID_OF_HOUSEHOLD),
        // (A cast, not a bare literal: GROUP BY takes no text constant.)
        By::Week => ("''::text", ""),
        By::Tag => ("t.tag", TAGS_OF_HOUSEHOLD),
    };
    // Grouped by the id itself, made text once per group: not once per household.
    let sql = format!(
        "SELECT {key}::text AS key, count(*) AS n, count(*) AS distinct_n \
         FROM households h {join} \
         WHERE h.tenant_id = $1 AND {} AND {key} IS NOT NULL GROUP BY {key}",
        p.by_micro_grid("h")
    );
    Ok(p.query(sql).load(&mut &*conn).await?)
}

/// Visits and distinct households visited in the range, per dimension key (for weeks: the
/// keys of `weeks`, which are the range's), from the visit rollup.
pub async fn visits_by(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    by: By,
    weeks: &[Week],
) -> AppResult<Vec<Keyed>> {
    let calendar = Calendar::new(p.range.from, p.range.to);
    if by != By::Week {
        return rollup::per_key(conn, p, by, &calendar).await;
    }
    let mut rows = rollup::rows(conn, p, &calendar).await?;
    Ok(tally::per_week(&calendar, p.range.to, &mut rows)
        .into_iter()
        .zip(weeks)
        .map(|((n, distinct_n), week)| Keyed {
            key: week.key.clone(),
            n,
            distinct_n,
        })
        .collect())
}

/// Issues raised (`resolved = false`) or resolved in the range, per dimension key. For
/// leaders an issue counts for whoever raised it: the work as done.
pub async fn issues_by(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    by: By,
    resolved: bool,
    weeks: &[Week],
) -> AppResult<Vec<Keyed>> {
    let at = if resolved {
        "i.resolved_at"
    } else {
        "i.raised_at"
    };
    let status = if resolved {
        "AND i.status = 'resolved'"
    } else {
        ""
    };
    let scope = p.by_micro_grid("i");
    let (key, join) = match issue_key(by) {
        Some(keyed) => keyed,
        None => {
            let sql = format!(
                "SELECT w.key, c.n, c.n AS distinct_n \
                 FROM unnest($5::text[], $6::timestamptz[], $7::timestamptz[]) AS w (key, s, e) \
                 CROSS JOIN LATERAL ( \
                   SELECT count(*) AS n FROM issues i \
                   WHERE i.tenant_id = $1 AND {at} >= w.s AND {at} < w.e {status} AND {scope}) c"
            );
            return by_week(conn, p, sql, weeks).await;
        }
    };
    let sql = format!(
        "SELECT {key}::text AS key, count(*) AS n, count(*) AS distinct_n \
         FROM issues i {join} \
         WHERE i.tenant_id = $1 AND {at} >= $3 AND {at} < $4 {status} AND {scope} \
         GROUP BY {key}"
    );
    Ok(p.query(sql).load(&mut &*conn).await?)
}

/// An issue's breakdown key and the join it needs: the grid or micro-grid it was raised in, the
/// leader who raised it, its household's tags now. `None` for weeks, which bind their own
/// ranges (`by_week`).
fn issue_key(by: By) -> Option<(&'static str, &'static str)> {
    match by {
        By::Grid => Some((
            "m.grid_id",
            "JOIN micro_grids m ON m.tenant_id = i.tenant_id AND m.id = i.micro_grid_id",
        )),
        By::MicroGrid => Some(("i.micro_grid_id", "")),
        By::Leader => Some(("i.raised_by", "")),
        By::Tag => Some((
            "t.tag",
            "JOIN households h ON h.tenant_id = i.tenant_id AND h.id = i.household_id \
             CROSS JOIN LATERAL unnest(h.tags) AS t (tag)",
        )),
        By::Week => None,
    }
}

/// `sql` with the weeks bound as `$5` (keys), `$6` (starts) and `$7` (ends).
async fn by_week<R: QueryableByName<Pg> + Send + 'static>(
    conn: &AsyncPgConnection,
    p: Params<'_>,
    sql: String,
    weeks: &[Week],
) -> AppResult<Vec<R>> {
    Ok(p.query(sql)
        .bind::<Array<Text>, _>(weeks.iter().map(|w| w.key.clone()).collect::<Vec<_>>())
        .bind::<Array<Timestamptz>, _>(weeks.iter().map(|w| w.start).collect::<Vec<_>>())
        .bind::<Array<Timestamptz>, _>(weeks.iter().map(|w| w.end).collect::<Vec<_>>())
        .load(&mut &*conn)
        .await?)
}
