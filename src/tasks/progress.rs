//! The tasks' reads: which tasks reach a caller and how far each is. Every read of households
//! goes through the caller's scope where they live now (`scope_sql!`), as their dossiers do.
//! Done-ness is read, not stored: a household is done when a visit linked to the task was
//! made in the current round (`visits.task_id`, indexed for linked visits only), so recording
//! a visit stays one insert and a repeating task needs no reset.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Scope;
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::scope_sql;
use crate::tasks::queries::StoredTask;
use crate::tasks::types::{Progress, TaskHousehold};

/// `sql` with the township bound as `$1` and the caller's scope as `$2` (leader) and `$3`
/// (grid), as every statement here takes them.
fn scoped(sql: &'static str, tenant: Uuid, scope: Scope) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
    diesel::sql_query(sql)
        .into_boxed()
        .bind::<SqlUuid, _>(tenant)
        .bind::<Nullable<SqlUuid>, _>(scope.leader_key())
        .bind::<Nullable<SqlUuid>, _>(scope.grid_key())
}

/// Whether some household of the task `t` is in the scope bound as `$2`, `$3` now: a task
/// beyond the caller's reach is 404, and is not in their list.
macro_rules! reaches_sql {
    () => {
        concat!(
            "EXISTS (SELECT FROM task_households th \
             JOIN households h ON h.tenant_id = th.tenant_id AND h.id = th.household_id \
             JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
             WHERE th.tenant_id = $1 AND th.task_id = t.id AND ",
            scope_sql!("m", "$2", "$3"),
            ")"
        )
    };
}

/// The tasks of the township reaching the scope, open or closed as `$4` says. The whole
/// township's callers need no household to be looked at.
macro_rules! listed_sql {
    () => {
        concat!(
            " FROM tasks t \
             WHERE t.tenant_id = $1 AND ($4::bool IS NULL OR (t.closed_at IS NOT NULL) = $4) \
               AND (($2::uuid IS NULL AND $3::uuid IS NULL) OR ",
            reaches_sql!(),
            ")"
        )
    };
}

const LIST: &str = concat!(
    "SELECT t.id, t.title, t.description, t.due_on, t.repeat, t.grid_ids, t.micro_grid_ids, \
            t.tags, t.created_by, t.created_at, t.closed_at",
    listed_sql!(),
    " ORDER BY t.created_at DESC, t.id DESC OFFSET $5 LIMIT $6"
);

const COUNT: &str = concat!("SELECT count(*) AS n", listed_sql!());

const REACHES: &str = concat!(
    "SELECT ",
    reaches_sql!(),
    " AS reaches FROM tasks t WHERE t.tenant_id = $1 AND t.id = $4"
);

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A page of the tasks reaching `scope`, newest first, and how many there are.
pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    closed: Option<bool>,
    page: Page,
) -> AppResult<(Vec<StoredTask>, i64)> {
    let tasks: Vec<StoredTask> = scoped(LIST, tenant, scope)
        .bind::<Nullable<Bool>, _>(closed)
        .bind::<BigInt, _>(page.offset())
        .bind::<BigInt, _>(page.limit())
        .load(conn)
        .await?;
    let total = scoped(COUNT, tenant, scope)
        .bind::<Nullable<Bool>, _>(closed)
        .get_result::<Count>(conn)
        .await?
        .n;
    Ok((tasks, total))
}

/// Whether the household `th.household_id` is done for the task `$task` in the round that
/// began at `$since` (null: every linked visit counts).
macro_rules! done_sql {
    ($task:literal, $since:literal) => {
        concat!(
            "EXISTS (SELECT FROM visits v WHERE v.tenant_id = th.tenant_id AND v.task_id = ",
            $task,
            " AND v.household_id = th.household_id AND (",
            $since,
            "::timestamptz IS NULL OR v.visited_at >= ",
            $since,
            "::timestamptz))"
        )
    };
}

const COUNTS: &str = concat!(
    "SELECT r.task_id, count(th.household_id) AS households, \
            count(th.household_id) FILTER (WHERE ",
    done_sql!("r.task_id", "r.since"),
    ") AS done \
     FROM unnest($4::uuid[], $5::timestamptz[]) AS r(task_id, since) \
     JOIN task_households th ON th.tenant_id = $1 AND th.task_id = r.task_id \
     JOIN households h ON h.tenant_id = th.tenant_id AND h.id = th.household_id \
     JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
     WHERE ",
    scope_sql!("m", "$2", "$3"),
    " GROUP BY r.task_id"
);

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = SqlUuid)]
    task_id: Uuid,
    #[diesel(sql_type = BigInt)]
    households: i64,
    #[diesel(sql_type = BigInt)]
    done: i64,
}

/// For each (task, round start), its households in `scope` and how many are done.
pub async fn counts(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    rounds: &[(Uuid, Option<DateTime<Utc>>)],
) -> AppResult<Vec<(Uuid, i64, i64)>> {
    if rounds.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rounds.iter().map(|(id, _)| *id).collect();
    let since: Vec<Option<DateTime<Utc>>> = rounds.iter().map(|(_, s)| *s).collect();
    let rows: Vec<Counted> = scoped(COUNTS, tenant, scope)
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Nullable<Timestamptz>>, _>(&since)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.task_id, r.households, r.done))
        .collect())
}

