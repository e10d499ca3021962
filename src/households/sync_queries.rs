//! The phone's read side in SQL: the caller's households that changed since a cursor, with
//! their newest visits and waiting issues, and the ids of every household in scope.
//!
//! ## Why the cursor is a snapshot, and never misses a change
//!
//! A timestamp would: a write stamped `now()` at 10:00:00 that commits at 10:00:05 is
//! invisible to a sync at 10:00:02, whose cursor then says "10:00:02", and the next sync asks
//! for changes after that and never sees it. Commit order is not stamp order.
//!
//! So each write stamps the rows it changes with its transaction id (`changed_xid`, see the
//! migration `2026-11-30-000100_phone_sync`), and the cursor is a **snapshot** (`xmin:xmax:
//! running ids`, PostgreSQL's `pg_snapshot`) taken before the data is read. A transaction
//! visible in that snapshot had committed when it was taken, so its changes are in what this
//! sync read (every statement after it has a later snapshot). One that was not visible — still
//! running, or begun later — is returned by the next sync, which asks for the rows whose
//! stamp the cursor's snapshot does not see (`pg_visible_in_snapshot`). A row stamped by
//! such a transaction and then again by a visible one cannot happen: the second writer
//! waited for the row lock, so it committed later, and would not be visible either. Exact,
//! not an overlap window: a change comes once, unless it committed between the cursor's
//! snapshot and the reads (then it comes twice, and the phone upserts). `xid8` never wraps.
//!
//! Under Citus (docs/scaling.md) both the stamps and the cursor are the **coordinator's**:
//! Citus evaluates a modification's non-immutable functions (`pg_current_xact_id()` in a
//! `SET` or a column default) on the coordinator before it sends the statement to the
//! township's worker, and the cursor's `SELECT pg_current_snapshot()` names no table, so it
//! runs there too. A township's rows all live on one worker, so its writes commit in one
//! phase, and Citus commits the worker's part *before* the coordinator's (in the
//! coordinator's pre-commit): a transaction the coordinator's snapshot shows committed is
//! visible on the worker to every later read. `pg_visible_in_snapshot` compares values
//! only, so it gives the same answer on whichever node it runs. The Citus drill runs the
//! sync tests (the concurrent-commit one fails if a stamp were a worker's id).

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::HouseholdRow;
use crate::auth::Scope;
use crate::db::schema::households;
use crate::error::AppResult;
use crate::issues::Issue;
use crate::scope_sql;
use crate::visits::Visit;

/// How many visits a phone keeps of each household.
pub const RECENT_VISITS: i64 = 5;

/// The households in the caller's scope ($1 tenant, $2 leader, $3 grid: `Scope::keys`) that
/// changed since the snapshot $4 (all of them when $4 is null): the household's own stamp, one of its
/// issues', or its micro-grid's (a new leader).
const SYNCED: &str = concat!(
    r#"
WITH synced AS (
    SELECT h.id
    FROM households h
    JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id
    WHERE h.tenant_id = $1
      AND "#,
    scope_sql!("m", "$2", "$3"),
    r#"
      AND ($4::text IS NULL
           OR NOT pg_visible_in_snapshot(h.changed_xid, $4::text::pg_snapshot)
           OR NOT pg_visible_in_snapshot(m.changed_xid, $4::text::pg_snapshot)
           OR EXISTS (SELECT FROM issues i
                      WHERE i.tenant_id = h.tenant_id AND i.household_id = h.id
                        AND NOT pg_visible_in_snapshot(i.changed_xid, $4::text::pg_snapshot)))
)"#
);

const HOUSEHOLDS: &str = r#"
SELECT h.id, h.micro_grid_id, h.kind, h.name, h.address, h.phone, h.id_number, h.members,
       h.tags, h.note, h.acquainted_at, h.in_group, h.last_visited_at, h.created_at
FROM households h
WHERE h.tenant_id = $1 AND h.id IN (SELECT id FROM synced)
ORDER BY h.id"#;

