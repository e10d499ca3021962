//! `GET /users` and `GET /users/{id}`: the township's staff list.
//!
//! Supervisors may read it too: they need leaders' names and phones to follow up on the
//! work they oversee. A grid supervisor sees the whole staff list, because staff are
//! township-wide (a leader may hold micro-grids in several grids). Leaders may not.

use actix_web::web;
use uuid::Uuid;

use crate::auth::Caller;
use crate::domain::Role;
use crate::error::{AppResult, ErrorBody};
use crate::http::{PageQuery, Paged};

use super::queries;
use super::types::{User, UserFilter};

/// List staff
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    params(UserFilter),
    responses(
        (status = 200, description = "A page of staff, by username", body = Paged<User>),
        (status = 400, description = "Unknown role or bad paging", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither township admin nor supervisor", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_users(
    caller: Caller,
    filter: web::Query<UserFilter>,
) -> AppResult<web::Json<Paged<User>>> {
    caller.require(&[Role::TenantAdmin, Role::Supervisor])?;
    let tenant = caller.tenant()?;
    let filter = filter.into_inner();
    let page = PageQuery {
        page: filter.page,
        per_page: filter.per_page,
    }
    .check()?;
    let mut conn = caller.db().await?;
    let (rows, total) =
        queries::list(&mut conn, tenant, filter.role, filter.q.as_deref(), page).await?;
    let items = rows.into_iter().map(User::from).collect();
    Ok(web::Json(Paged::new(items, total, page)))
}

/// One staff member
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither township admin nor supervisor", body = ErrorBody),
        (status = 404, description = "No such user in this township", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_user(caller: Caller, id: web::Path<Uuid>) -> AppResult<web::Json<User>> {
    caller.require(&[Role::TenantAdmin, Role::Supervisor])?;
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    let row = queries::find(&mut conn, tenant, id.into_inner()).await?;
    Ok(web::Json(row.into()))
}
