//! The calendar as the API shows it (api.md "Working days").

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::calendar_days;
use crate::domain::rules;

/// One exception to Monday-to-Friday.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = calendar_days, check_for_backend(diesel::pg::Pg))]
pub struct CalendarDay {
    #[diesel(column_name = day)]
    pub date: NaiveDate,
    /// true: worked although a weekend (调休); false: not worked although a weekday.
    pub workday: bool,
    /// e.g. 国庆节, 国庆节调休.
    #[schema(required = true)]
    pub note: Option<String>,
}

/// `GET /calendar?year=`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Calendar {
    pub year: i32,
    /// By date.
    pub exceptions: Vec<CalendarDay>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// 2000–2100; the township's current year when absent.
    pub year: Option<i32>,
}

/// `PUT /calendar/{date}`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CalendarDayBody {
    pub workday: bool,
    /// What the day is (up to 100 characters); absent or null: none.
    #[validate(custom(function = "rules::name"))]
    pub note: Option<String>,
}
