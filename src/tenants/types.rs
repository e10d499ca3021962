//! Townships as the API shows them (api.md "Tenants") and the request that creates one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::passwords;
use crate::db::schema::tenants;
use crate::domain::rules;

/// A township (镇/街道).
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = tenants, check_for_backend(diesel::pg::Pg))]
pub struct Tenant {
    pub id: Uuid,
    /// The short code staff type at login, e.g. `xindai`.
    pub code: String,
    pub name: String,
    /// IANA zone in which days and weeks are counted.
    pub timezone: String,
    /// A household not visited within this many days is due.
    pub visit_interval_days: i32,
    pub created_at: DateTime<Utc>,
}

/// `POST /tenants`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    /// `^[a-z][a-z0-9-]{1,31}$`, unique.
    #[schema(example = "xindai")]
    #[validate(custom(function = "rules::tenant_code"))]
    pub code: String,
    #[schema(example = "新埭镇")]
    #[validate(custom(function = "rules::name"))]
    pub name: String,
    /// IANA time zone; default Asia/Shanghai.
    #[schema(example = "Asia/Shanghai")]
    #[validate(custom(function = "rules::zone"))]
    pub timezone: Option<String>,
    /// 1–365; default 7 (weekly visits, as in the programme).
    #[schema(example = 7)]
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365"))]
    pub visit_interval_days: Option<i32>,
    /// The township's first admin.
    #[validate(nested)]
    pub admin: NewTenantAdmin,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewTenantAdmin {
    #[validate(custom(function = "rules::username"))]
    pub username: String,
    #[validate(custom(function = "rules::name"))]
    pub display_name: String,
    #[validate(custom(function = "passwords::strong"))]
    pub password: String,
}
