//! Micro-grids (微网格): created and edited by the tenant admin inside a grid, read within
//! scope (a leader sees only the micro-grids they lead).

use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use super::queries;
use super::types::{
    new_name, parse_group_name, refuse_null_name, CreateMicroGrid, MicroGrid, MicroGridListQuery,
    UpdateMicroGrid,
};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::auth::Scope;
use crate::domain::{Name, Role};
use crate::error::{checked, AppResult, ErrorBody, Problems};
use crate::http::{Json, PageQuery, Paged};

/// Creates a micro-grid in a grid (tenant admin); its kind is the grid's, its name unique
/// in the township (rosters name micro-grids).
#[utoipa::path(
    post, path = "/api/v1/grids/{grid_id}/micro-grids", tag = "micro-grids",
    operation_id = "create_micro_grid",
    params(("grid_id" = Uuid, Path)),
    request_body = CreateMicroGrid,
    responses(
        (status = 201, body = MicroGrid),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    grid_id: web::Path<Uuid>,
    body: Json<CreateMicroGrid>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    Problems::validated(&*body).finish()?;
    let name = checked(Name::parse(&body.name))?;
    let group_name = match &body.group_name {
        Some(group) => Some(checked(parse_group_name(group))?),
        None => None,
    };
    let grid_id = *grid_id;
    let mut conn = caller.db().await?;
    let micro_grid = conn
        .transaction(async |conn| -> AppResult<MicroGrid> {
            let id = queries::insert_micro_grid(
                conn,
                tenant,
                grid_id,
                name.as_str(),
                group_name.as_deref(),
            )
            .await?;
            let detail = json!({"grid_id": grid_id, "name": name, "group_name": group_name});
            audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::MicroGridCreate,
                "micro_grid",
                Some(id),
                Some(detail),
            )
            .await?;
            queries::find_micro_grid(conn, tenant, Scope::Township, id).await
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Created().json(micro_grid))
}

/// The micro-grids in the caller's scope, optionally of one grid or one leader.
#[utoipa::path(
    get, path = "/api/v1/micro-grids", tag = "micro-grids",
    operation_id = "list_micro_grids",
    params(MicroGridListQuery),
    responses(
        (status = 200, body = Paged<MicroGrid>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    query: web::Query<MicroGridListQuery>,
) -> AppResult<HttpResponse> {
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .check()?;
    let scope = Scope::of(&caller)?;
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    let (items, total) = queries::list_micro_grids(
        &mut conn,
        tenant,
        scope,
        query.grid_id,
        query.leader_id,
        page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

/// One micro-grid in the caller's scope.
#[utoipa::path(
    get, path = "/api/v1/micro-grids/{id}", tag = "micro-grids",
    operation_id = "show_micro_grid",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = MicroGrid),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show(caller: Caller, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let scope = Scope::of(&caller)?;
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    let micro_grid = queries::find_micro_grid(&mut conn, tenant, scope, *id).await?;
    Ok(HttpResponse::Ok().json(micro_grid))
}

/// Renames a micro-grid or sets its messaging group (null: it has none) (tenant admin).
#[utoipa::path(
    patch, path = "/api/v1/micro-grids/{id}", tag = "micro-grids",
    operation_id = "update_micro_grid",
    params(("id" = Uuid, Path)),
    request_body = UpdateMicroGrid,
    responses(
        (status = 200, body = MicroGrid),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<UpdateMicroGrid>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let mut problems = Problems::validated(&*body);
    refuse_null_name(&mut problems, &body.name);
    problems.finish()?;
    let name = new_name(&body.name)?;
    let group_name = match &body.group_name {
        Some(Some(group)) => Some(Some(checked(parse_group_name(group))?)),
        Some(None) => Some(None),
        None => None,
    };
    let id = *id;
    let mut conn = caller.db().await?;
    let micro_grid = conn
        .transaction(async |conn| -> AppResult<MicroGrid> {
            let group = group_name.as_ref().map(Option::as_deref);
            let name = name.as_ref().map(Name::as_str);
            queries::update_micro_grid(conn, tenant, id, name, group).await?;
            if name.is_some() || group_name.is_some() {
                let detail = json!({"name": name, "group_name": group_name});
                audit::record(
                    conn,
                    &caller,
                    tenant,
                    AuditAction::MicroGridUpdate,
                    "micro_grid",
                    Some(id),
                    Some(detail),
                )
                .await?;
            }
            queries::find_micro_grid(conn, tenant, Scope::Township, id).await
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok().json(micro_grid))
}
