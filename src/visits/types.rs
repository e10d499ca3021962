//! The Visit as the API shows it (api.md "Visits").

use chrono::{DateTime, Datelike, Duration, NaiveDate, SubsecRound, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::db::schema::visits;
use crate::domain::rules::{self, problem};
use crate::domain::VisitMethod;
use crate::error::{ErrorDetail, Problems};

/// One recorded contact with a household (走亲).
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, QueryableByName, Selectable, ToSchema)]
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
    /// The task (任务下发) this visit did for its household, if any.
    pub task_id: Option<Uuid>,
}

/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 2000;
/// How far ahead of the server's clock a phone's clock may be.
pub const CLOCK_SKEW_MINUTES: i64 = 5;
/// Most visits in one batch.
pub const MAX_BATCH: usize = 500;

/// A visit as the phone sends it. `visited_at` and `method` arrive as text and are parsed
/// here, so that in a batch a bad value fails its own item (422) and not the whole request.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    /// Made by the phone when the visit is recorded (UUID v7); the same id sent again is
    /// the same visit. Optional on `POST /visits` (the server makes one), required in a batch.
    pub id: Option<Uuid>,
    pub household_id: Uuid,
    /// RFC 3339 with offset; not more than 5 minutes in the future.
    #[schema(example = "2026-11-26T09:30:00+08:00")]
    pub visited_at: String,
    /// door, phone, group or other.
    #[schema(value_type = VisitMethod)]
    pub method: String,
    /// Up to 2000 characters; may be empty (the visit itself is what counts).
    #[validate(
        custom(function = "summary_length"),
        custom(function = "rules::no_nul")
    )]
    pub summary: String,
    /// This was the first acquaintance visit (认亲): sets the household's `acquainted_at`.
    #[serde(default)]
    pub acquainted: bool,
    /// The household joined the messaging group: sets the household's `in_group`.
    #[serde(default)]
    pub joined_group: bool,
    /// The task (任务下发) this visit does for the household: marks it done for that task.
    /// The household must be one of the task's (422 otherwise).
    #[serde(default)]
    pub task_id: Option<Uuid>,
}

/// A visit whose values are valid, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVisit {
    pub id: Uuid,
    pub household_id: Uuid,
    /// Cut to whole microseconds, as the database keeps it, so a replay compares equal.
    pub visited_at: DateTime<Utc>,
    pub method: VisitMethod,
    pub summary: String,
    pub acquainted: bool,
    pub joined_group: bool,
    pub task_id: Option<Uuid>,
}

impl VisitInput {
    /// Every problem of the values at once; `id` is the client's or a fresh v7.
    pub fn parse(self, now: DateTime<Utc>) -> Result<NewVisit, Problems> {
        let mut problems = Problems::validated(&self);
        let visited_at = match DateTime::parse_from_rfc3339(self.visited_at.trim()) {
            Ok(t) => {
                let t = t.with_timezone(&Utc).trunc_subsecs(6);
                if t > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
                    problems.add("visited_at", "is in the future");
                } else if t.year() < 2000 {
                    problems.add("visited_at", "is before the year 2000");
                }
                Some(t)
            }
            Err(_) => {
                problems.add(
                    "visited_at",
                    "must be an RFC 3339 time with offset, e.g. 2026-11-26T09:30:00+08:00",
                );
                None
            }
        };
        // The time and the method are parsed here, not declared: the time's rule depends on
        // the request's clock, and both are kept in their parsed form.
        let method = problems.check("method", self.method.parse::<VisitMethod>());
        match (visited_at, method) {
            (Some(visited_at), Some(method)) if problems.is_empty() => Ok(NewVisit {
                id: self.id.unwrap_or_else(Uuid::now_v7),
                household_id: self.household_id,
                visited_at,
                method,
                summary: self.summary,
                acquainted: self.acquainted,
                joined_group: self.joined_group,
                task_id: self.task_id,
            }),
            _ => Err(problems),
        }
    }
}

