//! Household requests, responses, and the rules a household's fields must meet. The rules
//! live in `NewHousehold::parse` and the `check_*` functions so that the API and the roster
//! import apply exactly the same ones.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::schema::{household_moves, households};
use crate::domain::{
    clean_text, mask_id_number, mask_phone, parse_tag, HouseholdKind, IdNumber, Name, Phone,
};
use crate::error::{FieldErrors, Problems};
use crate::http::present;
use crate::issues::Issue;
use crate::visits::Visit;

pub const MAX_ADDRESS: usize = 200;
pub const MAX_NOTE: usize = 2000;
pub const MAX_TAGS: usize = 20;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHousehold {
    pub micro_grid_id: Uuid,
    pub kind: HouseholdKind,
    /// The head of the household, or the enterprise's name.
    pub name: String,
    pub address: String,
    /// A mainland mobile (`1[3-9]` + 9 digits) or a landline.
    pub phone: Option<String>,
    /// The 18-character resident ID, with a valid check digit.
    pub id_number: Option<String>,
    /// People in the household, 1–99.
    pub members: Option<i64>,
    /// Up to 20 short labels (低保户, 独居老人…); trimmed and deduplicated.
    pub tags: Option<Vec<String>>,
    pub note: Option<String>,
}

/// A PATCH: absent fields stay, `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHousehold {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = HouseholdKind, required = false)]
    pub kind: Option<Option<HouseholdKind>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, required = false)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, required = false)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub id_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, nullable)]
    pub members: Option<Option<i64>>,
    /// `null` or `[]` removes every tag.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>, nullable)]
    pub tags: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub note: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignHouseholds {
    pub household_ids: Vec<Uuid>,
    pub micro_grid_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Assigned {
    /// How many of the listed households are now in the micro-grid.
    pub assigned: i64,
}

/// What `POST /households/assign` would do with the same body, without doing it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignPreview {
    /// How many of the listed households would change micro-grid (those already in the
    /// target stay where they are).
    pub households: i64,
    /// Issues of those households not yet resolved (open or escalated): they move with the
    /// family to the new leader; resolved ones stay where they were raised.
    pub open_issues: i64,
    /// Where the moving households live now, by micro-grid, most households first.
    pub from: Vec<MovingFrom>,
    pub to_micro_grid_id: Uuid,
    /// The target's leader, who would look after them; null when it has none.
    pub to_leader_id: Option<Uuid>,
}

/// One micro-grid the households of a move would leave.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovingFrom {
    pub micro_grid_id: Uuid,
    pub households: i64,
}

