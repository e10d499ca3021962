//! `GET /visits`: the visit log, newest first, within the caller's scope.

use actix_web::web;

use crate::auth::{Caller, Scope};
use crate::domain::{DayRange, Instants, Role};
use crate::error::{AppResult, ErrorBody};
use crate::http::{PageQuery, Paged};
use crate::visits::queries;
use crate::visits::types::{Visit, VisitFilter};

/// List visits
///
/// Leaders see the visits made in the micro-grids they lead, a grid supervisor those in
/// their grid, tenant admins and township supervisors all. `from`/`to` are days in the
/// township's time zone, both inclusive.
#[utoipa::path(
    get,
    path = "/api/v1/visits",
    tag = "visits",
    params(VisitFilter),
    responses(
        (status = 200, description = "A page of visits, newest first", body = Paged<Visit>),
        (status = 400, description = "Bad query value (id, date, paging)", body = ErrorBody),
        (status = 422, description = "`from` after `to`", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_visits(
    caller: Caller,
    query: web::Query<VisitFilter>,
) -> AppResult<web::Json<Paged<Visit>>> {
    caller.require(&[Role::Leader, Role::Supervisor, Role::TenantAdmin])?;
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
        Scope::of(&caller)?,
        &filter,
        range,
        page,
    )
    .await?;
    Ok(web::Json(Paged::new(items, total, page)))
}
