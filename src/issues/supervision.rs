//! `GET /supervision` (督办): the township's late and due-soon problems counted by office, by
//! grid and by leader, for admins and supervisors (a grid supervisor: their grid). Counts
//! only — the issues themselves are `GET /issues?overdue=true` or `?due_soon=true`. No
//! ranking of people: the rows are those with something late or due, by name.

use actix_web::web;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::domain::Role;
use crate::error::{AppResult, ErrorBody};

/// Late and due-soon problems of one office, grid or leader.
#[derive(Debug, Serialize, ToSchema, QueryableByName)]
pub struct Pressing {
    #[serde(skip)]
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    /// Past their time limit, not resolved.
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    /// On the last working day of their time limit.
    #[diesel(sql_type = BigInt)]
    pub due_soon: i64,
}

/// The 督办 figures.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Supervision {
    pub overdue: i64,
    pub due_soon: i64,
    pub by_department: Vec<Pressing>,
    pub by_grid: Vec<Pressing>,
    /// The current leader of the micro-grid the problem was raised in.
    pub by_leader: Vec<Pressing>,
}

/// The 督办 list's figures
///
/// Routed problems past their time limit (`overdue`) or on its last working day
/// (`due_soon`), counted by office, grid and leader; rows with neither are left out, rows are
/// ordered by name.
#[utoipa::path(
    get, path = "/api/v1/supervision", tag = "issues",
    operation_id = "supervision",
    responses(
        (status = 200, description = "The counts in the caller's scope", body = Supervision),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin or supervisor", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn supervision(caller: Caller) -> AppResult<web::Json<Supervision>> {
    caller.require(&[Role::TenantAdmin, Role::Supervisor])?;
    let tenant = caller.tenant()?;
    let grid = if caller.is(Role::Supervisor) {
        caller.grid_id
    } else {
        None
    };
    let mut conn = caller.db().await?;
    let rows: Vec<Pressing> = diesel::sql_query(PRESSING)
        .bind::<SqlUuid, _>(tenant)
        .bind::<Nullable<SqlUuid>, _>(grid)
        .load(&mut conn)
        .await?;
    let (mut out, mut total) = (Supervision::default(), (0, 0));
    for row in rows {
        match row.kind.as_str() {
            "department" => {
                total = (total.0 + row.overdue, total.1 + row.due_soon);
                out.by_department.push(row);
            }
            "grid" => out.by_grid.push(row),
            _ => out.by_leader.push(row),
        }
    }
    (out.overdue, out.due_soon) = total;
    Ok(web::Json(out))
}

/// Every routed problem in scope that is late or due today, with its office, grid and leader,
/// then counted three ways. A routed problem always has an office, so the offices' rows add
/// up to the totals.
const PRESSING: &str = concat!(
    "WITH p AS (SELECT i.department_id, m.grid_id, m.leader_id, ",
    crate::overdue_sql!("i"),
    " AS overdue, ",
    crate::due_soon_sql!("i"),
    " AS due_soon FROM issues i \
       JOIN micro_grids m ON m.tenant_id = i.tenant_id AND m.id = i.micro_grid_id \
       WHERE i.tenant_id = $1 AND i.due_on IS NOT NULL AND i.status <> 'resolved' \
         AND ($2::uuid IS NULL OR m.grid_id = $2)), \
     q AS (SELECT * FROM p WHERE overdue OR due_soon) \
     SELECT * FROM ( \
       SELECT 'department' AS kind, d.id, d.name, count(*) FILTER (WHERE q.overdue) AS overdue, \
              count(*) FILTER (WHERE q.due_soon) AS due_soon \
       FROM q JOIN departments d ON d.tenant_id = $1 AND d.id = q.department_id GROUP BY d.id, d.name \
       UNION ALL \
       SELECT 'grid', g.id, g.name, count(*) FILTER (WHERE q.overdue), count(*) FILTER (WHERE q.due_soon) \
       FROM q JOIN grids g ON g.tenant_id = $1 AND g.id = q.grid_id GROUP BY g.id, g.name \
       UNION ALL \
       SELECT 'leader', u.id, u.display_name, count(*) FILTER (WHERE q.overdue), \
              count(*) FILTER (WHERE q.due_soon) \
       FROM q JOIN users u ON u.tenant_id = $1 AND u.id = q.leader_id GROUP BY u.id, u.display_name \
     ) x ORDER BY kind, name, id"
);
