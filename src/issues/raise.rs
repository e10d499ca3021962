//! `POST /issues`: log what a resident asks for.

use actix_web::HttpResponse;
use uuid::Uuid;

use crate::auth::{Caller, Scope};
use crate::domain::{IssueCategory, Role};
use crate::error::{checked, AppError, AppResult, ErrorBody, Problems};
use crate::http::Json;
use crate::issues::queries::{self, Actor, NewIssue, Raise, Reach};
use crate::issues::types::{free_text, IssueDetail, NewIssueBody};

/// Who may raise issues and move them along the grid's own path (escalate, resolve,
/// reopen, feedback): leaders (their own households), supervisors (their scope) and tenant
/// admins. A department's handler works only the steps routed to them (`workflow`).
pub const GRID_STAFF: &[Role] = &[Role::Leader, Role::Supervisor, Role::TenantAdmin];

/// Raise an issue (融亲)
///
/// Stored `open`, with a `raise` event. Idempotent by the phone's `id`, like a visit.
#[utoipa::path(
    post,
    path = "/api/v1/issues",
    tag = "issues",
    request_body = NewIssueBody,
    responses(
        (status = 201, description = "Raised", body = IssueDetail),
        (status = 200, description = "Raised before with the same id and content (a retry)", body = IssueDetail),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 404, description = "Household not in your tenant and scope", body = ErrorBody),
        (status = 409, description = "This id is stored with different content", body = ErrorBody),
        (status = 422, description = "Bad category, empty or long description, visit of another household", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn raise_issue(caller: Caller, body: Json<NewIssueBody>) -> AppResult<HttpResponse> {
    caller.require(GRID_STAFF)?;
    let tenant_id = caller.tenant()?;
    let body = body.into_inner();
    Problems::validated(&body).finish()?;
    let category = checked(body.category.parse::<IssueCategory>())?;
    let description = free_text(Some(&body.description))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a description checked not blank")))?;
    let mut conn = caller.db().await?;
    let actor = Actor {
        tenant_id,
        user_id: caller.user_id,
        scope: Scope::of(&caller)?,
        ip: caller.ip.as_deref(),
    };
    let new = NewIssue {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        household_id: body.household_id,
        visit_id: body.visit_id,
        category,
        description,
    };
    let raised = queries::raise(&mut conn, &actor, &new).await?;
    let detail = queries::detail(&mut conn, tenant_id, Reach::Scope(actor.scope), new.id).await?;
    conn.commit().await?;
    Ok(match raised {
        Raise::Created => HttpResponse::Created().json(detail),
        Raise::Replayed => HttpResponse::Ok().json(detail),
    })
}
