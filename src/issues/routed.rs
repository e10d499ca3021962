//! Raising issues and moving them on Citus: the same answers as the one-statement forms of
//! `queries`, in statements that Citus routes whole to the township's worker.
//!
//! On one server raising (and each transition) is one statement of modifying CTEs. Citus
//! cannot route those: it runs the CTEs one by one through the coordinator and moves their
//! rows with COPY, which PostgreSQL refuses into tables under row-level security, and it
//! refuses `clock_timestamp()` in an UPDATE. Here each statement names one issue or household
//! by `tenant_id` and id, and all of them share the request's transaction (as
//! `visits::routed` does for visits).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::domain::IssueStatus;
use crate::error::AppResult;
use crate::issues::queries::{Actor, Moved, NewIssue, Raised, Transition, REOPEN};
use crate::scope_sql;

#[derive(QueryableByName)]
struct Place {
    #[diesel(sql_type = SqlUuid)]
    micro_grid_id: Uuid,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// `queries::RAISE` in steps: the household in scope, the visit, the issue (its primary key
/// decides between racing copies), then its event and audit record.
pub(super) async fn raise(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    new: &NewIssue,
) -> AppResult<Raised> {
    let refused = |household_found, visit_ok| Raised {
        household_found,
        visit_ok,
        created: false,
    };
    let place: Option<Place> = diesel::sql_query(concat!(
        "SELECT h.micro_grid_id FROM households h \
         JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
         WHERE h.tenant_id = $1 AND h.id = $2 AND ",
        scope_sql!("m", "$3", "$4"),
    ))
    .bind::<SqlUuid, _>(actor.tenant_id)
    .bind::<SqlUuid, _>(new.household_id)
    .bind::<Nullable<SqlUuid>, _>(actor.scope.leader_key())
    .bind::<Nullable<SqlUuid>, _>(actor.scope.grid_key())
    .get_result(conn)
    .await
    .optional()?;
    let Some(place) = place else {
        return Ok(refused(false, true));
    };
    if let Some(visit_id) = new.visit_id {
        let visit: Found = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM visits \
             WHERE tenant_id = $1 AND id = $2 AND household_id = $3) AS found",
        )
        .bind::<SqlUuid, _>(actor.tenant_id)
        .bind::<SqlUuid, _>(visit_id)
        .bind::<SqlUuid, _>(new.household_id)
        .get_result(conn)
        .await?;
        if !visit.found {
            return Ok(refused(true, false));
        }
    }
    let stored: Option<Stored> = diesel::sql_query(
        "INSERT INTO issues (tenant_id, id, household_id, micro_grid_id, visit_id, category, \
                             description, status, raised_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) \
         ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id",
    )
    .bind::<SqlUuid, _>(actor.tenant_id)
    .bind::<SqlUuid, _>(new.id)
    .bind::<SqlUuid, _>(new.household_id)
    .bind::<SqlUuid, _>(place.micro_grid_id)
    .bind::<Nullable<SqlUuid>, _>(new.visit_id)
    .bind::<Text, _>(new.category)
    .bind::<Text, _>(&new.description)
    .bind::<SqlUuid, _>(actor.user_id)
    .get_result(conn)
    .await
    .optional()?;
    let Some(stored) = stored else {
        return Ok(refused(true, true));
    };
    diesel::sql_query(
        "INSERT INTO issue_events (tenant_id, id, issue_id, action, from_status, to_status, actor_id) \
         VALUES ($1, $2, $3, 'raise', NULL, 'open', $4)",
    )
    .bind::<SqlUuid, _>(actor.tenant_id)
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<SqlUuid, _>(stored.id)
    .bind::<SqlUuid, _>(actor.user_id)
    .execute(conn)
    .await?;
    let detail = serde_json::json!({
        "household_id": new.household_id,
        "category": new.category.as_str(),
    });
    audit(
        conn,
        actor,
        AuditAction::IssueRaise,
        stored.id,
        Some(detail),
    )
    .await?;
    Ok(Raised {
        household_found: true,
        visit_ok: true,
        created: true,
    })
}

