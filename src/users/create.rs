//! `POST /users`: a township admin adds a staff member.

use actix_web::HttpResponse;
use diesel_async::AsyncConnection;
use secrecy::SecretString;
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::auth::{passwords, Caller};
use crate::departments;
use crate::domain::{rules::parse_staff_role, Name, Phone, Role, Username};
use crate::error::{checked, AppError, AppResult, ErrorBody, Problems};
use crate::http::Json;

use super::queries::{self, NewUserRow};
use super::types::{check_not_username, NewUser, User};

/// Add a staff member
///
/// `grid_id` is a supervisor's scope (one grid of the township); for other roles it must
/// be absent or null, since it would mean nothing. A handler needs a `department_id` of the
/// township, and only a handler may have one.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 400, description = "Malformed JSON or unknown fields", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a township admin", body = ErrorBody),
        (status = 409, description = "The username is taken in this township", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 422, description = "Invalid values", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_user(caller: Caller, body: Json<NewUser>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let body = body.into_inner();
    let mut problems = Problems::validated(&body);
    check_not_username(&mut problems, "password", &body.password, &body.username);
    let role = parse_staff_role(&body.role).ok();
    if body.grid_id.is_some() && role.is_some_and(|r| r != Role::Supervisor) {
        problems.add("grid_id", "only a supervisor has a grid scope");
    }
    match (role, body.department_id) {
        (Some(Role::Handler), None) => {
            problems.add("department_id", "a handler needs a department")
        }
        (Some(r), Some(_)) if r != Role::Handler => {
            problems.add("department_id", "only a handler belongs to a department")
        }
        _ => {}
    }
    let mut conn = caller.db().await?;
    if let Some(grid) = body.grid_id {
        if !queries::grid_exists(&mut conn, tenant, grid).await? {
            problems.add("grid_id", "no such grid in this township");
        }
    }
    if let Some(department) = body
        .department_id
        .filter(|_| !problems.has("department_id"))
    {
        if !departments::queries::exists(&mut conn, tenant, department).await? {
            problems.add("department_id", "no such department in this township");
        }
    }
    problems.finish()?;
    let username = checked(Username::parse(&body.username))?;
    let display_name = checked(Name::parse(&body.display_name))?;
    let role = checked(parse_staff_role(&body.role))?;
    let phone = body.phone.as_deref().map(Phone::parse).transpose();
    let phone = checked(phone)?;
    // Hash without holding the connection: argon2 takes tens of milliseconds.
    drop(conn);
    let hash = passwords::hash(SecretString::from(body.password)).await?;
    let mut conn = caller.db().await?;
    let user = conn
        .transaction::<_, AppError, _>(async |conn| {
            let row = queries::insert(
                conn,
                NewUserRow {
                    tenant_id: tenant,
                    id: Uuid::now_v7(),
                    username: username.as_str(),
                    display_name: display_name.as_str(),
                    role,
                    phone: phone.as_ref().map(Phone::as_str),
                    grid_id: body.grid_id,
                    department_id: body.department_id,
                    password_hash: &hash,
                },
            )
            .await?;
            let detail = serde_json::json!({"username": row.username, "role": row.role});
            crate::audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::UserCreate,
                "user",
                Some(row.id),
                Some(detail),
            )
            .await?;
            Ok(User::from(row))
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Created().json(user))
}
