//! The issues' SQL. Raising and every transition are one statement each: the change, its
//! event and its audit record commit together or not at all, and a transition is decided
//! on the row as locked, so two racing transitions cannot both win. On Citus the same steps
//! are separate statements in the request's transaction (`issues::routed`).

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::auth::Scope;
use crate::db::schema::{issue_events, issues, micro_grids, users};
use crate::domain::{Instants, IssueCategory, IssueStatus};
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::issues::types::{Issue, IssueDetail, IssueEvent, IssueFilter};
use crate::scope_sql;

/// Who acts, on whose behalf, from where.
pub struct Actor<'a> {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub scope: Scope,
    pub ip: Option<&'a str>,
}

/// Which issues a caller reaches: the grid's staff those of the households in their scope,
/// a department's handler those routed to their department (found through the handler's
/// own row, so a handler moved to another department reaches the new one's at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Scope(Scope),
    Department { handler: Uuid },
}

impl Reach {
    pub fn of(caller: &crate::auth::Caller) -> AppResult<Reach> {
        if caller.is(crate::domain::Role::Handler) {
            Ok(Reach::Department {
                handler: caller.user_id,
            })
        } else {
            Scope::of(caller).map(Reach::Scope)
        }
    }
}

/// The department a handler works for, as a subquery: what `Reach::Department` reaches, for
/// the issues and for the households they concern.
pub fn department_of(
    tenant: Uuid,
    handler: Uuid,
) -> users::BoxedQuery<'static, Pg, diesel::sql_types::Nullable<diesel::sql_types::Uuid>> {
    users::table
        .filter(users::tenant_id.eq(tenant))
        .filter(users::id.eq(handler))
        .select(users::department_id)
        .into_boxed()
}

pub struct NewIssue {
    pub id: Uuid,
    pub household_id: Uuid,
    pub visit_id: Option<Uuid>,
    pub category: IssueCategory,
    pub description: String,
}

const RAISE: &str = concat!(
    r#"
WITH household AS (
    SELECT h.id, h.micro_grid_id
    FROM households h
    JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id
    WHERE h.tenant_id = $1 AND h.id = $2
      AND "#,
    scope_sql!("m", "$3", "$4"),
    r#"
),
visit_ok AS (
    SELECT 1 WHERE $5::uuid IS NULL
       OR EXISTS (SELECT 1 FROM visits WHERE tenant_id = $1 AND id = $5 AND household_id = $2)
),
ins AS (
    INSERT INTO issues (tenant_id, id, household_id, micro_grid_id, visit_id, category,
                        description, status, raised_by)
    SELECT $1, $6, h.id, h.micro_grid_id, $5, $7, $8, 'open', $9
    FROM household h, visit_ok
    -- A phone's retry: the primary key decides (racing copies store one row).
    ON CONFLICT (tenant_id, id) DO NOTHING
    RETURNING id, household_id
),
event AS (
    INSERT INTO issue_events (tenant_id, id, issue_id, action, from_status, to_status, actor_id)
    SELECT $1, $10, id, 'raise', NULL, 'open', $9 FROM ins
),
audit AS (
    INSERT INTO audit_log (tenant_id, id, actor_id, action, entity, entity_id, ip, detail)
    SELECT $1, $11, $9, $13, 'issue', id, $12,
           jsonb_build_object('household_id', household_id, 'category', $7::text)
    FROM ins
)
SELECT EXISTS (SELECT 1 FROM household) AS household_found,
       EXISTS (SELECT 1 FROM visit_ok) AS visit_ok,
       EXISTS (SELECT 1 FROM ins) AS created
"#
);

#[derive(QueryableByName)]
pub(super) struct Raised {
    #[diesel(sql_type = Bool)]
    pub household_found: bool,
    #[diesel(sql_type = Bool)]
    pub visit_ok: bool,
    #[diesel(sql_type = Bool)]
    pub created: bool,
}

/// How `raise` ended.
pub enum Raise {
    /// Stored now: 201.
    Created,
    /// Stored before under this id with the same content: 200, nothing new.
    Replayed,
}

/// Stores a new open issue with its `raise` event; 404 when the household is not in scope,
/// 422 when `visit_id` is not a visit to it, 409 when the id is stored with other content.
pub async fn raise(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    new: &NewIssue,
) -> AppResult<Raise> {
    if crate::db::on_citus() {
        let raised = crate::issues::routed::raise(conn, actor, new).await?;
        return answer(conn, actor, new, raised).await;
    }
    let raised: Raised = diesel::sql_query(RAISE)
        .bind::<SqlUuid, _>(actor.tenant_id)
        .bind::<SqlUuid, _>(new.household_id)
        .bind::<Nullable<SqlUuid>, _>(actor.scope.leader_key())
        .bind::<Nullable<SqlUuid>, _>(actor.scope.grid_key())
        .bind::<Nullable<SqlUuid>, _>(new.visit_id)
        .bind::<SqlUuid, _>(new.id)
        .bind::<Text, _>(new.category)
        .bind::<Text, _>(&new.description)
        .bind::<SqlUuid, _>(actor.user_id)
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<Nullable<Text>, _>(actor.ip)
        .bind::<Text, _>(AuditAction::IssueRaise)
        .get_result(conn)
        .await?;
    answer(conn, actor, new, raised).await
}

