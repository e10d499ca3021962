//! `POST /visits`: record one visit, idempotently by its id.

use actix_web::{web, HttpResponse};
use chrono::Utc;

use crate::auth::{Caller, Scope};
use crate::domain::Role;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::Json;
use crate::visits::queries::{self, Recorder};
use crate::visits::sync::{self, Outcome};
use crate::visits::types::{Visit, VisitInput};
use crate::visits::writer::VisitWriter;

/// Who may record visits: leaders (their own households) and tenant admins (any in the
/// township). Supervisors read and handle issues; they do not keep the visit log.
pub const RECORDERS: &[Role] = &[Role::Leader, Role::TenantAdmin];

/// Record a visit (走亲)
///
/// Idempotent by `id`: the same id with the same content answers 200 with the stored visit
/// and stores nothing new; with different content 409. `acquainted` and `joined_group` update
/// the household, and its `last_visited_at` moves forward.
#[utoipa::path(
    post,
    path = "/api/v1/visits",
    tag = "visits",
    request_body = VisitInput,
    responses(
        (status = 201, description = "Stored now", body = Visit),
        (status = 200, description = "Stored before with the same content (a retry)", body = Visit),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Supervisors do not record visits", body = ErrorBody),
        (status = 404, description = "Household not in your tenant and scope", body = ErrorBody),
        (status = 409, description = "This id is stored with different content", body = ErrorBody),
        (status = 422, description = "Future time, summary too long, unknown method, a task the household is not part of", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn record_visit(
    caller: Caller,
    writer: web::Data<VisitWriter>,
    body: Json<VisitInput>,
) -> AppResult<HttpResponse> {
    caller.require(RECORDERS)?;
    let tenant_id = caller.tenant()?;
    let visit = body
        .into_inner()
        .parse(Utc::now())
        .map_err(|problems| AppError::Validation(problems.into_fields()))?;
    if let Some(task) = visit.task_id {
        // Checked before the writer takes it: the shared statement stores only valid links.
        let mut conn = caller.db().await?;
        let unknown =
            queries::unknown_task_links(&mut conn, tenant_id, &[(task, visit.household_id)])
                .await?;
        if !unknown.is_empty() {
            return Err(sync::not_of_task());
        }
    }
    let who = Recorder {
        tenant_id,
        user_id: caller.user_id,
        token_version: caller.token_version,
        scope: Scope::of(&caller)?,
        ip: caller.ip.clone(),
    };
    // The writer checks the session inside the statement that stores the visit, and shares
    // that statement's commit with whatever other visits arrive meanwhile.
    let outcome = writer.record(who, visit).await?;
    match outcome {
        Outcome::Created(visit) => Ok(HttpResponse::Created().json(visit)),
        Outcome::Replayed(visit) => Ok(HttpResponse::Ok().json(visit)),
        Outcome::Failed(error) => Err(error),
    }
}
