//! `POST /tasks`, `GET /tasks`, `GET /tasks/{id}`, `GET /tasks/{id}/households`,
//! `POST /tasks/{id}/close`.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditAction};
use crate::auth::{Caller, Scope};
use crate::domain::day::parse_day;
use crate::domain::{clean_text, parse_tag, start_of_day, Role, Round, TaskRepeat};
use crate::error::{AppError, AppResult, ErrorBody, Problems};
use crate::http::{Json, PageQuery, Paged};
use crate::tasks::progress;
use crate::tasks::queries::{self, NewTask, StoredTask};
use crate::tasks::types::{
    NewTaskBody, Task, TaskDetail, TaskFilter, TaskHousehold, TaskHouseholdFilter, MAX_TITLE,
};

/// Who sends tasks down and closes them.
const SENDERS: &[Role] = &[Role::TenantAdmin, Role::Supervisor];
/// Who reads them: the senders, and the leaders whose households they cover.
const READERS: &[Role] = &[Role::TenantAdmin, Role::Supervisor, Role::Leader];

/// The township's zone and today in it: rounds and lateness are counted in its days.
async fn today(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: Uuid,
) -> AppResult<(Tz, NaiveDate)> {
    let zone = crate::db::zone_of(conn, tenant).await?;
    Ok((zone, Utc::now().with_timezone(&zone).date_naive()))
}

/// The round a task is in: a closed task stays in the round it was closed in.
fn round_of(task: &StoredTask, zone: Tz, today: NaiveDate) -> (Round, Option<DateTime<Utc>>) {
    let day = task
        .closed_at
        .map_or(today, |at| at.with_timezone(&zone).date_naive().min(today));
    let round = Round::on(task.due_on, task.repeat(), day);
    let since = round.start.map(|d| start_of_day(zone, d));
    (round, since)
}

fn shown(task: StoredTask, round: Round, today: NaiveDate, households: i64, done: i64) -> Task {
    let closed = task.closed_at.is_some();
    Task {
        overdue: !closed && today > round.due_on && done < households,
        repeat: task.repeat(),
        id: task.id,
        title: task.title,
        description: task.description,
        due_on: round.due_on,
        households,
        done,
        grid_ids: task.grid_ids,
        micro_grid_ids: task.micro_grid_ids,
        tags: task.tags,
        round_start: round.start,
        closed,
        created_by: task.created_by,
        created_at: task.created_at,
    }
}