/// What `raise` answers once the statement (or Citus's steps) ran.
async fn answer(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    new: &NewIssue,
    raised: Raised,
) -> AppResult<Raise> {
    match raised {
        Raised { created: true, .. } => Ok(Raise::Created),
        Raised {
            household_found: false,
            ..
        } => Err(AppError::NotFound),
        Raised {
            visit_ok: false, ..
        } => Err(AppError::invalid(
            "visit_id",
            "is not a visit to this household",
        )),
        // In scope and valid, yet not stored: the id was (the insert waited for a racing
        // copy to commit, so the stored row is visible to this next statement). An issue the
        // caller may not see is 404, as any id outside their scope: a 409 would confirm it.
        _ => {
            let (household_id, visit_id, category, description, raised_by) =
                scoped(actor.tenant_id, Reach::Scope(actor.scope), None, None)
                    .filter(issues::id.eq(new.id))
                    .select((
                        issues::household_id,
                        issues::visit_id,
                        issues::category,
                        issues::description,
                        issues::raised_by,
                    ))
                    .first::<(Uuid, Option<Uuid>, IssueCategory, String, Uuid)>(conn)
                    .await?;
            let same = household_id == new.household_id
                && visit_id == new.visit_id
                && category == new.category
                && description == new.description
                && raised_by == actor.user_id;
            if same {
                Ok(Raise::Replayed)
            } else {
                Err(AppError::conflict(
                    "this issue id is stored already with different content",
                ))
            }
        }
    }
}

/// A legal move of the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Escalate,
    Resolve,
    Reopen,
    Feedback,
    /// Feedback with `satisfied: false`: recorded as feedback, and the issue reopens.
    Unsatisfied,
}

impl Transition {
    pub fn action(self) -> &'static str {
        match self {
            Transition::Escalate => "escalate",
            Transition::Resolve => "resolve",
            Transition::Reopen => "reopen",
            Transition::Feedback | Transition::Unsatisfied => "feedback",
        }
    }

    /// What the audit log calls it.
    pub fn audit_action(self) -> AuditAction {
        match self {
            Transition::Escalate => AuditAction::IssueEscalate,
            Transition::Resolve => AuditAction::IssueResolve,
            Transition::Reopen => AuditAction::IssueReopen,
            Transition::Feedback | Transition::Unsatisfied => AuditAction::IssueFeedback,
        }
    }

    /// The states it may start from.
    pub fn from(self) -> &'static [IssueStatus] {
        match self {
            Transition::Escalate => &[IssueStatus::Open],
            Transition::Resolve => &[IssueStatus::Open, IssueStatus::Escalated],
            Transition::Reopen | Transition::Feedback | Transition::Unsatisfied => {
                &[IssueStatus::Resolved]
            }
        }
    }

    /// The columns it sets. `$9` is its text (note, resolution or comment), `$13` the
    /// resident's `satisfied`. Reopening clears the resolution and its feedback (the next
    /// resolution gets its own) and the routing (the township routes it again, with a new
    /// time limit); the events keep the history.
    fn set_clause(self) -> &'static str {
        match self {
            Transition::Escalate => "status = 'escalated'",
            Transition::Resolve => {
                "status = 'resolved', resolved_at = clock_timestamp(), resolution = $9"
            }
            Transition::Reopen | Transition::Unsatisfied => REOPEN,
            Transition::Feedback => {
                "satisfied = $13, feedback_comment = $9, feedback_at = clock_timestamp()"
            }
        }
    }

    /// The moment of the move as the event records it: the very value the issue's own
    /// column got, where it has one.
    fn moment(self) -> &'static str {
        match self {
            Transition::Resolve => "i.resolved_at",
            Transition::Feedback => "i.feedback_at",
            Transition::Escalate | Transition::Reopen | Transition::Unsatisfied => {
                "clock_timestamp()"
            }
        }
    }

    /// Beyond the state: feedback is given once per resolution.
    fn extra_condition(self) -> &'static str {
        match self {
            Transition::Feedback | Transition::Unsatisfied => "AND c.feedback_at IS NULL",
            _ => "",
        }
    }
}

