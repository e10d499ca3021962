//! Requests and responses of the login and session endpoints (api.md "Auth").

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use validator::Validate;

use crate::auth::passwords;
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

/// `GET /me`: the caller's account and what a phone needs to count due days offline.
#[derive(Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    /// The caller's township; null for a platform admin.
    #[schema(required = true)]
    pub tenant: Option<MyTenant>,
}

/// The township's settings that a client works with offline.
#[derive(Serialize, ToSchema)]
pub struct MyTenant {
    #[schema(example = "xindai")]
    pub code: String,
    #[schema(example = "新埭镇")]
    pub name: String,
    /// IANA zone in which the township's days are counted.
    #[schema(example = "Asia/Shanghai")]
    pub timezone: String,
    /// A household not visited within this many days is due.
    #[schema(example = 7)]
    pub visit_interval_days: i32,
    /// Tags with their own interval (priority groups): a household carrying one is due
    /// within the smallest of the township's interval and its tags'.
    pub tag_intervals: Vec<TagInterval>,
}

/// A tag's own visit interval (`PUT /tags/{tag}`).
#[derive(Serialize, ToSchema)]
pub struct TagInterval {
    #[schema(example = "独居老人")]
    pub tag: String,
    #[schema(example = 3)]
    pub visit_interval_days: i32,
}

/// `POST /me/password`.
#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    #[validate(custom(function = "passwords::strong"))]
    pub new_password: String,
}
