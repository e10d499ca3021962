//! `POST /users`: a township admin adds a staff member.

use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;
use secrecy::SecretString;
use uuid::Uuid;

use crate::auth::{passwords, Caller};
use crate::domain::{Phone, Role};
use crate::error::{AppError, AppResult, ErrorBody, Problems};

use super::queries::{self, NewUserRow};
use super::types::{check_display_name, check_password, check_username, NewUser, User};

/// Add a staff member
///
/// `grid_id` is a supervisor's scope (one grid of the township); for other roles it must
/// be absent or null, since it would mean nothing.
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
pub async fn create_user(caller: Caller, body: web::Json<NewUser>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let body = body.into_inner();
    let mut problems = Problems::new();
    let username = check_username(&mut problems, "username", &body.username);
    let display_name = check_display_name(&mut problems, "display_name", &body.display_name);
    // A township's staff only: the message names what may be asked for here.
    let role = match body.role.parse::<Role>() {
        Ok(Role::PlatformAdmin) | Err(_) => {
            problems.add("role", "must be one of: tenant_admin, supervisor, leader");
            None
        }
        Ok(role) => Some(role),
    };
    check_password(&mut problems, "password", &body.password, &username);
    let phone = body
        .phone
        .as_deref()
        .and_then(|p| problems.check("phone", Phone::parse(p)));
    if body.grid_id.is_some() && role.is_some_and(|r| r != Role::Supervisor) {
        problems.add("grid_id", "only a supervisor has a grid scope");
    }
    let mut conn = caller.db().await?;
    if let Some(grid) = body.grid_id {
        if !queries::grid_exists(&mut conn, tenant, grid).await? {
            problems.add("grid_id", "no such grid in this township");
        }
    }
    problems.finish()?;
    let role = role.ok_or_else(|| AppError::internal(anyhow::anyhow!("role checked above")))?;
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
                    username: &username,
                    display_name: &display_name,
                    role,
                    phone: phone.as_ref().map(Phone::as_str),
                    grid_id: body.grid_id,
                    password_hash: &hash,
                },
            )
            .await
            .map_err(username_taken)?;
            let detail = serde_json::json!({"username": row.username, "role": row.role});
            crate::audit::record(
                conn,
                &caller,
                tenant,
                "user.create",
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

/// The only unique key a new user can hit is (tenant, username).
pub fn username_taken(error: AppError) -> AppError {
    match error {
        AppError::Conflict(_) => AppError::conflict("this username is taken in the township"),
        other => other,
    }
}
