//! The login and session endpoints (api.md "Auth"): routes and their OpenAPI description.

use actix_web::web;

use super::{login, me, refresh, types};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/login", web::post().to(login::login))
        .route("/auth/refresh", web::post().to(refresh::refresh))
        .route("/auth/logout", web::post().to(refresh::logout))
        .route("/me", web::get().to(me::me))
        .route("/me/password", web::post().to(me::change_password));
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        login::login,
        refresh::refresh,
        refresh::logout,
        me::me,
        me::change_password
    ),
    components(schemas(
        types::LoginRequest,
        types::RefreshRequest,
        types::TokenResponse,
        types::PasswordChange,
        types::Me,
        types::MyTenant,
        types::TagInterval,
        crate::users::User
    ))
)]
pub struct Api;
