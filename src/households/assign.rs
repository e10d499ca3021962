//! Moving households between micro-grids (tenant admin): all of them or none, each move
//! kept in `household_moves`.

use std::collections::HashSet;

use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use super::queries;
use super::types::{AssignHouseholds, Assigned};
use crate::audit;
use crate::auth::Caller;
use crate::domain::Role;
use crate::error::{AppError, AppResult, ErrorBody};

/// Most households one request may move (a whole grid's roster at once is fine).
const MAX_HOUSEHOLDS: usize = 5000;

#[utoipa::path(
    post, path = "/api/v1/households/assign", tag = "households",
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
pub async fn assign(caller: Caller, body: web::Json<AssignHouseholds>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
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
                "household.assign",
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
