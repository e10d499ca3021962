//! A department as the API shows it, and the body that names one.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::schema::departments;
use crate::domain::rules;

/// One of the township's offices.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = departments, check_for_backend(diesel::pg::Pg))]
pub struct Department {
    pub id: Uuid,
    /// Unique in the township, e.g. 国土所, 民政办.
    pub name: String,
}

/// `POST /departments` and `PATCH /departments/{id}`: the name, the only thing a
/// department has.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DepartmentBody {
    /// 1–100 characters, unique in the township (409 otherwise).
    #[validate(custom(function = "rules::name"))]
    pub name: String,
}
