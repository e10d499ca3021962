//! `POST /departments`, `GET /departments`, `PATCH /departments/{id}`.

use actix_web::{web, HttpResponse};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::departments::queries;
use crate::departments::types::{Department, DepartmentBody};
use crate::domain::{Name, Role};
use crate::error::{checked, AppResult, ErrorBody, Problems};
use crate::http::{Json, PageQuery, Paged};

/// Who may read the list: every member of the township's staff (a leader sees where an
/// issue went, a handler which office they belong to).
const STAFF: &[Role] = &[
    Role::TenantAdmin,
    Role::Supervisor,
    Role::Leader,
    Role::Handler,
];

/// Add a department
///
/// A township office that issues can be routed to (tenant admin). Its name is unique in the
/// township.
#[utoipa::path(
    post, path = "/api/v1/departments", tag = "departments",
    operation_id = "create_department",
    request_body = DepartmentBody,
    responses(
        (status = 201, description = "Created", body = Department),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a township admin", body = ErrorBody),
        (status = 409, description = "The township has a department of that name", body = ErrorBody),
        (status = 422, description = "Name empty or too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(caller: Caller, body: Json<DepartmentBody>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    Problems::validated(&*body).finish()?;
    let name = checked(Name::parse(&body.name))?;
    let mut conn = caller.db().await?;
    let department = queries::insert(&mut conn, tenant, name.as_str()).await?;
    let detail = json!({"name": department.name});
    audit::record(
        &mut conn,
        &caller,
        tenant,
        AuditAction::DepartmentCreate,
        "department",
        Some(department.id),
        Some(detail),
    )
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::Created().json(department))
}

/// List the departments
///
/// The township's departments by name (every member of its staff).
#[utoipa::path(
    get, path = "/api/v1/departments", tag = "departments",
    operation_id = "list_departments",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of departments", body = Paged<Department>),
        (status = 400, description = "Bad paging", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(caller: Caller, query: web::Query<PageQuery>) -> AppResult<HttpResponse> {
    caller.require(STAFF)?;
    let tenant = caller.tenant()?;
    let page = query.into_inner().check()?;
    let mut conn = caller.db().await?;
    let (items, total) = queries::list(&mut conn, tenant, page).await?;
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

/// Rename a department
///
/// (tenant admin). Its issues and handlers stay with it.
#[utoipa::path(
    patch, path = "/api/v1/departments/{id}", tag = "departments",
    operation_id = "update_department",
    params(("id" = Uuid, Path, description = "The department")),
    request_body = DepartmentBody,
    responses(
        (status = 200, description = "Renamed", body = Department),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a township admin", body = ErrorBody),
        (status = 404, description = "Not a department of your township", body = ErrorBody),
        (status = 409, description = "The township has a department of that name", body = ErrorBody),
        (status = 422, description = "Name empty or too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<DepartmentBody>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    Problems::validated(&*body).finish()?;
    let name = checked(Name::parse(&body.name))?;
    let mut conn = caller.db().await?;
    let department = queries::rename(&mut conn, tenant, *id, name.as_str()).await?;
    audit::record(
        &mut conn,
        &caller,
        tenant,
        AuditAction::DepartmentUpdate,
        "department",
        Some(department.id),
        Some(json!({"name": department.name})),
    )
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok().json(department))
}
