//! `POST /issues/{id}/escalate|resolve|reopen|feedback`: the state machine
//! open → escalated → resolved, open → resolved, resolved → open, feedback once per
//! resolution (not satisfied: → open). Anything else is 409. The township's workflow
//! (assign, accept, …) is in `workflow`.

use actix_web::web;
use uuid::Uuid;

use crate::auth::{Caller, Scope};
use crate::error::{AppResult, ErrorBody, Problems};
use crate::http::Json;
use crate::issues::queries::{self, Actor, Reach, Transition};
use crate::issues::raise::GRID_STAFF;
use crate::issues::types::{free_text, FeedbackBody, IssueDetail, NoteBody, ResolveBody};

async fn act(
    caller: Caller,
    issue_id: Uuid,
    transition: Transition,
    text: Option<String>,
    satisfied: Option<bool>,
) -> AppResult<web::Json<IssueDetail>> {
    let tenant_id = caller.tenant()?;
    let mut conn = caller.db().await?;
    let actor = Actor {
        tenant_id,
        user_id: caller.user_id,
        scope: Scope::of(&caller)?,
        ip: caller.ip.as_deref(),
    };
    queries::apply(
        &mut conn,
        &actor,
        issue_id,
        transition,
        text.as_deref(),
        satisfied,
    )
    .await?;
    let detail = queries::detail(&mut conn, tenant_id, Reach::Scope(actor.scope), issue_id).await?;
    conn.commit().await?;
    Ok(web::Json(detail))
}

/// Escalate to the township
///
/// open → escalated.
#[utoipa::path(
    post,
    path = "/api/v1/issues/{id}/escalate",
    tag = "issues",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = NoteBody,
    responses(
        (status = 200, description = "Escalated", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 404, description = "Not in your tenant and scope", body = ErrorBody),
        (status = 409, description = "The issue is not open", body = ErrorBody),
        (status = 422, description = "Note too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn escalate(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<NoteBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(GRID_STAFF)?;
    Problems::validated(&*body).finish()?;
    let note = free_text(body.note.as_deref());
    act(caller, path.into_inner(), Transition::Escalate, note, None).await
}

/// Resolve
///
/// open or escalated → resolved; sets `resolved_at` and `resolution`.
#[utoipa::path(
    post,
    path = "/api/v1/issues/{id}/resolve",
    tag = "issues",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = ResolveBody,
    responses(
        (status = 200, description = "Resolved", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 404, description = "Not in your tenant and scope", body = ErrorBody),
        (status = 409, description = "The issue is resolved already", body = ErrorBody),
        (status = 422, description = "Resolution empty or too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn resolve(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<ResolveBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(GRID_STAFF)?;
    Problems::validated(&*body).finish()?;
    let resolution = free_text(Some(&body.resolution));
    act(
        caller,
        path.into_inner(),
        Transition::Resolve,
        resolution,
        None,
    )
    .await
}

/// Reopen
///
/// resolved → open; clears `resolved_at`, `resolution` and the feedback (`satisfied`), so
/// the next resolution gets its own feedback. The events keep the history.
#[utoipa::path(
    post,
    path = "/api/v1/issues/{id}/reopen",
    tag = "issues",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = NoteBody,
    responses(
        (status = 200, description = "Open again", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 404, description = "Not in your tenant and scope", body = ErrorBody),
        (status = 409, description = "The issue is not resolved", body = ErrorBody),
        (status = 422, description = "Note too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn reopen(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<NoteBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(GRID_STAFF)?;
    Problems::validated(&*body).finish()?;
    let note = free_text(body.note.as_deref());
    act(caller, path.into_inner(), Transition::Reopen, note, None).await
}

/// The resident's feedback
///
/// Once per resolution, on a resolved issue: `satisfied` and an optional `comment` (kept as
/// the event's note). `satisfied: false` reopens the issue (→ open, as `reopen` does: the
/// resolution, feedback and routing are cleared, the event keeps the comment and the audit
/// record the answer).
#[utoipa::path(
    post,
    path = "/api/v1/issues/{id}/feedback",
    tag = "issues",
    params(("id" = Uuid, Path, description = "The issue")),
    request_body = FeedbackBody,
    responses(
        (status = 200, description = "Feedback recorded (not satisfied: open again)", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 404, description = "Not in your tenant and scope", body = ErrorBody),
        (status = 409, description = "Not resolved, or feedback given already", body = ErrorBody),
        (status = 422, description = "Comment too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn feedback(
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<FeedbackBody>,
) -> AppResult<web::Json<IssueDetail>> {
    caller.require(GRID_STAFF)?;
    let body = body.into_inner();
    Problems::validated(&body).finish()?;
    let comment = free_text(body.comment.as_deref());
    // The resident not satisfied: the problem is not solved, and goes back to the township.
    let transition = if body.satisfied {
        Transition::Feedback
    } else {
        Transition::Unsatisfied
    };
    act(
        caller,
        path.into_inner(),
        transition,
        comment,
        Some(body.satisfied),
    )
    .await
}
