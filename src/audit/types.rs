//! Request and response types of the audit log endpoint.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::schema::audit_log;

/// `?from&to&actor_id&action&page&per_page`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// First day, inclusive, in the township's time zone.
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub to: Option<NaiveDate>,
    /// Only what this user did.
    pub actor_id: Option<Uuid>,
    /// Only this action, e.g. `stats.export`.
    pub action: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// One write or export.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub ip: Option<String>,
    /// What was changed or exported (for exports: breakdown, format, range, scope).
    pub detail: Option<serde_json::Value>,
}