const PROGRESS: &str = concat!(
    "SELECT m.id AS micro_grid_id, m.name AS micro_grid_name, g.id AS grid_id, \
            g.name AS grid_name, m.leader_id, u.display_name AS leader_name, \
            count(*) AS households, count(*) FILTER (WHERE ",
    done_sql!("$4", "$5"),
    ") AS done \
     FROM task_households th \
     JOIN households h ON h.tenant_id = th.tenant_id AND h.id = th.household_id \
     JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
     JOIN grids g ON g.tenant_id = m.tenant_id AND g.id = m.grid_id \
     LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.leader_id \
     WHERE th.tenant_id = $1 AND th.task_id = $4 AND ",
    scope_sql!("m", "$2", "$3"),
    " GROUP BY m.id, m.name, g.id, g.name, m.leader_id, u.display_name \
     ORDER BY g.name, g.id, m.name, m.id"
);

#[derive(QueryableByName)]
struct ProgressRow {
    #[diesel(sql_type = SqlUuid)]
    micro_grid_id: Uuid,
    #[diesel(sql_type = Text)]
    micro_grid_name: String,
    #[diesel(sql_type = SqlUuid)]
    grid_id: Uuid,
    #[diesel(sql_type = Text)]
    grid_name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    leader_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    leader_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    households: i64,
    #[diesel(sql_type = BigInt)]
    done: i64,
}

/// The task's progress per micro-grid in `scope`; empty when it reaches none of it.
pub async fn progress(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    task: Uuid,
    since: Option<DateTime<Utc>>,
) -> AppResult<Vec<Progress>> {
    let rows: Vec<ProgressRow> = scoped(PROGRESS, tenant, scope)
        .bind::<SqlUuid, _>(task)
        .bind::<Nullable<Timestamptz>, _>(since)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Progress {
            micro_grid_id: r.micro_grid_id,
            micro_grid_name: r.micro_grid_name,
            grid_id: r.grid_id,
            grid_name: r.grid_name,
            leader_id: r.leader_id,
            leader_name: r.leader_name,
            households: r.households,
            done: r.done,
        })
        .collect())
}

/// Whether the task reaches `scope` (some household of it lives there now).
async fn reaches(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    task: Uuid,
) -> AppResult<bool> {
    #[derive(QueryableByName)]
    struct Reach {
        #[diesel(sql_type = Bool)]
        reaches: bool,
    }
    let found: Option<Reach> = scoped(REACHES, tenant, scope)
        .bind::<SqlUuid, _>(task)
        .get_result(conn)
        .await
        .optional()?;
    Ok(found.is_some_and(|r| r.reaches))
}

/// The township's task `id` if it reaches the caller's scope: `NotFound` otherwise. The
/// whole township's callers reach every task, without a look at its households.
pub async fn find_reached(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    id: Uuid,
) -> AppResult<StoredTask> {
    let task = crate::tasks::queries::find(conn, tenant, id).await?;
    if scope != Scope::Township && !reaches(conn, tenant, scope, task.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(task)
}

/// The task's households in `scope` with their latest linked visit of the round.
macro_rules! households_from {
    () => {
        concat!(
            " FROM task_households th \
             JOIN households h ON h.tenant_id = th.tenant_id AND h.id = th.household_id \
             JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
             CROSS JOIN LATERAL (SELECT max(v.visited_at) AS visited_at FROM visits v \
                 WHERE v.tenant_id = th.tenant_id AND v.task_id = $4 \
                   AND v.household_id = th.household_id \
                   AND ($5::timestamptz IS NULL OR v.visited_at >= $5::timestamptz)) d \
             WHERE th.tenant_id = $1 AND th.task_id = $4 AND ",
            scope_sql!("m", "$2", "$3"),
            " AND ($6::bool IS NULL OR (d.visited_at IS NOT NULL) = $6)"
        )
    };
}

const HOUSEHOLDS: &str = concat!(
    "SELECT th.household_id, h.name, h.address, h.micro_grid_id, \
            d.visited_at IS NOT NULL AS done, d.visited_at",
    households_from!(),
    " ORDER BY m.name, m.id, h.name, h.id OFFSET $7 LIMIT $8"
);

const HOUSEHOLDS_COUNT: &str = concat!("SELECT count(*) AS n", households_from!());

#[derive(QueryableByName)]
struct HouseholdRow {
    #[diesel(sql_type = SqlUuid)]
    household_id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    address: String,
    #[diesel(sql_type = SqlUuid)]
    micro_grid_id: Uuid,
    #[diesel(sql_type = Bool)]
    done: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    visited_at: Option<DateTime<Utc>>,
}

/// A page of the task's households in `scope` (only the done or not done ones when `done`
/// says), by micro-grid and name, and how many there are.
pub async fn households(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    task: Uuid,
    since: Option<DateTime<Utc>>,
    done: Option<bool>,
    page: Page,
) -> AppResult<(Vec<TaskHousehold>, i64)> {
    let rows: Vec<HouseholdRow> = scoped(HOUSEHOLDS, tenant, scope)
        .bind::<SqlUuid, _>(task)
        .bind::<Nullable<Timestamptz>, _>(since)
        .bind::<Nullable<Bool>, _>(done)
        .bind::<BigInt, _>(page.offset())
        .bind::<BigInt, _>(page.limit())
        .load(conn)
        .await?;
    let total = scoped(HOUSEHOLDS_COUNT, tenant, scope)
        .bind::<SqlUuid, _>(task)
        .bind::<Nullable<Timestamptz>, _>(since)
        .bind::<Nullable<Bool>, _>(done)
        .get_result::<Count>(conn)
        .await?
        .n;
    let items = rows
        .into_iter()
        .map(|r| TaskHousehold {
            household_id: r.household_id,
            name: r.name,
            address: r.address,
            micro_grid_id: r.micro_grid_id,
            done: r.done,
            visited_at: r.visited_at,
        })
        .collect();
    Ok((items, total))
}
