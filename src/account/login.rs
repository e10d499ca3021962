//! `POST /auth/login`: a password for a pair of tokens.
//!
//! Wrong township, unknown user, deactivated user and wrong password all get the same 401
//! body, and all take one argon2 check (a dummy hash when there is no account), so neither
//! the answer nor its timing tells an attacker which staff exist. Failures are throttled
//! (see `throttle`).

use std::net::{IpAddr, Ipv4Addr};

use actix_web::{web, HttpRequest};
use secrecy::SecretString;

use crate::auth::caller::client_ip;
use crate::auth::passwords;
use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::Json;

use super::sessions::{self, Issuer};
use super::types::{LoginRequest, TokenResponse};

pub const WRONG_LOGIN: AppError = AppError::Unauthenticated("wrong tenant, username or password");

/// Log in
///
/// `tenant` is the township's code; leave it out (or null) to log in as a platform admin.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 400, description = "Malformed JSON or unknown fields", body = ErrorBody),
        (status = 401, description = "Wrong tenant, username or password (one answer for all)", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next attempt is allowed"))),
        (status = 503, description = "The database cannot be reached", body = ErrorBody),
    ),
    security(())
)]
pub async fn login(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    tokens: web::Data<TokenKeys>,
    throttle: web::Data<LoginThrottle>,
    body: Json<LoginRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    let LoginRequest {
        tenant,
        username,
        password,
    } = body.into_inner();
    let tenant = tenant.map(|code| code.trim().to_ascii_lowercase());
    let username = username.trim();
    let ip = client_ip(&req, settings.trust_proxy).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let attempt = throttle
        .begin(ip, tenant.as_deref().unwrap_or(""), username)
        .map_err(|retry_after| {
            tracing::warn!(%ip, tenant = tenant.as_deref().unwrap_or(""), username, "login throttled");
            AppError::RateLimited(retry_after)
        })?;

    let found = if username.is_empty() {
        None
    } else {
        let mut conn = pool.get().await?;
        sessions::find_for_login(&mut conn, tenant.as_deref(), username).await?
    };
    // A deactivated account is checked against the dummy hash like a missing one.
    let (account, hash) = match found {
        Some((account, hash)) if account.user.active => (Some(account), Some(hash)),
        _ => (None, None),
    };
    let matches = passwords::verify(SecretString::from(password), hash).await?;
    let account = match account {
        Some(account) if matches => account,
        _ => {
            attempt.failed();
            return Err(WRONG_LOGIN);
        }
    };
    attempt.succeeded();
    let mut conn = pool.get().await?;
    let issuer = Issuer::new(&tokens, &settings);
    Ok(web::Json(
        sessions::start(&mut conn, issuer, account, Some(&ip.to_string())).await?,
    ))
}
