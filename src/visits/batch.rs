//! `POST /visits/batch`: a phone's offline queue, each item answered on its own.

use actix_web::web;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::auth::{Caller, Scope};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::i18n::Lang;
use crate::visits::queries::Recorder;
use crate::visits::record::RECORDERS;
use crate::visits::sync::{self, Outcome};
use crate::visits::types::{
    BatchRequest, BatchResponse, BatchResult, NewVisit, VisitInput, MAX_BATCH,
};

/// Record a batch of visits
///
/// Up to 500 visits, each with its `id`. Every item stands alone: the answer lists, in the
/// order sent, each item's status (201 stored now, 200 stored before, 404 household not in
/// your scope, 409 id stored with different content, 422 invalid) and the error if any.
/// Safe to send again whole: stored items answer 200.
#[utoipa::path(
    post,
    path = "/api/v1/visits/batch",
    tag = "visits",
    request_body = BatchRequest,
    responses(
        (status = 200, description = "One result per item, in order", body = BatchResponse),
        (status = 400, description = "Malformed JSON, or no `visits` array", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Supervisors do not record visits", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB: split the batch", body = ErrorBody),
        (status = 422, description = "More than 500 visits", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn record_batch(
    caller: Caller,
    lang: Lang,
    body: web::Json<BatchRequest>,
) -> AppResult<web::Json<BatchResponse>> {
    caller.require(RECORDERS)?;
    let tenant_id = caller.tenant()?;
    let raw = body.into_inner().visits;
    if raw.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "visits",
            format!("at most {MAX_BATCH} visits per batch; send the rest in another"),
        ));
    }
    let now = Utc::now();
    let (ids, items): (Vec<Option<Uuid>>, Vec<_>) =
        raw.into_iter().map(|item| parse_item(item, now)).unzip();
    // Always checked out, even for a batch of invalid items: it confirms the session is live.
    let mut conn = caller.db().await?;
    let who = Recorder {
        tenant_id,
        user_id: caller.user_id,
        token_version: caller.token_version,
        scope: Scope::of(&caller)?,
        ip: caller.ip.clone(),
    };
    let outcomes = sync::record_all(&mut conn, &who, items).await?;
    conn.commit().await?;
    let results = ids
        .into_iter()
        .zip(outcomes)
        .map(|(id, outcome)| match outcome {
            Outcome::Created(visit) => result(Some(visit.id), 201, None),
            Outcome::Replayed(visit) => result(Some(visit.id), 200, None),
            Outcome::Failed(error) => result(id, error_status(&error), Some((error, lang))),
        })
        .collect();
    Ok(web::Json(BatchResponse { results }))
}

/// The item's id as sent (so the phone can match the answer), and the item parsed.
fn parse_item(raw: Value, now: DateTime<Utc>) -> (Option<Uuid>, Result<NewVisit, AppError>) {
    let id = raw
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok());
    let input = match serde_json::from_value::<VisitInput>(raw) {
        Ok(input) => input,
        Err(e) => return (id, Err(AppError::invalid("visit", e.to_string()))),
    };
    if input.id.is_none() {
        // Without its own id a queued visit could be stored twice by a retry.
        return (id, Err(AppError::invalid("id", "is required in a batch")));
    }
    let parsed = input
        .parse(now)
        .map_err(|problems| AppError::Validation(problems.into_fields()));
    (id, parsed)
}

fn error_status(error: &AppError) -> u16 {
    actix_web::ResponseError::status_code(error).as_u16()
}

/// An item's error is said in the request's language, as the envelope of a whole request is.
fn result(id: Option<Uuid>, status: u16, error: Option<(AppError, Lang)>) -> BatchResult {
    BatchResult {
        id,
        status,
        error: error.map(|(e, lang)| {
            let mut detail = e.body().error;
            lang.localize(&mut detail);
            detail
        }),
    }
}
