//! `POST /issues/{id}/assign|accept|extend|extension|done|verify`: the township's workflow
//! (docs/workflow.md). Who may take each step:
//!
//! | step | from | to | who |
//! |---|---|---|---|
//! | assign | open, escalated | assigned | tenant admin, supervisor (in scope) |
//! | accept | assigned | accepted | a handler of the department |
//! | extend | accepted (none pending) | accepted | a handler of the department |
//! | extension | accepted, done (one pending) | unchanged | tenant admin |
//! | done | accepted | done | a handler of the department |
//! | verify | done | resolved, or accepted (rework) | the household's leader, tenant admin |

use actix_web::web;
use uuid::Uuid;

use crate::auth::Caller;
use crate::departments;
use crate::domain::Role;
use crate::error::{AppError, AppResult, ErrorBody, Problems};
use crate::http::Json;
use crate::issues::queries::{self, Actor, Reach};
use crate::issues::types::{
    free_text, AcceptBody, AssignBody, ExtendBody, ExtensionBody, IssueDetail, ResolveBody,
    VerifyBody,
};
use crate::issues::workflow::{self, Step};

async fn take(
    caller: Caller,
    issue_id: Uuid,
    step: Step,
    text: Option<String>,
) -> AppResult<web::Json<IssueDetail>> {
    let tenant_id = caller.tenant()?;
    let reach = Reach::of(&caller)?;
    let mut conn = caller.db().await?;
    if let Step::Assign { department_id, .. } = step {
        if !departments::queries::exists(&mut conn, tenant_id, department_id).await? {
            return Err(AppError::invalid(
                "department_id",
                "no such department in this township",
            ));
        }
    }
    let actor = Actor {
        tenant_id,
        user_id: caller.user_id,
        // The steps reach the issue through `reach`. Should anything read this scope, a
        // handler's is the empty one: they lead no micro-grid.
        scope: match reach {
            Reach::Scope(scope) => scope,
            Reach::Department { handler } => crate::auth::Scope::Leader(handler),
        },
        ip: caller.ip.as_deref(),
    };
    workflow::take(&mut conn, &actor, reach, issue_id, step, text.as_deref()).await?;
    let detail = queries::detail(&mut conn, tenant_id, reach, issue_id).await?;
    conn.commit().await?;
    Ok(web::Json(detail))
}

