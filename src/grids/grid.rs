//! Grids (网格): created and renamed by the tenant admin, read by everyone within scope.

use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use super::queries;
use super::types::{new_name, refuse_null_name, CreateGrid, Grid, GridListQuery, UpdateGrid};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::auth::Scope;
use crate::domain::{Name, Role};
use crate::error::{checked, AppResult, ErrorBody, Problems};
use crate::http::{Json, PageQuery, Paged};

/// Creates a grid (tenant admin); its name is unique in the township.
#[utoipa::path(
    post, path = "/api/v1/grids", tag = "grids",
    operation_id = "create_grid",
    request_body = CreateGrid,
    responses(
        (status = 201, body = Grid),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(caller: Caller, body: Json<CreateGrid>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    Problems::validated(&*body).finish()?;
    let name = checked(Name::parse(&body.name))?;
    let mut conn = caller.db().await?;
    let grid = conn
        .transaction(async |conn| -> AppResult<Grid> {
            let grid = queries::insert_grid(conn, tenant, name.as_str(), body.kind).await?;
            let detail = json!({"name": grid.name, "kind": grid.kind});
            audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::GridCreate,
                "grid",
                Some(grid.id),
                Some(detail),
            )
            .await?;
            Ok(grid)
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Created().json(grid))
}

/// The grids in the caller's scope: all for admins and township supervisors, their own for
/// a grid supervisor, the grids holding their micro-grids for a leader.
#[utoipa::path(
    get, path = "/api/v1/grids", tag = "grids",
    operation_id = "list_grids",
    params(GridListQuery),
    responses(
        (status = 200, body = Paged<Grid>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(caller: Caller, query: web::Query<GridListQuery>) -> AppResult<HttpResponse> {
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .check()?;
    let scope = Scope::of(&caller)?;
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    let (items, total) = queries::list_grids(&mut conn, tenant, scope, page).await?;
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

/// One grid in the caller's scope.
#[utoipa::path(
    get, path = "/api/v1/grids/{id}", tag = "grids",
    operation_id = "show_grid",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Grid),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show(caller: Caller, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let scope = Scope::of(&caller)?;
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    let grid = queries::find_grid(&mut conn, tenant, scope, *id).await?;
    Ok(HttpResponse::Ok().json(grid))
}

/// Renames a grid (tenant admin).
#[utoipa::path(
    patch, path = "/api/v1/grids/{id}", tag = "grids",
    operation_id = "update_grid",
    params(("id" = Uuid, Path)),
    request_body = UpdateGrid,
    responses(
        (status = 200, body = Grid),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<UpdateGrid>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let mut problems = Problems::validated(&*body);
    refuse_null_name(&mut problems, &body.name);
    problems.finish()?;
    let name = new_name(&body.name)?;
    let id = *id;
    let mut conn = caller.db().await?;
    let grid = conn
        .transaction(async |conn| -> AppResult<Grid> {
            if let Some(name) = &name {
                queries::rename_grid(conn, tenant, id, name.as_str()).await?;
                let detail = json!({"name": name});
                audit::record(
                    conn,
                    &caller,
                    tenant,
                    AuditAction::GridUpdate,
                    "grid",
                    Some(id),
                    Some(detail),
                )
                .await?;
            }
            queries::find_grid(conn, tenant, Scope::Township, id).await
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok().json(grid))
}