/// What going back to `open` clears (`reopen`, and feedback not satisfied).
pub(super) const REOPEN: &str = "status = 'open', resolved_at = NULL, resolution = NULL, \
     satisfied = NULL, feedback_comment = NULL, feedback_at = NULL, department_id = NULL, \
     due_on = NULL, extension_days = NULL";

/// Times are the clock's after the lock (`clock_timestamp()`), not the transaction's start:
/// a transition that waited for a racing one is stamped after it, so events keep their order.
/// `current` locks the issue (if in scope); the update applies only when the locked row's
/// state allows the move, so of two racing transitions the second sees the first's result.
fn transition_sql(t: Transition) -> String {
    format!(
        r#"
WITH current AS (
    SELECT i.id, i.status, i.feedback_at
    FROM issues i
    JOIN households h ON h.tenant_id = i.tenant_id AND h.id = i.household_id
    JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id
    WHERE i.tenant_id = $1 AND i.id = $2
      AND {in_scope}
    FOR UPDATE OF i
),
changed AS (
    UPDATE issues i SET {set}, changed_xid = pg_current_xact_id()
    FROM current c
    WHERE i.tenant_id = $1 AND i.id = c.id AND c.status = ANY($5::text[]) {extra}
    RETURNING i.id, c.status AS from_status, i.status AS to_status, {moment} AS at
),
event AS (
    INSERT INTO issue_events (tenant_id, id, issue_id, action, from_status, to_status,
                              actor_id, note, at)
    SELECT $1, $6, id, $7, from_status, to_status, $8, $9, at FROM changed
),
audit AS (
    INSERT INTO audit_log (tenant_id, id, actor_id, action, entity, entity_id, ip, detail)
    SELECT $1, $10, $8, $14, 'issue', id, $11, $12 FROM changed
)
SELECT c.status, EXISTS (SELECT 1 FROM changed) AS changed FROM current c
"#,
        set = t.set_clause(),
        extra = t.extra_condition(),
        moment = t.moment(),
        in_scope = scope_sql!("m", "$3", "$4"),
    )
}

/// The issue's state as locked, and whether the transition applied.
#[derive(QueryableByName)]
pub(super) struct Moved {
    #[diesel(sql_type = Text)]
    pub status: IssueStatus,
    #[diesel(sql_type = Bool)]
    pub changed: bool,
}

/// Applies `t`: 404 when the issue is not in scope, 409 when its state does not allow it.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    issue_id: Uuid,
    t: Transition,
    text: Option<&str>,
    satisfied: Option<bool>,
) -> AppResult<()> {
    let moved: Option<Moved> = if crate::db::on_citus() {
        crate::issues::routed::apply(conn, actor, issue_id, t, text, satisfied).await?
    } else {
        one_statement(conn, actor, issue_id, t, text, satisfied).await?
    };
    match moved {
        None => Err(AppError::NotFound),
        Some(Moved { changed: true, .. }) => Ok(()),
        Some(Moved { status, .. })
            if matches!(t, Transition::Feedback | Transition::Unsatisfied)
                && status == IssueStatus::Resolved =>
        {
            Err(AppError::conflict(
                "feedback was given already on this resolution",
            ))
        }
        Some(Moved { status, .. }) => Err(AppError::conflict(format!(
            "an issue that is {status} cannot {}",
            t.action()
        ))),
    }
}

async fn one_statement(
    conn: &mut AsyncPgConnection,
    actor: &Actor<'_>,
    issue_id: Uuid,
    t: Transition,
    text: Option<&str>,
    satisfied: Option<bool>,
) -> QueryResult<Option<Moved>> {
    let allowed: Vec<&str> = t.from().iter().map(|s| s.as_str()).collect();
    let detail = serde_json::json!({ "satisfied": satisfied });
    diesel::sql_query(transition_sql(t))
        .bind::<SqlUuid, _>(actor.tenant_id)
        .bind::<SqlUuid, _>(issue_id)
        .bind::<Nullable<SqlUuid>, _>(actor.scope.leader_key())
        .bind::<Nullable<SqlUuid>, _>(actor.scope.grid_key())
        .bind::<Array<Text>, _>(allowed)
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<Text, _>(t.action())
        .bind::<SqlUuid, _>(actor.user_id)
        .bind::<Nullable<Text>, _>(text)
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<Nullable<Text>, _>(actor.ip)
        .bind::<Nullable<Jsonb>, _>(satisfied.map(|_| detail))
        .bind::<Nullable<Bool>, _>(satisfied)
        .bind::<Text, _>(t.audit_action())
        .get_result(conn)
        .await
        .optional()
}

