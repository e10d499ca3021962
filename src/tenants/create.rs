//! `POST /tenants`: a platform admin opens a township with its first admin.
//!
//! A platform path: the platform admin has no township, so the transaction itself tells
//! PostgreSQL which township it writes into (`app.tenant_id`, local to the transaction)
//! before creating the admin and the audit record there.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use secrecy::SecretString;
use uuid::Uuid;

use crate::auth::{passwords, Caller};
use crate::db::schema::tenants;
use crate::domain::{Role, TenantCode};
use crate::error::{AppError, AppResult, ErrorBody, Problems};
use crate::users::queries::{self as user_queries, NewUserRow};
use crate::users::types::{check_display_name, check_password, check_username};

use super::types::{NewTenant, Tenant};

/// Open a township
#[utoipa::path(
    post,
    path = "/api/v1/tenants",
    tag = "tenants",
    request_body = NewTenant,
    responses(
        (status = 201, description = "Created, with its first admin", body = Tenant),
        (status = 400, description = "Malformed JSON or unknown fields", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a platform admin", body = ErrorBody),
        (status = 409, description = "The code is taken", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 422, description = "Invalid values", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_tenant(caller: Caller, body: web::Json<NewTenant>) -> AppResult<HttpResponse> {
    caller.require(&[Role::PlatformAdmin])?;
    let body = body.into_inner();
    let mut problems = Problems::new();
    let code = problems.check("code", TenantCode::parse(body.code.trim()));
    let name = check_display_name(&mut problems, "name", &body.name);
    let timezone = body
        .timezone
        .as_deref()
        .map(str::trim)
        .unwrap_or("Asia/Shanghai")
        .to_owned();
    if timezone.parse::<chrono_tz::Tz>().is_err() {
        problems.add(
            "timezone",
            "must be an IANA time zone such as Asia/Shanghai",
        );
    }
    let interval = body.visit_interval_days.unwrap_or(7);
    if !(1..=365).contains(&interval) {
        problems.add("visit_interval_days", "must be between 1 and 365");
    }
    let admin = body.admin;
    let username = check_username(&mut problems, "admin.username", &admin.username);
    let display_name = check_display_name(&mut problems, "admin.display_name", &admin.display_name);
    check_password(&mut problems, "admin.password", &admin.password, &username);
    problems.finish()?;
    let code = code.ok_or_else(|| AppError::internal(anyhow::anyhow!("code checked above")))?;

    let hash = passwords::hash(SecretString::from(admin.password)).await?;
    let mut conn = caller.db().await?;
    let tenant = conn
        .transaction::<_, AppError, _>(async |conn| {
            let tenant: Tenant = diesel::insert_into(tenants::table)
                .values((
                    tenants::id.eq(Uuid::now_v7()),
                    tenants::code.eq(code.as_str()),
                    tenants::name.eq(&name),
                    tenants::timezone.eq(&timezone),
                    tenants::visit_interval_days.eq(interval),
                ))
                .returning(Tenant::as_returning())
                .get_result(conn)
                .await
                .map_err(|e| match AppError::from(e) {
                    AppError::Conflict(_) => AppError::conflict("this township code is taken"),
                    other => other,
                })?;
            diesel::sql_query(crate::db::scoped::scope_sql(Some(tenant.id)))
                .execute(conn)
                .await?;
            let admin = user_queries::insert(
                conn,
                NewUserRow {
                    tenant_id: tenant.id,
                    id: Uuid::now_v7(),
                    username: &username,
                    display_name: &display_name,
                    role: Role::TenantAdmin,
                    phone: None,
                    grid_id: None,
                    password_hash: &hash,
                },
            )
            .await?;
            let detail = serde_json::json!({
                "code": tenant.code,
                "admin_id": admin.id,
                "admin_username": admin.username,
            });
            crate::audit::record(
                conn,
                &caller,
                tenant.id,
                "tenant.create",
                "tenant",
                Some(tenant.id),
                Some(detail),
            )
            .await?;
            Ok(tenant)
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Created().json(tenant))
}
