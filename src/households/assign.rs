//! Moving households between micro-grids (tenant admin): all of them or none, each move
//! kept in `household_moves`.

use std::collections::{HashMap, HashSet};

use actix_web::HttpResponse;
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use super::queries;
use super::types::{AssignHouseholds, AssignPreview, Assigned, MovingFrom};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::domain::Role;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::Json;

/// Most households one request may move (a whole grid's roster at once is fine).
const MAX_HOUSEHOLDS: usize = 5000;

#[utoipa::path(
    post, path = "/api/v1/households/assign", tag = "households",
    operation_id = "assign_households",
    request_body = AssignHouseholds,
    responses(
        (status = 200, description = "every listed household is now in the micro-grid", body = Assigned),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "the micro-grid or one of the households is unknown; nothing moved", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn assign(caller: Caller, body: Json<AssignHouseholds>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let ids = listed(&body)?;
    let target = body.micro_grid_id;
    let mut conn = caller.db().await?;
    conn.transaction(async |conn| {
        let moved = queries::assign(conn, tenant, &ids, target, caller.user_id).await?;
        if !moved.is_empty() {
            let households: Vec<Uuid> = moved.iter().map(|(id, _)| *id).collect();
            let detail = json!({ "household_ids": households });
            audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::HouseholdAssign,
                "micro_grid",
                Some(target),
                Some(detail),
            )
            .await?;
        }
        Ok::<_, AppError>(())
    })
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok().json(Assigned {
        assigned: ids.len() as i64,
    }))
}

/// The listed households, each once, or 422 when there are none or too many.
fn listed(body: &AssignHouseholds) -> AppResult<Vec<Uuid>> {
    let mut seen = HashSet::new();
    let ids: Vec<Uuid> = body
        .household_ids
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .collect();
    if ids.is_empty() || ids.len() > MAX_HOUSEHOLDS {
        return Err(AppError::invalid(
            "household_ids",
            format!("must list 1 to {MAX_HOUSEHOLDS} households"),
        ));
    }
    Ok(ids)
}

/// What `POST /households/assign` would do with the same body, without doing it (the
/// console's "调整网格" preview): the same role and checks, all or nothing (404 if the
/// micro-grid or any household is unknown, 422 for an empty or too long list), but nothing
/// is stored and nothing audited. Read without locks: a move in between may change it.
#[utoipa::path(
    post, path = "/api/v1/households/assign/preview", tag = "households",
    operation_id = "preview_assignment",
    request_body = AssignHouseholds,
    responses(
        (status = 200, description = "what the move would do; nothing moved", body = AssignPreview),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "the micro-grid or one of the households is unknown", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn preview(caller: Caller, body: Json<AssignHouseholds>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let ids = listed(&body)?;
    let target = body.micro_grid_id;
    let mut conn = caller.db().await?;
    let (leader, moving) = queries::plan_move(&mut conn, tenant, &ids, target).await?;
    let moving_ids: Vec<Uuid> = moving.iter().map(|(id, _)| *id).collect();
    let open_issues = queries::open_issue_count(&mut conn, tenant, &moving_ids).await?;
    let mut by_origin: HashMap<Uuid, i64> = HashMap::new();
    for (_, from) in &moving {
        *by_origin.entry(*from).or_default() += 1;
    }
    let mut from: Vec<MovingFrom> = by_origin
        .into_iter()
        .map(|(micro_grid_id, households)| MovingFrom {
            micro_grid_id,
            households,
        })
        .collect();
    // Most households first; ties by id so the same move previews the same way twice.
    from.sort_by(|a, b| (b.households, a.micro_grid_id).cmp(&(a.households, b.micro_grid_id)));
    Ok(HttpResponse::Ok().json(AssignPreview {
        households: moving.len() as i64,
        open_issues,
        from,
        to_micro_grid_id: target,
        to_leader_id: leader,
    }))
}
