//! `POST /tenants`: a platform admin opens a township with its first admin.
//!
//! A platform path: the platform admin has no township, so the transaction itself tells
//! PostgreSQL which township it writes into (`app.tenant_id`, local to the transaction)
//! before creating the admin and the audit record there.

use actix_web::HttpResponse;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use secrecy::SecretString;
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::auth::{passwords, Caller};
use crate::db::schema::tenants;
use crate::domain::{parse_zone, Name, Role, TenantCode, Username, DEFAULT_ZONE};
use crate::error::{checked, AppError, AppResult, ErrorBody, Problems};
use crate::http::Json;
use crate::users::queries::{self as user_queries, NewUserRow};
use crate::users::types::check_not_username;

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
pub async fn create_tenant(caller: Caller, body: Json<NewTenant>) -> AppResult<HttpResponse> {
    caller.require(&[Role::PlatformAdmin])?;
    let body = body.into_inner();
    let mut problems = Problems::validated(&body);
    let admin = body.admin;
    check_not_username(
        &mut problems,
        "admin.password",
        &admin.password,
        &admin.username,
    );
    let mut conn = caller.db().await?;
    // The zone is the township's for good: every day boundary it has is counted in it, by
    // this service and by the database's own functions, so both must know it.
    if let Some(zone) = body.timezone.as_deref().map(str::trim) {
        if !problems.has("timezone") && !database_knows_zone(&mut conn, zone).await? {
            problems.add(
                "timezone",
                "must be an IANA time zone such as Asia/Shanghai",
            );
        }
    }
    problems.finish()?;
    let code = checked(TenantCode::parse(body.code.trim()))?;
    let name = checked(Name::parse(&body.name))?;
    let timezone = match body.timezone.as_deref() {
        Some(zone) => checked(parse_zone(zone))?,
        None => DEFAULT_ZONE,
    };
    let interval = body.visit_interval_days.unwrap_or(7);
    let username = checked(Username::parse(&admin.username))?;
    let display_name = checked(Name::parse(&admin.display_name))?;

    // Hash without holding the connection: argon2 takes tens of milliseconds.
    drop(conn);
    let hash = passwords::hash(SecretString::from(admin.password)).await?;
    let mut conn = caller.db().await?;
    let tenant = conn
        .transaction::<_, AppError, _>(async |conn| {
            let tenant: Tenant = diesel::insert_into(tenants::table)
                .values((
                    tenants::id.eq(Uuid::now_v7()),
                    tenants::code.eq(code.as_str()),
                    tenants::name.eq(name.as_str()),
                    tenants::timezone.eq(timezone.name()),
                    tenants::visit_interval_days.eq(interval),
                ))
                .returning(Tenant::as_returning())
                .get_result(conn)
                .await?;
            diesel::sql_query(crate::db::scoped::scope_sql(Some(tenant.id)))
                .execute(conn)
                .await?;
            let admin = user_queries::insert(
                conn,
                NewUserRow {
                    tenant_id: tenant.id,
                    id: Uuid::now_v7(),
                    username: username.as_str(),
                    display_name: display_name.as_str(),
                    role: Role::TenantAdmin,
                    phone: None,
                    grid_id: None,
                    department_id: None,
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
                AuditAction::TenantCreate,
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

/// Whether PostgreSQL knows `zone` too (its time zone data can be older than the service's).
async fn database_knows_zone(conn: &mut AsyncPgConnection, zone: &str) -> AppResult<bool> {
    #[derive(QueryableByName)]
    struct Known {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        known: bool,
    }
    let found: Known =
        diesel::sql_query("SELECT EXISTS (SELECT FROM pg_timezone_names WHERE name = $1) AS known")
            .bind::<diesel::sql_types::Text, _>(zone)
            .get_result(conn)
            .await?;
    Ok(found.known)
}
