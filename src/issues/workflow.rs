//! The township's workflow on an issue (api.md "Township workflow"): routed to a department
//! with a time limit in working days, signed for, more time asked and granted or refused,
//! reported done, verified (or sent back for rework).
//!
//! Each step is taken in the routed form `issues::routed` uses on Citus, on every server:
//! lock the issue (if the caller reaches it), decide on the locked row, read the clock, write
//! the new state, the event and the audit record, all in the request's transaction. A time
//! limit is counted in the township's calendar (`domain::WorkingDays`) from the locked row's
//! own values (its category, its current limit), which a single statement of SQL could not
//! do; these steps are an office's few clicks a day, so the extra round trips cost nothing.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Date, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::domain::{due_days, IssueCategory, IssueStatus};
use crate::error::{AppError, AppResult};
use crate::issues::queries::{Actor, Reach};
use crate::issues::routed;
use crate::scope_sql;

/// A step of the workflow, with what its request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// To a department; the limit in working days, or the category's.
    Assign {
        department_id: Uuid,
        due_days: Option<u32>,
    },
    Accept,
    /// More working days asked for.
    Extend {
        days: u32,
    },
    /// The admin's answer to the request.
    Extension {
        granted: bool,
    },
    Done,
    Verify {
        fixed: bool,
    },
}

impl Step {
    /// The event's action word and the audit log's action.
    fn words(self) -> (&'static str, AuditAction) {
        match self {
            Step::Assign { .. } => ("assign", AuditAction::IssueAssign),
            Step::Accept => ("accept", AuditAction::IssueAccept),
            Step::Extend { .. } => ("extend", AuditAction::IssueExtend),
            Step::Extension { .. } => ("extension", AuditAction::IssueExtension),
            Step::Done => ("done", AuditAction::IssueDone),
            Step::Verify { .. } => ("verify", AuditAction::IssueVerify),
        }
    }

    /// The states it may start from.
    fn from(self) -> &'static [IssueStatus] {
        match self {
            Step::Assign { .. } => &[IssueStatus::Open, IssueStatus::Escalated],
            Step::Accept => &[IssueStatus::Assigned],
            Step::Extend { .. } | Step::Done => &[IssueStatus::Accepted],
            // Answered while the department still works on it, or once it reported done.
            Step::Extension { .. } => &[IssueStatus::Accepted, IssueStatus::Done],
            Step::Verify { .. } => &[IssueStatus::Done],
        }
    }
}

/// The issue's workflow columns, as locked and as written back.
#[derive(Debug, Clone, QueryableByName)]
struct State {
    #[diesel(sql_type = Text)]
    status: IssueStatus,
    #[diesel(sql_type = Text)]
    category: IssueCategory,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    department_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Date>)]
    due_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Integer>)]
    extension_days: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    resolution: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    resolved_at: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct Clock {
    #[diesel(sql_type = Timestamptz)]
    now: DateTime<Utc>,
}

/// Locks the issue if the caller reaches it: `$3`/`$4` the scope's keys, or `$3` the
/// handler whose department it must be routed to (`$4`, bound typed, then unused).
fn lock_sql(reach: Reach) -> &'static str {
    match reach {
        Reach::Scope(_) => concat!(
            "SELECT i.status, i.category, i.department_id, i.due_on, i.extension_days, \
                    i.resolution, i.resolved_at \
             FROM issues i \
             JOIN households h ON h.tenant_id = i.tenant_id AND h.id = i.household_id \
             JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
             WHERE i.tenant_id = $1 AND i.id = $2 AND ",
            scope_sql!("m", "$3", "$4"),
            " FOR UPDATE OF i"
        ),
        Reach::Department { .. } => {
            "SELECT i.status, i.category, i.department_id, i.due_on, i.extension_days, \
                    i.resolution, i.resolved_at \
             FROM issues i \
             WHERE i.tenant_id = $1 AND i.id = $2 \
               AND i.department_id = (SELECT u.department_id FROM users u \
                                      WHERE u.tenant_id = $1 AND u.id = $3) \
             FOR UPDATE OF i"
        }
    }
}