fn summary_length(text: &str) -> Result<(), ValidationError> {
    if text.chars().count() > MAX_SUMMARY {
        return Err(problem(format!("must be at most {MAX_SUMMARY} characters")));
    }
    Ok(())
}

impl NewVisit {
    /// A stored visit is this one sent again when every value matches and the same person
    /// recorded it; anything else under the same id is a sync conflict.
    pub fn is_replay_of(&self, stored: &Visit, recorder: Uuid) -> bool {
        stored.id == self.id
            && stored.household_id == self.household_id
            && stored.visited_at == self.visited_at
            && stored.method == self.method
            && stored.summary == self.summary
            && stored.acquainted == self.acquainted
            && stored.joined_group == self.joined_group
            && stored.task_id == self.task_id
            && stored.leader_id == recorder
    }
}

/// `POST /visits/batch`: a phone's offline queue. Items are taken as raw JSON so that one
/// malformed item is answered on its own (422) instead of failing the whole batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Up to 500 visits, each with its `id`.
    #[schema(value_type = Vec<VisitInput>)]
    pub visits: Vec<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResponse {
    /// One per item, in the order sent.
    pub results: Vec<BatchResult>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    /// The item's id (null when it had none that parses).
    pub id: Option<Uuid>,
    /// 201 stored now, 200 stored before (a replay), 404 household not found in your scope,
    /// 409 the id is stored with different content, 422 invalid values.
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

/// `GET /visits` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VisitFilter {
    pub household_id: Option<Uuid>,
    pub micro_grid_id: Option<Uuid>,
    /// Who recorded the visits.
    pub leader_id: Option<Uuid>,
    /// First day (YYYY-MM-DD, tenant's zone), inclusive.
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub from: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD, tenant's zone), inclusive.
    #[serde(default, deserialize_with = "crate::domain::day::optional")]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub per_page: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(visited_at: &str, method: &str, summary: &str) -> VisitInput {
        VisitInput {
            id: None,
            household_id: Uuid::nil(),
            visited_at: visited_at.into(),
            method: method.into(),
            summary: summary.into(),
            acquainted: false,
            joined_group: false,
            task_id: None,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-26T02:00:00Z".parse().unwrap()
    }

    #[test]
    fn times_are_kept_to_the_microsecond_as_the_database_does() {
        let visit = input("2026-11-26T09:30:00.1234567+08:00", "door", "")
            .parse(now())
            .unwrap_or_else(|p| panic!("{:?}", p.into_fields()));
        assert_eq!(
            visit.visited_at.to_rfc3339(),
            "2026-11-26T01:30:00.123456+00:00"
        );
        assert_eq!(visit.id.get_version_num(), 7, "a missing id is made as v7");
    }

    #[test]
    fn five_minutes_of_clock_skew_and_no_more() {
        assert!(input("2026-11-26T10:05:00+08:00", "door", "")
            .parse(now())
            .is_ok());
        let problems = input("2026-11-26T10:05:01+08:00", "door", "")
            .parse(now())
            .map(|_| ())
            .expect_err("refused")
            .into_fields();
        assert_eq!(problems["visited_at"], ["is in the future"]);
    }

    #[test]
    fn every_bad_value_is_reported() {
        let long = "字".repeat(MAX_SUMMARY + 1);
        let problems = input("26/11/2026", "visit", &long)
            .parse(now())
            .map(|_| ())
            .expect_err("refused")
            .into_fields();
        assert_eq!(
            problems.keys().collect::<Vec<_>>(),
            ["method", "summary", "visited_at"]
        );
        let nul = input("2026-11-26T09:00:00+08:00", "door", "a\0b").parse(now());
        assert!(nul.is_err());
        let exact = "字".repeat(MAX_SUMMARY);
        assert!(input("2026-11-26T09:00:00+08:00", "group", &exact)
            .parse(now())
            .is_ok());
    }
}
