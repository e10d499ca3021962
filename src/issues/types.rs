//! The Issue and its events as the API shows them (api.md "Issues").

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{issue_events, issues};
use crate::domain::{IssueCategory, IssueStatus};

/// What a resident asked for (融亲), followed until it is solved.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, ToSchema)]
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
}

/// One transition of an issue: who, when, with what note.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = issue_events, check_for_backend(diesel::pg::Pg))]
pub struct IssueEvent {
    pub id: Uuid,
    /// raise, escalate, resolve, reopen or feedback.
    pub action: String,
    pub from_status: Option<IssueStatus>,
    pub to_status: IssueStatus,
    pub actor_id: Uuid,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}