/// Route to a department
///
/// open or escalated → assigned, with `due_on` the `due_days`-th working day after today in
/// the township's calendar (by default the category's limit: road 10, housing 15, land 20,
/// welfare 5, other 10). Tenant admins and supervisors (a grid supervisor in their grid).
#[utoipa::path(
    post, path = "/api/v1/issues/{id}/assign", tag = "issues",
    operation_id = "assign_issue",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = AssignBody,
    responses(
        (status = 200, description = "Routed", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a tenant admin or supervisor", body = ErrorBody),
        (status = 404, description = "Not in your tenant and scope", body = ErrorBody),
        (status = 409, description = "The issue is not open or escalated", body = ErrorBody),
        (status = 422, description = "Unknown department, due_days outside 1–60, note too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn assign(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<AssignBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(&[Role::TenantAdmin, Role::Supervisor])?;
    Problems::validated(&*body).finish()?;
    let step = Step::Assign {
        department_id: body.department_id,
        due_days: body.due_days,
    };
    let note = free_text(body.note.as_deref());
    take(caller, path.into_inner(), step, note).await
}

/// Sign for it
///
/// assigned → accepted: the department takes the issue on (a handler of that department;
/// any other issue is 404 to them).
#[utoipa::path(
    post, path = "/api/v1/issues/{id}/accept", tag = "issues",
    operation_id = "accept_issue",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = AcceptBody,
    responses(
        (status = 200, description = "Accepted", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a handler", body = ErrorBody),
        (status = 404, description = "Not routed to your department", body = ErrorBody),
        (status = 409, description = "The issue is not assigned", body = ErrorBody),
        (status = 422, description = "Note too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn accept(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<AcceptBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(&[Role::Handler])?;
    Problems::validated(&*body).finish()?;
    let note = free_text(body.note.as_deref());
    take(caller, path.into_inner(), Step::Accept, note).await
}

/// Ask for more time
///
/// While accepted, with no request pending: `days` more working days (1–30) and why; the
/// tenant admin answers with `extension`. `extension_requested` shows it meanwhile.
#[utoipa::path(
    post, path = "/api/v1/issues/{id}/extend", tag = "issues",
    operation_id = "request_issue_extension",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = ExtendBody,
    responses(
        (status = 200, description = "Requested", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a handler", body = ErrorBody),
        (status = 404, description = "Not routed to your department", body = ErrorBody),
        (status = 409, description = "Not accepted, or a request is pending", body = ErrorBody),
        (status = 422, description = "days outside 1–30, reason empty or too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn extend(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<ExtendBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(&[Role::Handler])?;
    Problems::validated(&*body).finish()?;
    let step = Step::Extend { days: body.days };
    let reason = free_text(Some(&body.reason));
    take(caller, path.into_inner(), step, reason).await
}

/// Answer a request for more time
///
/// Granted: `due_on` moves by the working days asked for, counted from the current
/// `due_on`; refused: it stays. Either way the request is answered (tenant admin). The
/// event's note starts with `granted` or `refused`.
#[utoipa::path(
    post, path = "/api/v1/issues/{id}/extension", tag = "issues",
    operation_id = "answer_issue_extension",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = ExtensionBody,
    responses(
        (status = 200, description = "Answered", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a tenant admin", body = ErrorBody),
        (status = 404, description = "Not in your tenant", body = ErrorBody),
        (status = 409, description = "No request pending", body = ErrorBody),
        (status = 422, description = "Note too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn extension(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<ExtensionBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(&[Role::TenantAdmin])?;
    Problems::validated(&*body).finish()?;
    let answer = if body.granted { "granted" } else { "refused" };
    let note = match free_text(body.note.as_deref()) {
        Some(note) => format!("{answer}: {note}"),
        None => answer.to_owned(),
    };
    let step = Step::Extension {
        granted: body.granted,
    };
    take(caller, path.into_inner(), step, Some(note)).await
}

/// Report it done
///
/// accepted → done, with what was done (`resolution`); the household's leader verifies.
#[utoipa::path(
    post, path = "/api/v1/issues/{id}/done", tag = "issues",
    operation_id = "report_issue_done",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = ResolveBody,
    responses(
        (status = 200, description = "Reported done", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a handler", body = ErrorBody),
        (status = 404, description = "Not routed to your department", body = ErrorBody),
        (status = 409, description = "The issue is not accepted", body = ErrorBody),
        (status = 422, description = "Resolution empty or too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn done(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<ResolveBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(&[Role::Handler])?;
    Problems::validated(&*body).finish()?;
    let resolution = free_text(Some(&body.resolution));
    take(caller, path.into_inner(), Step::Done, resolution).await
}

/// Verify the department's work
///
/// done → resolved when `fixed` (the department's resolution stands, `resolved_at` is
/// now), else back to accepted for rework (the resolution cleared). The household's leader,
/// or a tenant admin.
#[utoipa::path(
    post, path = "/api/v1/issues/{id}/verify", tag = "issues",
    operation_id = "verify_issue",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = VerifyBody,
    responses(
        (status = 200, description = "Verified", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the leader or a tenant admin", body = ErrorBody),
        (status = 404, description = "Not in your tenant and scope", body = ErrorBody),
        (status = 409, description = "The issue is not done", body = ErrorBody),
        (status = 422, description = "Note too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn verify(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<VerifyBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(&[Role::Leader, Role::TenantAdmin])?;
    Problems::validated(&*body).finish()?;
    let step = Step::Verify { fixed: body.fixed };
    let note = free_text(body.note.as_deref());
    take(caller, path.into_inner(), step, note).await
}