#[derive(QueryableByName)]
struct Current {
    #[diesel(sql_type = Text)]
    status: IssueStatus,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    feedback_at: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct Status {
    #[diesel(sql_type = Text)]
    status: IssueStatus,
}

#[derive(QueryableByName)]
struct Clock {
    #[diesel(sql_type = Timestamptz)]
    now: DateTime<Utc>,
}

/// `queries::transition_sql` in steps: lock the issue (if in scope), decide on the locked
/// row, read the clock after the lock, change the issue, record the event and the audit.
pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    issue_id: Uuid,
    t: Transition,
    text: Option<&str>,
    satisfied: Option<bool>,
) -> AppResult<Option<Moved>> {
    let current: Option<Current> = diesel::sql_query(concat!(
        "SELECT i.status, i.feedback_at FROM issues i \
         JOIN households h ON h.tenant_id = i.tenant_id AND h.id = i.household_id \
         JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
         WHERE i.tenant_id = $1 AND i.id = $2 AND ",
        scope_sql!("m", "$3", "$4"),
        " FOR UPDATE OF i",
    ))
    .bind::<SqlUuid, _>(actor.tenant_id)
    .bind::<SqlUuid, _>(issue_id)
    .bind::<Nullable<SqlUuid>, _>(actor.scope.leader_key())
    .bind::<Nullable<SqlUuid>, _>(actor.scope.grid_key())
    .get_result(conn)
    .await
    .optional()?;
    let Some(current) = current else {
        return Ok(None);
    };
    let allowed = t.from().contains(&current.status)
        && !(matches!(t, Transition::Feedback | Transition::Unsatisfied)
            && current.feedback_at.is_some());
    if !allowed {
        return Ok(Some(Moved {
            status: current.status,
            changed: false,
        }));
    }
    let at = diesel::sql_query("SELECT clock_timestamp() AS now")
        .get_result::<Clock>(conn)
        .await?
        .now;
    let set = match t {
        Transition::Escalate => "status = 'escalated'",
        Transition::Resolve => "status = 'resolved', resolved_at = $3, resolution = $4",
        Transition::Reopen | Transition::Unsatisfied => REOPEN,
        Transition::Feedback => "satisfied = $5, feedback_comment = $4, feedback_at = $3",
    };
    // Every form binds the same parameters; those its SET leaves out are typed, not used.
    let moved: Status = diesel::sql_query(format!(
        "UPDATE issues SET {set}, changed_xid = pg_current_xact_id() \
         WHERE tenant_id = $1 AND id = $2 RETURNING status"
    ))
    .bind::<SqlUuid, _>(actor.tenant_id)
    .bind::<SqlUuid, _>(issue_id)
    .bind::<Timestamptz, _>(at)
    .bind::<Nullable<Text>, _>(text)
    .bind::<Nullable<Bool>, _>(satisfied)
    .get_result(conn)
    .await?;
    let step = Step {
        action: t.action(),
        from: current.status,
        to: moved.status,
        note: text,
        at,
    };
    event(conn, actor, issue_id, step).await?;
    let detail = satisfied.map(|s| serde_json::json!({ "satisfied": s }));
    audit(conn, actor, t.audit_action(), issue_id, detail).await?;
    Ok(Some(Moved {
        status: current.status,
        changed: true,
    }))
}

/// One step of an issue as its event records it.
pub(super) struct Step<'a> {
    pub action: &'a str,
    pub from: IssueStatus,
    pub to: IssueStatus,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// The event of a step (who, when, from which status to which, with what note): one statement
/// for the old transitions and the township's workflow alike.
pub(super) async fn event(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    issue_id: Uuid,
    step: Step<'_>,
) -> AppResult<()> {
    diesel::sql_query(
        "INSERT INTO issue_events (tenant_id, id, issue_id, action, from_status, to_status, \
                                   actor_id, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind::<SqlUuid, _>(actor.tenant_id)
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<SqlUuid, _>(issue_id)
    .bind::<Text, _>(step.action)
    .bind::<Text, _>(step.from.as_str())
    .bind::<Text, _>(step.to.as_str())
    .bind::<SqlUuid, _>(actor.user_id)
    .bind::<Nullable<Text>, _>(step.note)
    .bind::<Timestamptz, _>(step.at)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn audit(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    action: AuditAction,
    issue_id: Uuid,
    detail: Option<serde_json::Value>,
) -> AppResult<()> {
    diesel::sql_query(
        "INSERT INTO audit_log (tenant_id, id, actor_id, action, entity, entity_id, ip, detail) \
         VALUES ($1, $2, $3, $4, 'issue', $5, $6, $7)",
    )
    .bind::<SqlUuid, _>(actor.tenant_id)
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<SqlUuid, _>(actor.user_id)
    .bind::<Text, _>(action)
    .bind::<SqlUuid, _>(issue_id)
    .bind::<Nullable<Text>, _>(actor.ip)
    .bind::<Nullable<Jsonb>, _>(detail)
    .execute(conn)
    .await?;
    Ok(())
}