/// The issues of the caller's tenant whose household is in scope and matches the filter's
/// place (micro-grid, grid): the household's current one, since that is who follows it up.
fn scoped<'a>(
    tenant_id: Uuid,
    reach: Reach,
    micro_grid_id: Option<Uuid>,
    grid_id: Option<Uuid>,
) -> issues::BoxedQuery<'a, Pg> {
    let mut query = issues::table
        .filter(issues::tenant_id.eq(tenant_id))
        .into_boxed();
    match reach {
        // Who may see it: the household's leader and supervisors where the household lives
        // now.
        Reach::Scope(scope) => {
            if let Some(households) = crate::auth::scope::households_in(tenant_id, scope) {
                query = query.filter(issues::household_id.eq_any(households));
            }
        }
        // A handler: what is routed to their department, wherever the household lives.
        Reach::Department { handler } => {
            query = query.filter(issues::department_id.eq_any(department_of(tenant_id, handler)));
        }
    }
    // What was asked for: the issue's own micro-grid, as the field shows and the statistics
    // count (a waiting issue moves with its household; a resolved one stays where it was).
    if let Some(micro_grid) = micro_grid_id {
        query = query.filter(issues::micro_grid_id.eq(micro_grid));
    }
    if let Some(grid) = grid_id {
        query = query.filter(
            issues::micro_grid_id.eq_any(
                micro_grids::table
                    .filter(micro_grids::tenant_id.eq(tenant_id))
                    .filter(micro_grids::grid_id.eq(grid))
                    .select(micro_grids::id),
            ),
        );
    }
    query
}

/// One issue in scope with its events; 404 otherwise.
pub async fn detail(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    reach: Reach,
    issue_id: Uuid,
) -> AppResult<IssueDetail> {
    let shared: &AsyncPgConnection = conn;
    let issue = scoped(tenant_id, reach, None, None)
        .filter(issues::id.eq(issue_id))
        .select(Issue::as_select())
        .first::<Issue>(&mut &*shared);
    let events = issue_events::table
        .filter(issue_events::tenant_id.eq(tenant_id))
        .filter(issue_events::issue_id.eq(issue_id))
        .order((issue_events::at.asc(), issue_events::id.asc()))
        .select(IssueEvent::as_select())
        .load::<IssueEvent>(&mut &*shared);
    // Pipelined: one round trip. The events are shown only if the issue is in scope.
    // `join`, not `try_join`: every statement sent is awaited (src/db/mod.rs says why).
    let (issue, events) = futures_util::join!(issue, events);
    let (issue, events) = (issue?, events?);
    Ok(IssueDetail { issue, events })
}

fn filtered<'a>(
    tenant_id: Uuid,
    reach: Reach,
    filter: &IssueFilter,
    range: Instants,
) -> issues::BoxedQuery<'a, Pg> {
    let mut query = scoped(tenant_id, reach, filter.micro_grid_id, filter.grid_id);
    if let Some(status) = filter.status {
        query = query.filter(issues::status.eq(status.as_str()));
    }
    if let Some(late) = filter.overdue {
        query = query.filter(diesel::dsl::sql::<Bool>(crate::overdue_sql!("issues")).eq(late));
    }
    if let Some(soon) = filter.due_soon {
        query = query.filter(diesel::dsl::sql::<Bool>(crate::due_soon_sql!("issues")).eq(soon));
    }
    if let Some(department) = filter.department_id {
        query = query.filter(issues::department_id.eq(department));
    }
    if let Some(pending) = filter.extension_requested {
        query = query.filter(issues::extension_days.is_not_null().eq(pending));
    }
    if let Some(category) = filter.category {
        query = query.filter(issues::category.eq(category.as_str()));
    }
    if let Some(household) = filter.household_id {
        query = query.filter(issues::household_id.eq(household));
    }
    if let Some(start) = range.start {
        query = query.filter(issues::raised_at.ge(start));
    }
    if let Some(end) = range.end {
        query = query.filter(issues::raised_at.lt(end));
    }
    query
}

/// A page of issues, newest first, and the number of all that match.
pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    reach: Reach,
    filter: &IssueFilter,
    range: Instants,
    page: Page,
) -> AppResult<(Vec<Issue>, i64)> {
    let shared: &AsyncPgConnection = conn;
    let items = filtered(tenant_id, reach, filter, range)
        .select(Issue::as_select())
        .order((issues::raised_at.desc(), issues::id.desc()))
        .offset(page.offset())
        .limit(page.limit())
        .load::<Issue>(&mut &*shared);
    let total = filtered(tenant_id, reach, filter, range)
        .count()
        .get_result::<i64>(&mut &*shared);
    // `join`, not `try_join`: every statement sent is awaited (src/db/mod.rs says why).
    let (items, total) = futures_util::join!(items, total);
    Ok((items?, total?))
}
