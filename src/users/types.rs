//! Staff accounts as the API shows them (api.md "Users"), the requests that change them,
//! and the checks their fields share with the first admin of a new township.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::auth::passwords;
use crate::db::schema::{platform_admins, users};
use crate::domain::{rules, Role};
use crate::error::Problems;
use crate::http::present;

/// A staff member, or a platform admin (then `tenant_id` is null). Never the password hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    /// The township; null for a platform admin.
    #[schema(required = true)]
    pub tenant_id: Option<Uuid>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[schema(required = true)]
    pub phone: Option<String>,
    /// A supervisor's scope: one grid, or null for the whole township.
    #[schema(required = true)]
    pub grid_id: Option<Uuid>,
    /// A handler's department; null for every other role.
    #[schema(required = true)]
    pub department_id: Option<Uuid>,
    pub active: bool,
}

/// A `users` row without its password hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub phone: Option<String>,
    pub grid_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub active: bool,
    pub token_version: i32,
}

/// A `platform_admins` row without its password hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = platform_admins, check_for_backend(diesel::pg::Pg))]
pub struct PlatformAdminRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub active: bool,
    pub token_version: i32,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> User {
        User {
            id: row.id,
            tenant_id: Some(row.tenant_id),
            username: row.username,
            display_name: row.display_name,
            role: row.role,
            phone: row.phone,
            grid_id: row.grid_id,
            department_id: row.department_id,
            active: row.active,
        }
    }
}

impl From<PlatformAdminRow> for User {
    fn from(row: PlatformAdminRow) -> User {
        User {
            id: row.id,
            tenant_id: None,
            username: row.username,
            display_name: row.display_name,
            role: Role::PlatformAdmin,
            phone: None,
            grid_id: None,
            department_id: None,
            active: row.active,
        }
    }
}

/// `POST /users`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[validate(custom(function = "rules::username"))]
    pub username: String,
    #[validate(custom(function = "rules::name"))]
    pub display_name: String,
    /// tenant_admin, supervisor, leader or handler.
    #[schema(value_type = Role)]
    #[validate(custom(function = "rules::staff_role"))]
    pub role: String,
    #[validate(custom(function = "passwords::strong"))]
    pub password: String,
    #[validate(custom(function = "rules::phone"))]
    pub phone: Option<String>,
    /// Only for a supervisor: the grid they oversee (null: the whole township).
    pub grid_id: Option<Uuid>,
    /// Required for a handler, and only for one: the department they work for.
    pub department_id: Option<Uuid>,
}

/// `PATCH /users/{id}`: only the fields present change; `null` clears `phone` or `grid_id`.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[validate(custom(function = "rules::name"))]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    #[validate(custom(function = "rules::phone"))]
    pub phone: Option<Option<String>>,
    pub active: Option<bool>,
    #[validate(custom(function = "passwords::strong"))]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub grid_id: Option<Option<Uuid>>,
    /// A handler's department (only a handler has one).
    pub department_id: Option<Uuid>,
    /// `tenant_admin`, `supervisor`, `leader` or `handler` (with a `department_id`). Not
    /// your own; a supervisor's grid scope goes when they take another role, a handler's
    /// department too, a leader's micro-grids lose their leader; the user's sessions end.
    #[validate(custom(function = "rules::staff_role"))]
    pub role: Option<String>,
}

/// `GET /users?role=&q=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<Role>,
    /// Part of the username or display name.
    pub q: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// What a password's own rules cannot see: it must not be the username, the first one
/// guessed. Checked only when the password passed its own rules, so it has one problem.
pub fn check_not_username(problems: &mut Problems, field: &str, password: &str, username: &str) {
    if !problems.has(field) && password.trim().eq_ignore_ascii_case(username.trim()) {
        problems.add(field, "must not be the username");
    }
}

/// Both password rules, for a password that comes in no request body (the command line).
pub fn check_password(problems: &mut Problems, field: &str, password: &str, username: &str) {
    if let Err(problem) = passwords::check_strength(password) {
        problems.add(field, problem);
    }
    check_not_username(problems, field, password, username);
}
