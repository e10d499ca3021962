//! The tasks' writes and their one-task lookup: checking where a task is sent, storing it with
//! the households it covers, closing it. Every statement names the caller's township; the
//! households a task covers are chosen through the sender's scope (`scope_sql!`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Scope;
use crate::db::schema::{grids, micro_grids, tasks};
use crate::domain::TaskRepeat;
use crate::error::AppResult;
use crate::scope_sql;

/// A task as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = tasks, check_for_backend(diesel::pg::Pg))]
pub struct StoredTask {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub due_on: NaiveDate,
    pub repeat: Option<String>,
    pub grid_ids: Vec<Uuid>,
    pub micro_grid_ids: Vec<Uuid>,
    pub tags: Vec<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl StoredTask {
    pub fn repeat(&self) -> Option<TaskRepeat> {
        self.repeat.as_deref().and_then(|r| r.parse().ok())
    }
}

/// What `POST /tasks` stores.
pub struct NewTask<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub description: &'a str,
    pub due_on: NaiveDate,
    pub repeat: Option<TaskRepeat>,
    pub grid_ids: &'a [Uuid],
    pub micro_grid_ids: &'a [Uuid],
    pub tags: &'a [String],
    pub created_by: Uuid,
}

/// Of `grid_ids`, those that are not grids of the township in `scope` (a grid supervisor
/// reaches their own grid only).
pub async fn unknown_grids(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    grid_ids: &[Uuid],
) -> AppResult<Vec<Uuid>> {
    let mut query = grids::table
        .filter(grids::tenant_id.eq(tenant))
        .filter(grids::id.eq_any(grid_ids))
        .select(grids::id)
        .into_boxed();
    if let Some(grid) = scope.grid_key() {
        query = query.filter(grids::id.eq(grid));
    }
    let found: Vec<Uuid> = query.load(conn).await?;
    Ok(grid_ids
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect())
}

/// Of `micro_grid_ids`, those that are not micro-grids in the caller's scope.
pub async fn unknown_micro_grids(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    micro_grid_ids: &[Uuid],
) -> AppResult<Vec<Uuid>> {
    let mut query = micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::id.eq_any(micro_grid_ids))
        .select(micro_grids::id)
        .into_boxed();
    if let Some(places) = crate::auth::scope::micro_grids_in(tenant, scope) {
        query = query.filter(micro_grids::id.eq_any(places));
    }
    let found: Vec<Uuid> = query.load(conn).await?;
    Ok(micro_grid_ids
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect())
}

/// The households a new task covers, chosen once: those in the creator's scope, in the grids
/// or micro-grids named (all when none is), carrying any of the tags (all when none is).
const COVER: &str = concat!(
    "INSERT INTO task_households (tenant_id, task_id, household_id) \
     SELECT h.tenant_id, $2, h.id \
     FROM households h JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
     WHERE h.tenant_id = $1 AND ",
    scope_sql!("m", "$3", "$4"),
    " AND ((cardinality($5::uuid[]) = 0 AND cardinality($6::uuid[]) = 0) \
           OR m.grid_id = ANY($5) OR m.id = ANY($6)) \
     AND (cardinality($7::text[]) = 0 OR h.tags && $7::text[])"
);

/// Stores the task and its households; how many households it covers. A task covering none
/// is refused by the caller, which then does not commit.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    task: &NewTask<'_>,
) -> AppResult<(StoredTask, usize)> {
    let stored = diesel::insert_into(tasks::table)
        .values((
            tasks::tenant_id.eq(tenant),
            tasks::id.eq(task.id),
            tasks::title.eq(task.title),
            tasks::description.eq(task.description),
            tasks::due_on.eq(task.due_on),
            tasks::repeat.eq(task.repeat.map(TaskRepeat::as_str)),
            tasks::grid_ids.eq(task.grid_ids),
            tasks::micro_grid_ids.eq(task.micro_grid_ids),
            tasks::tags.eq(task.tags),
            tasks::created_by.eq(task.created_by),
        ))
        .returning(StoredTask::as_returning())
        .get_result(conn)
        .await?;
    let covered = diesel::sql_query(COVER)
        .bind::<SqlUuid, _>(tenant)
        .bind::<SqlUuid, _>(task.id)
        .bind::<Nullable<SqlUuid>, _>(scope.leader_key())
        .bind::<Nullable<SqlUuid>, _>(scope.grid_key())
        .bind::<Array<SqlUuid>, _>(task.grid_ids)
        .bind::<Array<SqlUuid>, _>(task.micro_grid_ids)
        .bind::<Array<Text>, _>(task.tags)
        .execute(conn)
        .await?;
    Ok((stored, covered))
}

/// One task of the township, whatever the scope (the caller checks its reach).
pub async fn find(conn: &mut AsyncPgConnection, tenant: Uuid, id: Uuid) -> AppResult<StoredTask> {
    Ok(tasks::table
        .filter(tasks::tenant_id.eq(tenant))
        .filter(tasks::id.eq(id))
        .select(StoredTask::as_select())
        .first(conn)
        .await?)
}

/// Closes an open task; `None` when it was closed already.
pub async fn close(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    id: Uuid,
) -> AppResult<Option<StoredTask>> {
    Ok(diesel::update(tasks::table)
        .filter(tasks::tenant_id.eq(tenant))
        .filter(tasks::id.eq(id))
        .filter(tasks::closed_at.is_null())
        .set(tasks::closed_at.eq(diesel::dsl::now))
        .returning(StoredTask::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}
