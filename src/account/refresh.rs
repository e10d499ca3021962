//! `POST /auth/refresh` and `POST /auth/logout`: renewing and ending a session.
//!
//! Neither needs an access token: the refresh token is the credential, and a client whose
//! access token has expired must still be able to renew or end its session.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::caller::client_ip;
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::{AppResult, ErrorBody};
use crate::http::Json;

use super::sessions::{self, Issuer};
use super::types::{RefreshRequest, TokenResponse};

/// Renew a session
///
/// Spends the refresh token and returns a new pair. A refresh token used a second time
/// gets 401 and ends its whole session (it was copied), the newest token included.
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        (status = 400, description = "Malformed JSON or unknown fields", body = ErrorBody),
        (status = 401, description = "Unknown, spent, revoked or expired refresh token", body = ErrorBody),
        (status = 503, description = "The database cannot be reached", body = ErrorBody),
    ),
    security(())
)]
pub async fn refresh(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    tokens: web::Data<TokenKeys>,
    body: Json<RefreshRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    let ip = client_ip(&req, settings.trust_proxy).map(|ip| ip.to_string());
    let mut conn = pool.get().await?;
    let issuer = Issuer::new(&tokens, &settings);
    let pair = sessions::rotate(&mut conn, issuer, &body.refresh_token, ip.as_deref()).await?;
    Ok(web::Json(pair))
}

/// Log out
///
/// Ends the session the refresh token belongs to. Answers 204 for any token, known or not,
/// so that logging out never fails for the user.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "The session is over"),
        (status = 400, description = "Malformed JSON or unknown fields", body = ErrorBody),
        (status = 503, description = "The database cannot be reached", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub async fn logout(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    body: Json<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let ip = client_ip(&req, settings.trust_proxy).map(|ip| ip.to_string());
    let mut conn = pool.get().await?;
    sessions::end(&mut conn, &body.refresh_token, ip.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