/// Send a task down (任务下发)
///
/// The task covers the households of the grids and micro-grids named (the whole township, or
/// a grid supervisor's grid, when none is) that carry any of the tags (all when none is), as
/// they are now. Leaders see it on the phone with those households; a visit sent with its
/// `task_id` marks a household done.
#[utoipa::path(
    post, path = "/api/v1/tasks", tag = "tasks",
    operation_id = "create_task",
    request_body = NewTaskBody,
    responses(
        (status = 201, description = "Sent down", body = Task),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin or supervisor", body = ErrorBody),
        (status = 422, description = "A bad value, a grid out of reach, or no household covered", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(caller: Caller, body: Json<NewTaskBody>) -> AppResult<HttpResponse> {
    caller.require(SENDERS)?;
    let tenant = caller.tenant()?;
    let scope = Scope::of(&caller)?;
    let body = body.into_inner();
    let mut problems = Problems::validated(&body);
    let title = problems.check("title", clean_text(&body.title, MAX_TITLE));
    let due_on = problems.check("due_on", parse_day(&body.due_on));
    let repeat = match body.repeat.as_deref() {
        None => None,
        Some(word) => problems.check("repeat", word.parse::<TaskRepeat>()),
    };
    let mut tags: Vec<String> = body
        .tags
        .iter()
        .filter_map(|t| problems.check("tags", parse_tag(t)))
        .collect();
    tags.sort();
    tags.dedup();
    let mut grid_ids = body.grid_ids.clone();
    grid_ids.sort();
    grid_ids.dedup();
    let mut micro_grid_ids = body.micro_grid_ids.clone();
    micro_grid_ids.sort();
    micro_grid_ids.dedup();

    let mut conn = caller.db().await?;
    let (zone, today) = today(&mut conn, tenant).await?;
    if due_on.is_some_and(|d| d < today) {
        problems.add("due_on", "must not be before today");
    }
    for id in queries::unknown_grids(&mut conn, tenant, scope, &grid_ids).await? {
        problems.add("grid_ids", format!("{id} is not a grid in your reach"));
    }
    for id in queries::unknown_micro_grids(&mut conn, tenant, scope, &micro_grid_ids).await? {
        problems.add(
            "micro_grid_ids",
            format!("{id} is not a micro-grid in your reach"),
        );
    }
    problems.finish()?;
    let (Some(title), Some(due_on)) = (title, due_on) else {
        return Err(AppError::internal(anyhow::anyhow!(
            "a checked task did not parse"
        )));
    };
    let new = NewTask {
        id: Uuid::now_v7(),
        title: &title,
        description: body.description.trim(),
        due_on,
        repeat,
        grid_ids: &grid_ids,
        micro_grid_ids: &micro_grid_ids,
        tags: &tags,
        created_by: caller.user_id,
    };
    let (stored, covered) = queries::insert(&mut conn, tenant, scope, &new).await?;
    if covered == 0 {
        // Nothing is committed: the transaction ends with the connection.
        let field = if tags.is_empty() { "grid_ids" } else { "tags" };
        return Err(AppError::invalid(
            field,
            "the task covers no household: none of those places has a household with these tags",
        ));
    }
    let detail = json!({"title": stored.title, "households": covered});
    audit::record(
        &mut conn,
        &caller,
        tenant,
        AuditAction::TaskCreate,
        "task",
        Some(stored.id),
        Some(detail),
    )
    .await?;
    conn.commit().await?;
    let (round, _) = round_of(&stored, zone, today);
    let task = shown(stored, round, today, covered as i64, 0);
    Ok(HttpResponse::Created().json(task))
}

/// List the tasks
///
/// The tasks reaching the caller, newest first: a leader's are those covering a household
/// they lead now, with their own counts; a grid supervisor's those covering their grid.
#[utoipa::path(
    get, path = "/api/v1/tasks", tag = "tasks",
    operation_id = "list_tasks",
    params(TaskFilter),
    responses(
        (status = 200, description = "A page of tasks", body = Paged<Task>),
        (status = 400, description = "Bad filter or paging", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Handlers and platform admins have no tasks", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(caller: Caller, query: web::Query<TaskFilter>) -> AppResult<HttpResponse> {
    caller.require(READERS)?;
    let tenant = caller.tenant()?;
    let scope = Scope::of(&caller)?;
    let filter = query.into_inner();
    let page = PageQuery {
        page: filter.page,
        per_page: filter.per_page,
    }
    .check()?;
    let mut conn = caller.db().await?;
    let (zone, today) = today(&mut conn, tenant).await?;
    let (stored, total) = progress::list(&mut conn, tenant, scope, filter.closed, page).await?;
    let rounds: Vec<(Round, Option<DateTime<Utc>>)> =
        stored.iter().map(|t| round_of(t, zone, today)).collect();
    let keys: Vec<(Uuid, Option<DateTime<Utc>>)> = stored
        .iter()
        .zip(&rounds)
        .map(|(t, (_, since))| (t.id, *since))
        .collect();
    let counts: HashMap<Uuid, (i64, i64)> = progress::counts(&mut conn, tenant, scope, &keys)
        .await?
        .into_iter()
        .map(|(id, households, done)| (id, (households, done)))
        .collect();
    let items = stored
        .into_iter()
        .zip(rounds)
        .map(|(task, (round, _))| {
            let (households, done) = counts.get(&task.id).copied().unwrap_or((0, 0));
            shown(task, round, today, households, done)
        })
        .collect();
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

/// A task and its progress
///
/// With its progress per micro-grid (grid, micro-grid and leader named), counted in the
/// caller's scope where the households live now. A task reaching none of the caller's
/// households is 404.
#[utoipa::path(
    get, path = "/api/v1/tasks/{id}", tag = "tasks",
    operation_id = "get_task",
    params(("id" = Uuid, Path, description = "The task")),
    responses(
        (status = 200, description = "The task", body = TaskDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Handlers and platform admins have no tasks", body = ErrorBody),
        (status = 404, description = "Not a task in your reach", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show(caller: Caller, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    caller.require(READERS)?;
    let tenant = caller.tenant()?;
    let scope = Scope::of(&caller)?;
    let mut conn = caller.db().await?;
    let (zone, today) = today(&mut conn, tenant).await?;
    let stored = queries::find(&mut conn, tenant, *id).await?;
    let (round, since) = round_of(&stored, zone, today);
    let progress = progress::progress(&mut conn, tenant, scope, stored.id, since).await?;
    if progress.is_empty() && scope != Scope::Township {
        return Err(AppError::NotFound);
    }
    let households = progress.iter().map(|p| p.households).sum();
    let done = progress.iter().map(|p| p.done).sum();
    let task = shown(stored, round, today, households, done);
    Ok(HttpResponse::Ok().json(TaskDetail { task, progress }))
}

/// A task's households
///
/// The task's households in the caller's scope, by micro-grid and name, each with whether it
/// is done in the current round and the latest linked visit of that round.
#[utoipa::path(
    get, path = "/api/v1/tasks/{id}/households", tag = "tasks",
    operation_id = "list_task_households",
    params(("id" = Uuid, Path, description = "The task"), TaskHouseholdFilter),
    responses(
        (status = 200, description = "A page of households", body = Paged<TaskHousehold>),
        (status = 400, description = "Bad filter or paging", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Handlers and platform admins have no tasks", body = ErrorBody),
        (status = 404, description = "Not a task in your reach", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn households(
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<TaskHouseholdFilter>,
) -> AppResult<HttpResponse> {
    caller.require(READERS)?;
    let tenant = caller.tenant()?;
    let scope = Scope::of(&caller)?;
    let filter = query.into_inner();
    let page = PageQuery {
        page: filter.page,
        per_page: filter.per_page,
    }
    .check()?;
    let mut conn = caller.db().await?;
    let (zone, today) = today(&mut conn, tenant).await?;
    let stored = progress::find_reached(&mut conn, tenant, scope, *id).await?;
    let (_, since) = round_of(&stored, zone, today);
    let (items, total) = progress::households(
        &mut conn,
        tenant,
        scope,
        stored.id,
        since,
        filter.done,
        page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

/// Close a task
///
/// A closed task no longer repeats and leaves the leaders' lists; its figures stay. A grid
/// supervisor closes only the tasks they sent.
#[utoipa::path(
    post, path = "/api/v1/tasks/{id}/close", tag = "tasks",
    operation_id = "close_task",
    params(("id" = Uuid, Path, description = "The task")),
    responses(
        (status = 200, description = "Closed", body = Task),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin or supervisor, or another's task", body = ErrorBody),
        (status = 404, description = "Not a task in your reach", body = ErrorBody),
        (status = 409, description = "Closed already", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn close(caller: Caller, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    caller.require(SENDERS)?;
    let tenant = caller.tenant()?;
    let scope = Scope::of(&caller)?;
    let mut conn = caller.db().await?;
    let (zone, today) = today(&mut conn, tenant).await?;
    let stored = progress::find_reached(&mut conn, tenant, scope, *id).await?;
    if scope != Scope::Township && stored.created_by != caller.user_id {
        return Err(AppError::Forbidden);
    }
    let Some(closed) = queries::close(&mut conn, tenant, stored.id).await? else {
        return Err(AppError::conflict("the task is closed already"));
    };
    audit::record(
        &mut conn,
        &caller,
        tenant,
        AuditAction::TaskClose,
        "task",
        Some(closed.id),
        Some(json!({"title": closed.title})),
    )
    .await?;
    let (round, since) = round_of(&closed, zone, today);
    let counted = progress::counts(&mut conn, tenant, scope, &[(closed.id, since)]).await?;
    conn.commit().await?;
    let (households, done) = counted.first().map_or((0, 0), |(_, h, d)| (*h, *d));
    Ok(HttpResponse::Ok().json(shown(closed, round, today, households, done)))
}
