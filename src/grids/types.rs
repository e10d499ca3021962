//! Grid and micro-grid requests and responses (api.md "Grids and micro-grids").

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::db::schema::grids;
use crate::domain::{clean_text, rules, GridKind, Name};
use crate::error::{checked, AppResult, Problems};
use crate::http::present;

/// Longest messaging-group name (WeChat allows 30; leave room for other apps).
pub const MAX_GROUP_NAME: usize = 64;

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateGrid {
    #[validate(custom(function = "rules::name"))]
    pub name: String,
    pub kind: GridKind,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateGrid {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, required = false)]
    #[validate(custom(function = "rules::name"))]
    pub name: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateMicroGrid {
    #[validate(custom(function = "rules::name"))]
    pub name: String,
    /// The micro-grid's messaging (WeChat) group, if it has one.
    #[validate(custom(function = "group_name_rule"))]
    pub group_name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateMicroGrid {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, required = false)]
    #[validate(custom(function = "rules::name"))]
    pub name: Option<Option<String>>,
    /// The messaging group; `null` = the micro-grid has none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    #[validate(custom(function = "group_name_rule"))]
    pub group_name: Option<Option<String>>,
}

/// A messaging group's name: a name as people type it, of the length the apps allow.
pub fn parse_group_name(value: &str) -> Result<String, String> {
    clean_text(value, MAX_GROUP_NAME)
}

fn group_name_rule(value: &str) -> Result<(), ValidationError> {
    parse_group_name(value).map(drop).map_err(rules::problem)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignLeader {
    /// An active user of the township with the role `leader`.
    pub user_id: Uuid,
}

/// `GET /micro-grids/{id}/leader/preview`: the leader the change would assign.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LeaderPreviewQuery {
    /// The user `PUT /micro-grids/{id}/leader` would be given (an active leader).
    pub user_id: Uuid,
}

/// What a leader change would do, without doing it (the console's "更换网格长" preview).
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaderPreview {
    pub micro_grid_id: Uuid,
    /// The leader now, null when the micro-grid has none.
    pub from_leader_id: Option<Uuid>,
    pub to_leader_id: Uuid,
    /// Households that would pass to the new leader (0 when they already lead it).
    pub households: i64,
    /// Issues of those households not yet resolved (open or escalated) that would pass too.
    pub open_issues: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GridListQuery {
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MicroGridListQuery {
    /// Only the micro-grids of this grid.
    pub grid_id: Option<Uuid>,
    /// Only the micro-grids this user leads now.
    pub leader_id: Option<Uuid>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// A grid (网格): a village/community or an enterprise area of the township.
#[derive(Debug, Serialize, ToSchema)]
pub struct Grid {
    pub id: Uuid,
    pub name: String,
    pub kind: GridKind,
    /// How many of its micro-grids the caller can see (a leader: their own).
    pub micro_grids: i64,
}

/// A micro-grid (微网格): 20–50 households, or a handful of enterprises, with one leader.
#[derive(Debug, Serialize, ToSchema)]
pub struct MicroGrid {
    pub id: Uuid,
    pub grid_id: Uuid,
    pub name: String,
    /// The grid's kind.
    pub kind: GridKind,
    pub group_name: Option<String>,
    /// The current leader (定亲), null when none is assigned.
    pub leader_id: Option<Uuid>,
    pub households: i64,
}

/// One leader's term on a micro-grid; `to` is null while it lasts.
#[derive(Debug, Serialize, ToSchema, Queryable)]
pub struct LeaderTerm {
    pub user_id: Uuid,
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = grids, check_for_backend(diesel::pg::Pg))]
pub struct GridRow {
    pub id: Uuid,
    pub name: String,
    pub kind: GridKind,
}

/// A micro-grid as read from the database, with its grid's kind.
#[derive(Debug, Queryable)]
pub struct MicroGridRow {
    pub id: Uuid,
    pub grid_id: Uuid,
    pub name: String,
    pub kind: GridKind,
    pub group_name: Option<String>,
    pub leader_id: Option<Uuid>,
}

impl MicroGridRow {
    pub fn with_households(self, households: i64) -> MicroGrid {
        MicroGrid {
            id: self.id,
            grid_id: self.grid_id,
            name: self.name,
            kind: self.kind,
            group_name: self.group_name,
            leader_id: self.leader_id,
            households,
        }
    }
}

/// A PATCHed name set to `null`: a name cannot be removed. The rule a body's declared rules
/// cannot say (they see only a name that is there).
pub fn refuse_null_name(problems: &mut Problems, name: &Option<Option<String>>) {
    if matches!(name, Some(None)) {
        problems.add("name", "must not be null");
    }
}

/// A PATCHed name, once its body's problems are settled: absent → unchanged.
pub fn new_name(name: &Option<Option<String>>) -> AppResult<Option<Name>> {
    name.as_ref()
        .and_then(Option::as_deref)
        .map(|name| checked(Name::parse(name)))
        .transpose()
}
