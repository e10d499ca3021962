//! Adding a household to a micro-grid: the tenant admin anywhere, a leader in their own.

use actix_web::HttpResponse;
use diesel_async::AsyncConnection;
use serde_json::json;

use super::queries;
use super::sees_contact;
use super::types::{CreateHousehold, Household, HouseholdDraft, NewHousehold};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::domain::Role;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::Json;

#[utoipa::path(
    post, path = "/api/v1/households", tag = "households",
    operation_id = "create_household",
    request_body = CreateHousehold,
    responses(
        (status = 201, body = Household),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "no such micro-grid, or not the leader's", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(caller: Caller, body: Json<CreateHousehold>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin, Role::Leader])?;
    let tenant = caller.tenant()?;
    let draft = HouseholdDraft {
        kind: body.kind.as_str(),
        name: &body.name,
        address: &body.address,
        phone: body.phone.as_deref(),
        id_number: body.id_number.as_deref(),
        members: body.members,
        tags: body.tags.as_deref().unwrap_or_default(),
        note: body.note.as_deref(),
    };
    let household = NewHousehold::parse(&draft).map_err(AppError::Validation)?;
    let micro_grid = body.micro_grid_id;
    let mut conn = caller.db().await?;
    let row = conn
        .transaction(async |conn| {
            let leader = queries::micro_grid_leader(conn, tenant, micro_grid).await?;
            if caller.is(Role::Leader) && leader != Some(caller.user_id) {
                return Err(AppError::NotFound);
            }
            let row = queries::insert(conn, tenant, micro_grid, &household).await?;
            let detail = json!({"micro_grid_id": micro_grid, "name": row.name});
            audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::HouseholdCreate,
                "household",
                Some(row.id),
                Some(detail),
            )
            .await?;
            Ok::<_, AppError>(row)
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Created().json(Household::shown(row, sees_contact(&caller))))
}
