//! The Visit as the API shows it (api.md "Visits").

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::visits;
use crate::domain::VisitMethod;

/// One recorded contact with a household (走亲).
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = visits, check_for_backend(diesel::pg::Pg))]
pub struct Visit {
    pub id: Uuid,
    pub household_id: Uuid,
    pub micro_grid_id: Uuid,
    /// Who recorded it.
    pub leader_id: Uuid,
    pub visited_at: DateTime<Utc>,
    pub method: VisitMethod,
    pub summary: String,
    /// This was the first acquaintance visit (认亲).
    pub acquainted: bool,
    /// The household joined the micro-grid's messaging group on this visit.
    pub joined_group: bool,
    pub created_at: DateTime<Utc>,
}
