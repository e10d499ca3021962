//! `GET /audit`: who wrote or exported what, newest first (township admins only).

use actix_web::{web, HttpResponse};

use super::queries::{self, Filter};
use super::types::{AuditEntry, AuditQuery};
use crate::auth::Caller;
use crate::db::zone_of;
use crate::domain::{DayRange, Role};
use crate::error::{AppResult, ErrorBody};
use crate::http::{PageQuery, Paged};

#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit",
    operation_id = "list_audit_entries",
    params(AuditQuery),
    responses(
        (status = 200, description = "a page of entries, newest first", body = inline(Paged<AuditEntry>)),
        (status = 400, description = "a date, id or page that does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "anyone but a township admin", body = ErrorBody),
        (status = 422, description = "`from` after `to`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(caller: Caller, query: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let query = query.into_inner();
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .check()?;
    let days = DayRange::new(query.from, query.to)?;
    let mut conn = caller.db().await?;
    let range = days.instants(zone_of(&mut conn, tenant).await?)?;
    let filter = Filter {
        tenant,
        start: range.start,
        end: range.end,
        actor_id: query.actor_id,
        action: query.action,
    };
    let (items, total) = queries::list(&mut conn, &filter, page).await?;
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}
