//! A task as the API shows it (api.md "Township workflow", 任务下发), and the bodies and
//! filters of its paths.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::domain::rules::problem;
use crate::domain::TaskRepeat;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 100;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 2000;
/// Most grids, micro-grids or tags one task names.
pub const MAX_TARGETS: usize = 500;

/// What the township asked to be done at a set of households, with how far it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Task {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    /// The current round's last day (a one-off task's only round), in the township's zone.
    pub due_on: NaiveDate,
    pub repeat: Option<TaskRepeat>,
    /// The task's households in the caller's scope.
    pub households: i64,
    /// Of those, done in the current round.
    pub done: i64,
    /// Today is after `due_on`, the task is open and not every household is done.
    pub overdue: bool,
    pub grid_ids: Vec<Uuid>,
    pub micro_grid_ids: Vec<Uuid>,
    pub tags: Vec<String>,
    /// The current round's first day; null in the first round.
    pub round_start: Option<NaiveDate>,
    pub closed: bool,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// One micro-grid's part of a task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Progress {
    pub micro_grid_id: Uuid,
    pub micro_grid_name: String,
    pub grid_id: Uuid,
    pub grid_name: String,
    /// The micro-grid's leader now, if it has one.
    pub leader_id: Option<Uuid>,
    pub leader_name: Option<String>,
    pub households: i64,
    pub done: i64,
}

/// `GET /tasks/{id}`: the task and its progress per micro-grid, by grid and micro-grid name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: Task,
    pub progress: Vec<Progress>,
}

/// One of a task's households and whether it is done.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskHousehold {
    pub household_id: Uuid,
    pub name: String,
    pub address: String,
    pub micro_grid_id: Uuid,
    pub done: bool,
    /// The latest visit linked to the task in the current round.
    pub visited_at: Option<DateTime<Utc>>,
}

/// `POST /tasks`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewTaskBody {
    /// 1–100 characters, one line.
    pub title: String,
    /// What to do; up to 2000 characters.
    #[validate(custom(function = "description"))]
    pub description: String,
    /// The (first round's) last day, `YYYY-MM-DD`, not before today in the township's zone.
    #[schema(example = "2026-12-15")]
    pub due_on: String,
    /// The grids whose households the task covers (with `micro_grid_ids`; neither: the whole
    /// township).
    #[serde(default)]
    #[validate(length(max = 500, message = "at most 500 grids"))]
    pub grid_ids: Vec<Uuid>,
    #[serde(default)]
    #[validate(length(max = 500, message = "at most 500 micro-grids"))]
    pub micro_grid_ids: Vec<Uuid>,
    /// Only the households carrying any of these tags (none: every household).
    #[serde(default)]
    #[validate(length(max = 500, message = "at most 500 tags"))]
    pub tags: Vec<String>,
    /// weekly or monthly; absent for a one-off task.
    #[serde(default)]
    #[schema(value_type = Option<TaskRepeat>)]
    pub repeat: Option<String>,
}

fn description(text: &str) -> Result<(), ValidationError> {
    if text.trim().chars().count() > MAX_DESCRIPTION {
        return Err(problem(format!(
            "must be at most {MAX_DESCRIPTION} characters"
        )));
    }
    Ok(())
}

/// `GET /tasks` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskFilter {
    /// Only closed (true) or only open (false) tasks; absent: all.
    pub closed: Option<bool>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub per_page: Option<i64>,
}

/// `GET /tasks/{id}/households` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskHouseholdFilter {
    /// Only the done (true) or the not yet done (false) households; absent: all.
    pub done: Option<bool>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub per_page: Option<i64>,
}