/// `POST /households/import`: a multipart form with one file.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The roster, CSV (UTF-8, or GB18030/GBK as Excel saves "CSV" on a Chinese Windows) or
    /// XLSX, at most 20 MiB and 50,000 rows.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    /// How many households the roster created.
    pub created: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HouseholdListQuery {
    pub micro_grid_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
    /// A piece of the name, address or phone number.
    pub q: Option<String>,
    /// Only households with this tag.
    pub tag: Option<String>,
    /// Only households not visited within the township's visit interval, never-visited
    /// first, then the longest unvisited.
    pub due: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// A household (or enterprise) as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = households, check_for_backend(diesel::pg::Pg))]
pub struct HouseholdRow {
    pub id: Uuid,
    pub micro_grid_id: Uuid,
    pub kind: HouseholdKind,
    pub name: String,
    pub address: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub members: Option<i32>,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub acquainted_at: Option<DateTime<Utc>>,
    pub in_group: bool,
    pub last_visited_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A household (户) as the API shows it; `phone` and `id_number` are masked for callers
/// who are neither a tenant admin nor the household's leader.
#[derive(Debug, Serialize, ToSchema)]
pub struct Household {
    pub id: Uuid,
    pub micro_grid_id: Uuid,
    pub kind: HouseholdKind,
    pub name: String,
    pub address: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub members: Option<i32>,
    pub tags: Vec<String>,
    pub note: Option<String>,
    /// When the first acquaintance visit (认亲) was made.
    pub acquainted_at: Option<DateTime<Utc>>,
    /// Someone of the household is in the micro-grid's messaging group.
    pub in_group: bool,
    pub last_visited_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The household's dossier (一户一档).
#[derive(Debug, Serialize, ToSchema)]
pub struct Dossier {
    #[serde(flatten)]
    pub household: Household,
    /// The newest 20 visits, newest first.
    pub recent_visits: Vec<Visit>,
    /// Issues still open or escalated, newest first.
    pub open_issues: Vec<Issue>,
    /// Where the family's dossier has been: every move between micro-grids, newest first
    /// (an addition to the contract).
    pub moves: Vec<HouseholdMove>,
}

/// One move of a household between micro-grids (`POST /households/assign`).
#[derive(Debug, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = household_moves, check_for_backend(diesel::pg::Pg))]
pub struct HouseholdMove {
    pub from_micro_grid_id: Uuid,
    pub to_micro_grid_id: Uuid,
    pub moved_at: DateTime<Utc>,
    /// The admin who moved it.
    pub moved_by: Option<Uuid>,
}

impl Household {
    /// The API view of a row; `full` shows contact data unmasked.
    pub fn shown(row: HouseholdRow, full: bool) -> Household {
        let (phone, id_number) = if full {
            (row.phone, row.id_number)
        } else {
            (
                row.phone.as_deref().map(mask_phone),
                row.id_number.as_deref().map(mask_id_number),
            )
        };
        Household {
            id: row.id,
            micro_grid_id: row.micro_grid_id,
            kind: row.kind,
            name: row.name,
            address: row.address,
            phone,
            id_number,
            members: row.members,
            tags: row.tags,
            note: row.note,
            acquainted_at: row.acquainted_at,
            in_group: row.in_group,
            last_visited_at: row.last_visited_at,
            created_at: row.created_at,
        }
    }
}

/// A household's own fields as a client or a roster row gives them, before any checking.
/// Blank optional strings count as absent (empty roster cells).
#[derive(Debug, Clone, Default)]
pub struct HouseholdDraft<'a> {
    /// `village`, `resident` or `enterprise`.
    pub kind: &'a str,
    pub name: &'a str,
    pub address: &'a str,
    pub phone: Option<&'a str>,
    pub id_number: Option<&'a str>,
    pub members: Option<i64>,
    pub tags: &'a [String],
    pub note: Option<&'a str>,
}

/// A household that meets every rule, ready to insert into a micro-grid.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHousehold {
    pub kind: HouseholdKind,
    pub name: String,
    pub address: String,
    pub phone: Option<Phone>,
    pub id_number: Option<IdNumber>,
    pub members: Option<i32>,
    pub tags: Vec<String>,
    pub note: Option<String>,
}

impl NewHousehold {
    /// Checks every field of a new household and names every bad one (field names as in
    /// the API: kind, name, address, phone, id_number, members, tags, note).
    pub fn parse(draft: &HouseholdDraft<'_>) -> Result<NewHousehold, FieldErrors> {
        let mut problems = Problems::new();
        let kind = problems.check("kind", draft.kind.trim().parse::<HouseholdKind>());
        let name = problems.check("name", check_name(draft.name));
        let address = problems.check("address", check_address(draft.address));
        let phone = problems.check("phone", check_phone(draft.phone));
        let id_number = problems.check("id_number", check_id_number(draft.id_number));
        let members = problems.check("members", check_members(draft.members));
        let tags = problems.check("tags", check_tags(draft.tags));
        let note = problems.check("note", check_note(draft.note));
        match (kind, name, address, phone, id_number, members, tags, note) {
            (
                Some(kind),
                Some(name),
                Some(address),
                Some(phone),
                Some(id_number),
                Some(members),
                Some(tags),
                Some(note),
            ) if problems.is_empty() => Ok(NewHousehold {
                kind,
                name,
                address,
                phone,
                id_number,
                members,
                tags,
                note,
            }),
            _ => Err(problems.into_fields()),
        }
    }
}

fn blank_is_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

pub fn check_name(value: &str) -> Result<String, String> {
    Name::parse(value).map(Name::into_inner)
}

pub fn check_address(value: &str) -> Result<String, String> {
    clean_text(value, MAX_ADDRESS)
}

pub fn check_phone(value: Option<&str>) -> Result<Option<Phone>, String> {
    blank_is_none(value)
        .map(|v| Phone::parse(v).map_err(str::to_owned))
        .transpose()
}

pub fn check_id_number(value: Option<&str>) -> Result<Option<IdNumber>, String> {
    blank_is_none(value)
        .map(|v| IdNumber::parse(v).map_err(str::to_owned))
        .transpose()
}

pub fn check_members(value: Option<i64>) -> Result<Option<i32>, String> {
    match value {
        None => Ok(None),
        Some(n @ 1..=99) => Ok(Some(n as i32)),
        Some(_) => Err("must be between 1 and 99".into()),
    }
}

/// Tags: trimmed, blank ones dropped, duplicates removed (first spelling kept, order kept),
/// then at most 20 of at most 20 characters each.
pub fn check_tags(values: &[String]) -> Result<Vec<String>, String> {
    let mut seen = HashSet::new();
    let mut tags = Vec::new();
    for value in values.iter().filter(|t| !t.trim().is_empty()) {
        let tag = parse_tag(value)?;
        if seen.insert(tag.clone()) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    Ok(tags)
}

/// A free note: line breaks allowed, other control characters not.
pub fn check_note(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(note) = blank_is_none(value) else {
        return Ok(None);
    };
    if note.chars().count() > MAX_NOTE {
        return Err(format!("must be at most {MAX_NOTE} characters"));
    }
    if note
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(Some(note.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> HouseholdDraft<'static> {
        HouseholdDraft {
            kind: "village",
            name: " 张建国 ",
            address: "新埭村3组12号",
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_household_is_accepted_and_trimmed() {
        let household = NewHousehold::parse(&draft()).unwrap();
        assert_eq!(household.name, "张建国");
        assert_eq!(household.kind, HouseholdKind::Village);
        assert!(household.tags.is_empty() && household.phone.is_none());
    }

    #[test]
    fn every_bad_field_is_named() {
        let tags = vec!["x".repeat(21)];
        let bad = HouseholdDraft {
            kind: "farm",
            name: " ",
            address: "",
            phone: Some("12345"),
            id_number: Some("110105194912310021"),
            members: Some(0),
            tags: &tags,
            note: None,
        };
        let fields = NewHousehold::parse(&bad).unwrap_err();
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "address",
                "id_number",
                "kind",
                "members",
                "name",
                "phone",
                "tags"
            ]
        );
    }

    #[test]
    fn blank_optional_cells_are_absent() {
        let household = NewHousehold::parse(&HouseholdDraft {
            phone: Some("  "),
            id_number: Some(""),
            note: Some(" "),
            ..draft()
        })
        .unwrap();
        assert_eq!(
            (household.phone, household.id_number, household.note),
            (None, None, None)
        );
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_limited() {
        let tags: Vec<String> = [" 低保户", "低保户 ", "", "独居老人"]
            .map(String::from)
            .to_vec();
        assert_eq!(check_tags(&tags).unwrap(), ["低保户", "独居老人"]);
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert!(check_tags(&many).is_err());
        let repeated: Vec<String> = (0..30).map(|_| "同一个".to_owned()).collect();
        assert_eq!(check_tags(&repeated).unwrap().len(), 1);
    }

    #[test]
    fn members_are_one_to_ninety_nine() {
        assert_eq!(check_members(Some(1)), Ok(Some(1)));
        assert_eq!(check_members(Some(99)), Ok(Some(99)));
        assert!(check_members(Some(100)).is_err());
        assert!(check_members(Some(-3)).is_err());
    }
}
