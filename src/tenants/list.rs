//! `GET /tenants`: the townships, oldest first.

use actix_web::web;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::auth::Caller;
use crate::db::schema::tenants;
use crate::domain::Role;
use crate::error::{AppResult, ErrorBody};
use crate::http::{PageQuery, Paged};

use super::types::Tenant;

/// List townships
#[utoipa::path(
    get,
    path = "/api/v1/tenants",
    tag = "tenants",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of townships", body = Paged<Tenant>),
        (status = 400, description = "Bad paging", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a platform admin", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_tenants(
    caller: Caller,
    query: web::Query<PageQuery>,
) -> AppResult<web::Json<Paged<Tenant>>> {
    caller.require(&[Role::PlatformAdmin])?;
    let page = query.into_inner().check()?;
    let mut conn = caller.db().await?;
    let total: i64 = tenants::table.count().get_result(&mut conn).await?;
    let items = tenants::table
        .order((tenants::created_at.asc(), tenants::id.asc()))
        .offset(page.offset())
        .limit(page.limit())
        .select(Tenant::as_select())
        .load(&mut conn)
        .await?;
    Ok(web::Json(Paged::new(items, total, page)))
}
