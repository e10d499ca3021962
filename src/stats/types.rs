//! Request and response types of the statistics endpoints (api.md "Statistics and exports").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

/// The optional range and scope every statistics endpoint takes.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// First day, inclusive, in the township's time zone (default: 29 days before `to`).
    #[param(value_type = Option<String>, format = Date, example = "2026-03-01")]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: today in the township's time zone).
    #[param(value_type = Option<String>, format = Date, example = "2026-03-30")]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub to: Option<NaiveDate>,
    /// Only this grid (a grid-scoped supervisor may only name their own).
    pub grid_id: Option<Uuid>,
    /// Only this micro-grid.
    pub micro_grid_id: Option<Uuid>,
}

/// What the breakdown's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Grid,
    MicroGrid,
    Leader,
    Week,
    /// A household tag (the priority groups): households carrying it now, and their visits
    /// and issues. A household with two tags counts in both rows.
    Tag,
}

impl By {
    pub fn as_str(self) -> &'static str {
        match self {
            By::Grid => "grid",
            By::MicroGrid => "micro_grid",
            By::Leader => "leader",
            By::Week => "week",
            By::Tag => "tag",
        }
    }
}

#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    /// One row per grid, micro-grid, leader, ISO week or household tag.
    #[param(inline)]
    pub by: By,
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub from: Option<NaiveDate>,
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub to: Option<NaiveDate>,
    pub grid_id: Option<Uuid>,
    pub micro_grid_id: Option<Uuid>,
    /// Row order: `name` (the default: by name, weeks in time order), `coverage` (lowest
    /// first, e.g. the micro-grids that need attention) or `-coverage` (highest first);
    /// equal coverage keeps name order.
    #[param(inline)]
    pub sort: Option<RowOrder>,
    /// Only the first `limit` rows of that order (1–10000), e.g. `sort=coverage&limit=10`:
    /// more than any township has micro-grids.
    #[param(minimum = 1, maximum = 10000)]
    #[validate(range(min = 1, max = 10000, message = "must be between 1 and 10000"))]
    pub limit: Option<i64>,
}

/// How a breakdown's rows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum RowOrder {
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "coverage")]
    Coverage,
    #[serde(rename = "-coverage")]
    CoverageDescending,
}

/// `GET /stats/chart`: the breakdown drawn as an SVG picture for a dashboard.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// One bar per grid, micro-grid, leader or ISO week.
    #[param(inline)]
    pub by: By,
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub from: Option<NaiveDate>,
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub to: Option<NaiveDate>,
    /// `zh` (default) or `en`: the language of the title and legend.
    #[param(inline)]
    #[serde(default)]
    pub lang: Lang,
    pub grid_id: Option<Uuid>,
    pub micro_grid_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    #[default]
    Csv,
    Xlsx,
}

/// Header language of an export: Chinese for the township office, the JSON names for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    #[param(inline)]
    #[serde(default)]
    pub format: ExportFormat,
    #[param(inline)]
    pub by: By,
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub from: Option<NaiveDate>,
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub to: Option<NaiveDate>,
    /// `zh` (default): Chinese headers; `en`: the JSON key names.
    #[param(inline)]
    #[serde(default)]
    pub lang: Lang,
    pub grid_id: Option<Uuid>,
    pub micro_grid_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct ByKind {
    pub village: i64,
    pub enterprise: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IssueFigures {
    /// Raised inside the range.
    pub raised: i64,
    /// Resolved inside the range (and still resolved).
    pub resolved: i64,
    /// Not resolved now (open, escalated, or with a department), whenever raised.
    pub open: i64,
    /// Satisfied / with feedback, among those resolved inside the range; null when none
    /// of them has feedback.
    pub satisfaction_rate: Option<f64>,
    /// Resolved on or before `due_on` / resolved with a `due_on` (routed to a department),
    /// among those resolved inside the range; null when none was routed.
    pub on_time_rate: Option<f64>,
    /// The median of the working days (the township's calendar) from the day an issue was
    /// raised to the day it was resolved, among those resolved inside the range; null when
    /// none.
    pub median_working_days: Option<f64>,
}

/// The figures supervisors report. Counts of things are as of now; visits and issue
/// events are those inside the range.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Summary {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub grids: ByKind,
    pub micro_grids: ByKind,
    /// Users leading at least one micro-grid in scope.
    pub leaders: i64,
    pub households: i64,
    /// Households with a first acquaintance visit (认亲).
    pub households_acquainted: i64,
    /// Micro-grids with a messaging group.
    pub groups: i64,
    /// Households with a member in their micro-grid's messaging group.
    pub households_in_group: i64,
    pub visits: i64,
    /// Distinct households visited inside the range.
    pub households_visited: i64,
    pub issues: IssueFigures,
}

/// One row of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Row {
    /// The grid's, micro-grid's or leader's id, or the ISO week (`2026-W14`).
    pub key: String,
    /// Its name; for a week, the days it covers inside the range.
    pub name: String,
    /// Households as of now (for weeks: all in scope).
    pub households: i64,
    pub visits: i64,
    pub households_visited: i64,
    /// households_visited / households, 0 when there are none; at most 1.
    pub coverage: f64,
    pub issues_raised: i64,
    pub issues_resolved: i64,
    /// Of the issues resolved in the range that had a time limit, the share resolved on or
    /// before it; null when none had one (an addition to the contract).
    pub on_time_rate: Option<f64>,
    /// The median working days from raised to resolved of the issues resolved in the range;
    /// null when none was (an addition to the contract).
    pub median_working_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Breakdown {
    pub by: By,
    pub rows: Vec<Row>,
}
