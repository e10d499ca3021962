//! Requests and responses of the login and session endpoints (api.md "Auth").

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::User;

/// `POST /auth/login`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The township's code; absent or null for a platform admin.
    #[schema(example = "xindai")]
    pub tenant: Option<String>,
    pub username: String,
    pub password: String,
}

/// `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A fresh access token and the refresh token that replaces it when it expires.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: refreshing spends it and returns a new one.
    pub refresh_token: String,
    pub user: User,
}

/// `POST /me/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}