/// Takes `step` on the issue: 404 when the caller does not reach it, 409 when its state
/// does not allow the step.
pub async fn take(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    reach: Reach,
    issue_id: Uuid,
    step: Step,
    text: Option<&str>,
) -> AppResult<()> {
    let (first_key, grid_key) = match reach {
        Reach::Scope(scope) => (scope.leader_key(), scope.grid_key()),
        Reach::Department { handler } => (Some(handler), None),
    };
    let current: State = diesel::sql_query(lock_sql(reach))
        .bind::<SqlUuid, _>(actor.tenant_id)
        .bind::<SqlUuid, _>(issue_id)
        .bind::<Nullable<SqlUuid>, _>(first_key)
        .bind::<Nullable<SqlUuid>, _>(grid_key)
        .get_result(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound)?;
    let (action, audit_action) = step.words();
    if !step.from().contains(&current.status) {
        return Err(AppError::conflict(format!(
            "an issue that is {} cannot {action}",
            current.status
        )));
    }
    let at = diesel::sql_query("SELECT clock_timestamp() AS now")
        .get_result::<Clock>(conn)
        .await?
        .now;
    let next = next_state(conn, actor.tenant_id, &current, step, text, at).await?;
    diesel::sql_query(
        "UPDATE issues SET status = $3, department_id = $4, due_on = $5, extension_days = $6, \
                           resolution = $7, resolved_at = $8, changed_xid = pg_current_xact_id() \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind::<SqlUuid, _>(actor.tenant_id)
    .bind::<SqlUuid, _>(issue_id)
    .bind::<Text, _>(next.status.as_str())
    .bind::<Nullable<SqlUuid>, _>(next.department_id)
    .bind::<Nullable<Date>, _>(next.due_on)
    .bind::<Nullable<Integer>, _>(next.extension_days)
    .bind::<Nullable<Text>, _>(next.resolution.as_deref())
    .bind::<Nullable<Timestamptz>, _>(next.resolved_at)
    .execute(conn)
    .await?;
    let recorded = routed::Step {
        action,
        from: current.status,
        to: next.status,
        note: text,
        at,
    };
    routed::event(conn, actor, issue_id, recorded).await?;
    let detail = audit_detail(&current, &next, step);
    routed::audit(conn, actor, audit_action, issue_id, Some(detail)).await
}

/// The state after `step`, decided on the locked `current` (its state allows the step).
async fn next_state(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    current: &State,
    step: Step,
    text: Option<&str>,
    at: DateTime<Utc>,
) -> AppResult<State> {
    let mut next = current.clone();
    match step {
        Step::Assign {
            department_id,
            due_days: days,
        } => {
            let today = crate::db::calendar::today(conn, tenant).await?;
            let days = days.unwrap_or_else(|| due_days(current.category));
            next.status = IssueStatus::Assigned;
            next.department_id = Some(department_id);
            next.due_on = Some(working_day_after(conn, tenant, today, days).await?);
            next.extension_days = None;
        }
        Step::Accept => next.status = IssueStatus::Accepted,
        Step::Extend { days } => {
            if current.extension_days.is_some() {
                return Err(AppError::conflict(
                    "more time is asked for already; wait for the answer",
                ));
            }
            next.extension_days = i32::try_from(days).ok();
        }
        Step::Extension { granted } => {
            let Some(days) = current.extension_days else {
                return Err(AppError::conflict("no more time was asked for"));
            };
            next.extension_days = None;
            if let (true, Some(due_on)) = (granted, current.due_on) {
                let days = u32::try_from(days).unwrap_or_default();
                next.due_on = Some(working_day_after(conn, tenant, due_on, days).await?);
            }
        }
        Step::Done => {
            next.status = IssueStatus::Done;
            next.resolution = text.map(str::to_owned);
        }
        Step::Verify { fixed: true } => {
            next.status = IssueStatus::Resolved;
            next.resolved_at = Some(at);
        }
        Step::Verify { fixed: false } => {
            next.status = IssueStatus::Accepted;
            next.resolution = None;
        }
    }
    Ok(next)
}

/// The `days`-th working day after `day` in the township's calendar.
async fn working_day_after(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    day: NaiveDate,
    days: u32,
) -> AppResult<NaiveDate> {
    let calendar = crate::db::calendar::working_days(conn, tenant, day).await?;
    calendar
        .nth_after(day, days)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a time limit past the calendar's end")))
}

/// What the audit record keeps beyond the action: where it went and until when.
fn audit_detail(current: &State, next: &State, step: Step) -> serde_json::Value {
    let mut detail = serde_json::json!({});
    match step {
        Step::Assign { department_id, .. } => {
            detail["department_id"] = serde_json::json!(department_id);
            detail["due_on"] = serde_json::json!(next.due_on);
        }
        Step::Extend { days } => detail["days"] = serde_json::json!(days),
        Step::Extension { granted } => {
            detail["granted"] = serde_json::json!(granted);
            detail["days"] = serde_json::json!(current.extension_days);
            detail["due_on"] = serde_json::json!({"from": current.due_on, "to": next.due_on});
        }
        Step::Verify { fixed } => detail["fixed"] = serde_json::json!(fixed),
        Step::Accept | Step::Done => {}
    }
    detail
}
