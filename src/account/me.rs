//! `GET /me` and `POST /me/password`: the caller's own account.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use secrecy::SecretString;

use crate::audit::AuditAction;
use crate::db::schema::tenants;
use crate::error::{AppError, AppResult, ErrorBody, Problems};
use crate::http::Json;
use crate::tags;
use crate::users::types::check_not_username;

use super::sessions;
use super::types::{Me, MyTenant, PasswordChange, TagInterval};
use crate::auth::passwords;
use crate::auth::throttle::LoginThrottle;
use crate::auth::Caller;

/// Who am I
///
/// The account, and the township's settings a phone needs to count due days offline
/// (`tenant`, null for a platform admin).
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller's account and township", body = Me),
        (status = 401, description = "Not logged in, or the session has ended", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn me(caller: Caller) -> AppResult<web::Json<Me>> {
    let mut conn = caller.db().await?;
    let (account, _) =
        sessions::find_with_hash(&mut conn, caller.tenant_id, caller.user_id).await?;
    let tenant = match caller.tenant_id {
        Some(tenant) => {
            let (code, name, timezone, visit_interval_days) = tenants::table
                .filter(tenants::id.eq(tenant))
                .select((
                    tenants::code,
                    tenants::name,
                    tenants::timezone,
                    tenants::visit_interval_days,
                ))
                .first::<(String, String, String, i32)>(&mut conn)
                .await?;
            let tag_intervals = tags::queries::intervals(&mut conn, tenant)
                .await?
                .into_iter()
                .map(|(tag, visit_interval_days)| TagInterval {
                    tag,
                    visit_interval_days,
                })
                .collect();
            Some(MyTenant {
                code,
                name,
                timezone,
                visit_interval_days,
                tag_intervals,
            })
        }
        None => None,
    };
    Ok(web::Json(Me {
        user: account.user,
        tenant,
    }))
}

/// Change my password
///
/// A wrong `current_password` is a 422 naming that field, not a 401: the session itself is
/// fine, and clients should not log the user out for a typo. Wrong guesses count as failed
/// logins of the account, in the same counter (a token does not buy more guesses). On success
/// every session of the account ends, this one included: log in again with the new password.
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "auth",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; every session has ended"),
        (status = 400, description = "Malformed JSON or unknown fields", body = ErrorBody),
        (status = 401, description = "Not logged in, or the session has ended", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 422, description = "Wrong current password or a weak new one", body = ErrorBody),
        (status = 429, description = "Too many wrong current passwords; see Retry-After", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next attempt is allowed"))),
    ),
    security(("bearer" = []))
)]
pub async fn change_password(
    caller: Caller,
    throttle: web::Data<LoginThrottle>,
    body: Json<PasswordChange>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut conn = caller.db().await?;
    let (account, hash) =
        sessions::find_with_hash(&mut conn, caller.tenant_id, caller.user_id).await?;
    let code = match caller.tenant_id {
        Some(tenant) => {
            tenants::table
                .find(tenant)
                .select(tenants::code)
                .first::<String>(&mut conn)
                .await?
        }
        None => String::new(),
    };
    drop(conn);
    let username = account.user.username;

    let ip = caller
        .ip
        .as_deref()
        .and_then(|ip| ip.parse().ok())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    // The login's own key (address, township code, username): a guess here is a guess there.
    let attempt = throttle
        .begin(ip, &code, &username)
        .map_err(AppError::RateLimited)?;
    let same = body.current_password == body.new_password;
    let matches = passwords::verify(
        SecretString::from(body.current_password.clone()),
        Some(hash),
    )
    .await?;
    let mut problems = Problems::validated(&body);
    if matches {
        attempt.succeeded();
    } else {
        attempt.failed();
        problems.add("current_password", "is not correct");
    }
    let new_password = body.new_password;
    check_not_username(&mut problems, "new_password", &new_password, &username);
    if same {
        problems.add("new_password", "must differ from the current password");
    }
    problems.finish()?;

    let hash = passwords::hash(SecretString::from(new_password)).await?;
    let mut conn = caller.db().await?;
    conn.transaction::<_, AppError, _>(async |conn| {
        sessions::set_password(conn, caller.tenant_id, caller.user_id, &hash).await?;
        // Platform admins own no township, so there is no township audit log to write to.
        if let Some(tenant) = caller.tenant_id {
            crate::audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::UserPassword,
                "user",
                Some(caller.user_id),
                None,
            )
            .await?;
        }
        Ok(())
    })
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
