//! The Issue and its events as the API shows them (api.md "Issues").

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use validator::{Validate, ValidationError};

use crate::db::schema::{issue_events, issues};
use crate::domain::{rules::problem, IssueCategory, IssueStatus};

/// What a resident asked for (融亲), followed until it is solved.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, QueryableByName, Selectable, ToSchema)]
#[diesel(table_name = issues, check_for_backend(diesel::pg::Pg))]
pub struct Issue {
    pub id: Uuid,
    pub household_id: Uuid,
    pub micro_grid_id: Uuid,
    pub visit_id: Option<Uuid>,
    pub category: IssueCategory,
    pub description: String,
    pub status: IssueStatus,
    pub raised_by: Uuid,
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    /// The resident's feedback on the resolution; null until given.
    pub satisfied: Option<bool>,
    /// The department it is routed to (`assign`); null while the township has it.
    #[schema(required = true)]
    pub department_id: Option<Uuid>,
    /// The last day of its time limit, in the township's zone; null until routed.
    #[schema(required = true)]
    pub due_on: Option<NaiveDate>,
    /// Today (the township's) is after `due_on` and the issue is not resolved.
    #[diesel(
        sql_type = Bool,
        select_expression = diesel::dsl::sql::<Bool>(crate::overdue_sql!("issues")),
        select_expression_type = diesel::expression::SqlLiteral<Bool>
    )]
    pub overdue: bool,
    /// Today (the township's) is the last day of its time limit (`due_on`) and the issue is
    /// not resolved: late tomorrow (临期, shown yellow where `overdue` is red).
    #[diesel(
        sql_type = Bool,
        select_expression = diesel::dsl::sql::<Bool>(crate::due_soon_sql!("issues")),
        select_expression_type = diesel::expression::SqlLiteral<Bool>
    )]
    pub due_soon: bool,
    /// The department asked for more time and the admin has not answered yet.
    #[diesel(
        sql_type = Bool,
        select_expression = issues::extension_days.is_not_null(),
        select_expression_type = diesel::dsl::IsNotNull<issues::extension_days>
    )]
    pub extension_requested: bool,
}

/// Whether the issue row `alias` is late, as SQL: past its `due_on` in its township's zone
/// and not resolved. One text for every statement that shows an issue, so the list, the
/// dossier and the phones agree.
#[macro_export]
macro_rules! overdue_sql {
    ($alias:literal) => {
        concat!(
            "(",
            $alias,
            ".due_on IS NOT NULL AND ",
            $alias,
            ".status <> 'resolved' AND ",
            $alias,
            ".due_on < (now() AT TIME ZONE (SELECT t.timezone FROM tenants t WHERE t.id = ",
            $alias,
            ".tenant_id))::date)"
        )
    };
}

/// Whether the issue row `alias` is on the last day of its time limit, as SQL: `due_on` is
/// today in its township's zone and it is not resolved (a limit always ends on a working day).
#[macro_export]
macro_rules! due_soon_sql {
    ($alias:literal) => {
        concat!(
            "(",
            $alias,
            ".due_on IS NOT NULL AND ",
            $alias,
            ".status <> 'resolved' AND ",
            $alias,
            ".due_on = (now() AT TIME ZONE (SELECT t.timezone FROM tenants t WHERE t.id = ",
            $alias,
            ".tenant_id))::date)"
        )
    };
}

/// One transition of an issue: who, when, with what note.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = issue_events, check_for_backend(diesel::pg::Pg))]
pub struct IssueEvent {
    pub id: Uuid,
    /// raise, escalate, resolve, reopen or feedback; of the township's workflow assign,
    /// accept, extend, extension, done or verify.
    pub action: String,
    pub from_status: Option<IssueStatus>,
    pub to_status: IssueStatus,
    pub actor_id: Uuid,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// Longest description, resolution, note or comment, in characters.
pub const MAX_TEXT: usize = 2000;

/// An issue with every transition it went through: `GET /issues/{id}` and the answer of
/// every write.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssueDetail {
    #[serde(flatten)]
    pub issue: Issue,
    /// Oldest first, starting with `raise`.
    pub events: Vec<IssueEvent>,
}

