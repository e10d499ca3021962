//! Grid and micro-grid requests and responses (api.md "Grids and micro-grids").

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::schema::grids;
use crate::domain::GridKind;

/// Longest grid or micro-grid name; the article's are a dozen characters.
pub const MAX_NAME: usize = 100;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGrid {
    pub name: String,
    pub kind: GridKind,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGrid {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, required = false)]
    pub name: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMicroGrid {
    pub name: String,
    /// The micro-grid's messaging (WeChat) group, if it has one.
    pub group_name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMicroGrid {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, required = false)]
    pub name: Option<Option<String>>,
    /// The messaging group; `null` = the micro-grid has none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub group_name: Option<Option<String>>,
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

/// For PATCH bodies: tells an explicit `null` (`Some(None)`, clear the field) from an
/// absent field (`None`, leave it), which plain `Option` cannot.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A PATCHed name: absent → unchanged; `null` → a problem (a name cannot be removed).
pub fn check_new_name(
    problems: &mut crate::error::Problems,
    name: &Option<Option<String>>,
) -> Option<String> {
    match name {
        Some(Some(name)) => problems.check("name", clean_text(name, MAX_NAME)),
        Some(None) => {
            problems.add("name", "must not be null");
            None
        }
        None => None,
    }
}

/// A name as people type it: trimmed (of invisible characters too), not empty, at most `max`
/// characters, no control characters (they break exports and the messaging groups' lists)
/// and no direction overrides (they make one name look like another).
pub fn clean_text(value: &str, max: usize) -> Result<String, String> {
    let value = value.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() || is_direction_override(c))
    {
        return Err("must not contain control characters".into());
    }
    Ok(value.to_owned())
}

/// Characters that take no space: a name of only these shows as empty. (Inside a name some
/// have a use, e.g. the joiner in an emoji, so they are trimmed, not refused.)
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        || is_direction_override(c)
}

fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::clean_text;

    #[test]
    fn a_name_of_invisible_characters_is_empty() {
        for name in [
            "\u{200B}",
            "\u{FEFF}",
            " \u{200B}\u{200B} ",
            "\u{3000}",
            "\u{00A0}",
        ] {
            assert_eq!(
                clean_text(name, 100),
                Err("must not be empty".into()),
                "{name:?}"
            );
        }
    }

    #[test]
    fn invisible_ends_are_trimmed_and_direction_overrides_refused() {
        assert_eq!(clean_text("\u{FEFF}新埭村\u{200B}", 100).unwrap(), "新埭村");
        assert!(clean_text("新埭\u{202E}村", 100).is_err());
        assert!(clean_text("一\u{0}村", 100).is_err());
        // A joiner inside an emoji is part of the name.
        assert_eq!(
            clean_text("家\u{1F468}\u{200D}\u{1F469}", 100).unwrap(),
            "家\u{1F468}\u{200D}\u{1F469}"
        );
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert!(clean_text(&"村".repeat(100), 100).is_ok());
        assert!(clean_text(&"村".repeat(101), 100).is_err());
    }
}