/// Each household's newest visits by its own index (`visits_household`), never its whole
/// history.
const VISITS: &str = r#"
SELECT v.*
FROM synced s
CROSS JOIN LATERAL (
    SELECT v.id, v.household_id, v.micro_grid_id, v.leader_id, v.visited_at, v.method,
           v.summary, v.acquainted, v.joined_group, v.created_at, v.task_id
    FROM visits v
    WHERE v.tenant_id = $1 AND v.household_id = s.id
    ORDER BY v.visited_at DESC, v.id DESC
    LIMIT $5
) v
ORDER BY v.household_id, v.visited_at DESC, v.id DESC"#;

/// Written out, not bound, so that the partial index `issues_waiting` applies.
const ISSUES: &str = concat!(
    r#"
SELECT i.id, i.household_id, i.micro_grid_id, i.visit_id, i.category, i.description,
       i.status, i.raised_by, i.raised_at, i.resolved_at, i.resolution, i.satisfied,
       i.department_id, i.due_on, i.extension_days IS NOT NULL AS extension_requested,
       "#,
    crate::overdue_sql!("i"),
    " AS overdue, ",
    crate::due_soon_sql!("i"),
    r#" AS due_soon
FROM issues i
WHERE i.tenant_id = $1 AND i.household_id IN (SELECT id FROM synced)
  AND i.status <> 'resolved'
ORDER BY i.household_id, i.raised_at DESC, i.id DESC"#
);

#[derive(QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = Text)]
    snapshot: String,
}

/// The cursor of a sync that reads after this: the current snapshot, as text
/// (`xmin:xmax:xip,…`). Send it before the reads and wait for it (see the module's comment).
pub async fn snapshot(conn: &AsyncPgConnection) -> QueryResult<String> {
    let row: Snapshot = diesel::sql_query("SELECT pg_current_snapshot()::text AS snapshot")
        .get_result(&mut &*conn)
        .await?;
    Ok(row.snapshot)
}

/// What one sync reads.
pub struct SyncRows {
    /// Every household in scope now.
    pub ids: Vec<Uuid>,
    pub households: Vec<HouseholdRow>,
    /// Newest first within each household.
    pub visits: Vec<Visit>,
    pub issues: Vec<Issue>,
}

/// The households in scope and those changed since the snapshot `since` (every one when
/// `None`), with their newest visits and waiting issues, pipelined: one round trip.
pub async fn read(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    since: Option<&str>,
) -> AppResult<SyncRows> {
    let shared: &AsyncPgConnection = conn;
    let ids = match crate::auth::scope::households_in(tenant, scope) {
        Some(ids) => ids,
        None => households::table
            .filter(households::tenant_id.eq(tenant))
            .select(households::id)
            .into_boxed::<Pg>(),
    }
    .load::<Uuid>(&mut &*shared);
    let synced = |sql: &str| {
        diesel::sql_query(format!("{SYNCED}{sql}"))
            .bind::<SqlUuid, _>(tenant)
            .bind::<Nullable<SqlUuid>, _>(scope.leader_key())
            .bind::<Nullable<SqlUuid>, _>(scope.grid_key())
            .bind::<Nullable<Text>, _>(since)
    };
    let households = synced(HOUSEHOLDS).load::<HouseholdRow>(&mut &*shared);
    let visits = synced(VISITS)
        .bind::<diesel::sql_types::BigInt, _>(RECENT_VISITS)
        .load::<Visit>(&mut &*shared);
    let issues = synced(ISSUES).load::<Issue>(&mut &*shared);
    // `join`, not `try_join`: every statement sent is awaited before the connection is used
    // again or returned to the pool.
    let (ids, households, visits, issues) = futures_util::join!(ids, households, visits, issues);
    Ok(SyncRows {
        ids: ids?,
        households: households?,
        visits: visits?,
        issues: issues?,
    })
}
