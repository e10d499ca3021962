//! `GET /issues/{id}` and `GET /issues`: one issue with its history, and the lists (the
//! township's queue is `?status=escalated`).

use actix_web::web;
use uuid::Uuid;

use crate::auth::Caller;
use crate::domain::Role;
use crate::domain::{DayRange, Instants};
use crate::error::{AppResult, ErrorBody};
use crate::http::{PageQuery, Paged};
use crate::issues::queries;
use crate::issues::queries::Reach;
use crate::issues::types::{Issue, IssueDetail, IssueFilter};

/// Who may read issues: the grid's staff in their scope, and a department's handlers the
/// issues routed to their department.
const READERS: &[Role] = &[
    Role::Leader,
    Role::Supervisor,
    Role::TenantAdmin,
    Role::Handler,
];

/// One issue with every transition
#[utoipa::path(
    get,
    path = "/api/v1/issues/{id}",
    tag = "issues",
    params(("id" = Uuid, Path, description = "The issue")),
    responses(
        (status = 200, description = "The issue and its events, oldest first", body = IssueDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 404, description = "Not in your tenant and scope", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show_issue(
    caller: Caller,
    path: web::Path<Uuid>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(READERS)?;
    let tenant_id = caller.tenant()?;
    let mut conn = caller.db().await?;
    let detail =
        queries::detail(&mut conn, tenant_id, Reach::of(&caller)?, path.into_inner()).await?;
    Ok(web::Json(detail))
}

/// List issues
///
/// Newest first. Leaders see their own households' issues, a grid supervisor their grid's,
/// a handler those routed to their department. `overdue=true` is the 督办 list.
/// `micro_grid_id`/`grid_id` are the household's current place; `from`/`to` are days raised,
/// in the township's time zone, inclusive.
#[utoipa::path(
    get,
    path = "/api/v1/issues",
    tag = "issues",
    params(IssueFilter),
    responses(
        (status = 200, description = "A page of issues", body = Paged<Issue>),
        (status = 400, description = "Bad query value (status, category, id, date, paging)", body = ErrorBody),
        (status = 422, description = "`from` after `to`", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_issues(
    caller: Caller,
    query: web::Query<IssueFilter>,
) -> AppResult<web::Json<Paged<Issue>>> {
    caller.require(READERS)?;
    let tenant_id = caller.tenant()?;
    let filter = query.into_inner();
    let page = PageQuery {
        page: filter.page,
        per_page: filter.per_page,
    }
    .check()?;
    let days = DayRange::new(filter.from, filter.to)?;
    let mut conn = caller.db().await?;
    let range = if days.is_open() {
        Instants::default()
    } else {
        days.instants(crate::db::zone_of(&mut conn, tenant_id).await?)?
    };
    let (items, total) = queries::list(
        &mut conn,
        tenant_id,
        Reach::of(&caller)?,
        &filter,
        range,
        page,
    )
    .await?;
    Ok(web::Json(Paged::new(items, total, page)))
}