/// `POST /issues`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewIssueBody {
    /// Made by the phone when the issue is written down (UUID, v7 preferred), so that a
    /// retry stores nothing twice: the same id with the same content answers 200 with the
    /// stored issue; with different content 409. Made by the server when absent.
    pub id: Option<Uuid>,
    pub household_id: Uuid,
    /// The visit on which the resident asked, if any; it must be a visit to this household.
    pub visit_id: Option<Uuid>,
    /// road, housing, land, welfare or other.
    #[schema(value_type = IssueCategory)]
    #[validate(custom(function = "issue_category"))]
    pub category: String,
    /// What the resident asks for; 1–2000 characters.
    #[validate(custom(function = "required_text"))]
    pub description: String,
}

/// `POST /issues/{id}/escalate` and `/reopen`.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Why; up to 2000 characters.
    #[serde(default)]
    #[validate(custom(function = "optional_text"))]
    pub note: Option<String>,
}

/// `POST /issues/{id}/resolve`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// What was done; 1–2000 characters.
    #[validate(custom(function = "required_text"))]
    pub resolution: String,
}

/// `POST /issues/{id}/feedback`: the resident's word on the resolution.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    pub satisfied: bool,
    #[serde(default)]
    #[validate(custom(function = "optional_text"))]
    pub comment: Option<String>,
}

/// `POST /issues/{id}/assign`: route to a department with a time limit.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// A department of the township (422 otherwise).
    pub department_id: Uuid,
    /// The time limit in working days, 1–60; by default the category's (road 10, housing
    /// 15, land 20, welfare 5, other 10).
    #[validate(range(min = 1, max = 60, message = "must be between 1 and 60"))]
    pub due_days: Option<u32>,
    /// What the department should know; up to 2000 characters.
    #[serde(default)]
    #[validate(custom(function = "optional_text"))]
    pub note: Option<String>,
}

/// `POST /issues/{id}/accept`: the department signs for it.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// Up to 2000 characters.
    #[serde(default)]
    #[validate(custom(function = "optional_text"))]
    pub note: Option<String>,
}

/// `POST /issues/{id}/extend`: the department asks for more time.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ExtendBody {
    /// More working days, 1–30.
    #[validate(range(min = 1, max = 30, message = "must be between 1 and 30"))]
    pub days: u32,
    /// Why; 1–2000 characters.
    #[validate(custom(function = "required_text"))]
    pub reason: String,
}

/// `POST /issues/{id}/extension`: the admin's answer to a request for more time.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    /// true: `due_on` moves by the working days asked for; false: it stays.
    pub granted: bool,
    /// Up to 2000 characters.
    #[serde(default)]
    #[validate(custom(function = "optional_text"))]
    pub note: Option<String>,
}

/// `POST /issues/{id}/verify`: the leader's (or admin's) check of the department's work.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// true: resolved, with the department's resolution; false: back to the department.
    pub fixed: bool,
    /// What was found; up to 2000 characters.
    #[serde(default)]
    #[validate(custom(function = "optional_text"))]
    pub note: Option<String>,
}

/// `GET /issues` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IssueFilter {
    /// `escalated` is the township's queue; `assigned`, `accepted`, `done` are with a
    /// department.
    pub status: Option<IssueStatus>,
    /// true: only late issues (past `due_on`, not resolved); false: only those that are not.
    pub overdue: Option<bool>,
    /// true: only those on the last day of their time limit (临期); false: only the others.
    pub due_soon: Option<bool>,
    /// Routed to this department.
    pub department_id: Option<Uuid>,
    /// true: only those whose department waits for an answer to a request for more time
    /// (the admin's queue); false: only those without one.
    pub extension_requested: Option<bool>,
    pub category: Option<IssueCategory>,
    pub household_id: Option<Uuid>,
    /// The household's current micro-grid.
    pub micro_grid_id: Option<Uuid>,
    /// The household's current grid.
    pub grid_id: Option<Uuid>,
    /// First day raised (YYYY-MM-DD, tenant's zone), inclusive.
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub from: Option<NaiveDate>,
    /// Last day raised (YYYY-MM-DD, tenant's zone), inclusive.
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub to: Option<NaiveDate>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A free text as stored: trimmed; blank means none.
pub fn free_text(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A text that must be there (a description, a resolution): not blank, and not too long.
fn required_text(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Err(problem("must not be empty"));
    }
    optional_text(text)
}

/// A text that may be left out (a note, a comment): at most `MAX_TEXT` characters, trimmed.
fn optional_text(text: &str) -> Result<(), ValidationError> {
    if text.trim().chars().count() > MAX_TEXT {
        return Err(problem(format!("must be at most {MAX_TEXT} characters")));
    }
    Ok(())
}

fn issue_category(text: &str) -> Result<(), ValidationError> {
    text.parse::<IssueCategory>().map(drop).map_err(problem)
}
