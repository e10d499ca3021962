//! Leader assignment (定亲): who looks after a micro-grid, with the whole history kept.

use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use super::queries;
use super::types::{AssignLeader, LeaderPreview, LeaderPreviewQuery, LeaderTerm, MicroGrid};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::auth::Scope;
use crate::domain::Role;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::Json;

/// Makes a user the micro-grid's leader (tenant admin). The previous term ends now and a new
/// one begins, in one transaction with the micro-grid's row locked, so racing assignments
/// cannot leave two open terms. Assigning the current leader again changes nothing.
#[utoipa::path(
    put, path = "/api/v1/micro-grids/{id}/leader", tag = "micro-grids",
    operation_id = "assign_leader",
    params(("id" = Uuid, Path)),
    request_body = AssignLeader,
    responses(
        (status = 200, body = MicroGrid),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "not an active leader of the township", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn assign(
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<AssignLeader>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let (id, user) = (*id, body.user_id);
    let mut conn = caller.db().await?;
    let micro_grid = conn
        .transaction(async |conn| -> AppResult<MicroGrid> {
            let current = queries::lock_micro_grid(conn, tenant, id).await?;
            if !queries::is_active_leader(conn, tenant, user).await? {
                return Err(AppError::invalid(
                    "user_id",
                    "must be an active leader of the township",
                ));
            }
            if current != Some(user) {
                let at = queries::clock(conn).await?;
                queries::end_assignment(conn, tenant, id, at).await?;
                queries::begin_assignment(conn, tenant, id, user, caller.user_id, at).await?;
                let detail = json!({"user_id": user, "previous": current});
                audit::record(
                    conn,
                    &caller,
                    tenant,
                    AuditAction::MicroGridAssignLeader,
                    "micro_grid",
                    Some(id),
                    Some(detail),
                )
                .await?;
            }
            queries::find_micro_grid(conn, tenant, Scope::Township, id).await
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok().json(micro_grid))
}

/// What `PUT /micro-grids/{id}/leader` would do, without doing it: the households and the
/// issues not yet resolved that would pass to the new leader. The same role and checks as
/// the change (tenant admin; 404 for a micro-grid not the township's, 422 for a user who is
/// not an active leader), nothing stored, nothing audited. Read without locks: the answer
/// is what the change would do now, and a roster edit in between may change it.
#[utoipa::path(
    get, path = "/api/v1/micro-grids/{id}/leader/preview", tag = "micro-grids",
    operation_id = "preview_leader_change",
    params(("id" = Uuid, Path), LeaderPreviewQuery),
    responses(
        (status = 200, body = LeaderPreview),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "not an active leader of the township", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn preview(
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<LeaderPreviewQuery>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let (id, user) = (*id, query.user_id);
    let mut conn = caller.db().await?;
    let current = queries::find_micro_grid(&mut conn, tenant, Scope::Township, id)
        .await?
        .leader_id;
    if !queries::is_active_leader(&mut conn, tenant, user).await? {
        return Err(AppError::invalid(
            "user_id",
            "must be an active leader of the township",
        ));
    }
    // Assigning the current leader again changes nothing, so nothing passes.
    let (households, open_issues) = if current == Some(user) {
        (0, 0)
    } else {
        (
            queries::household_count(&mut conn, tenant, id).await?,
            queries::open_issue_count(&mut conn, tenant, id).await?,
        )
    };
    Ok(HttpResponse::Ok().json(LeaderPreview {
        micro_grid_id: id,
        from_leader_id: current,
        to_leader_id: user,
        households,
        open_issues,
    }))
}

/// Ends the current leader's term; the micro-grid has no leader until the next assignment.
#[utoipa::path(
    delete, path = "/api/v1/micro-grids/{id}/leader", tag = "micro-grids",
    operation_id = "remove_leader",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "the micro-grid has no leader now"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn remove(caller: Caller, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let id = *id;
    let mut conn = caller.db().await?;
    conn.transaction(async |conn| -> AppResult<()> {
        let current = queries::lock_micro_grid(conn, tenant, id).await?;
        if current.is_some() {
            let at = queries::clock(conn).await?;
            queries::end_assignment(conn, tenant, id, at).await?;
            let detail = json!({"previous": current});
            audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::MicroGridRemoveLeader,
                "micro_grid",
                Some(id),
                Some(detail),
            )
            .await?;
        }
        Ok(())
    })
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every leader the micro-grid has had, oldest first; `to` is null for the current one.
#[utoipa::path(
    get, path = "/api/v1/micro-grids/{id}/leaders", tag = "micro-grids",
    operation_id = "list_leaders",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Vec<LeaderTerm>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn history(caller: Caller, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let scope = Scope::of(&caller)?;
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    // Scope check first: a micro-grid outside the caller's scope has no history for them.
    queries::find_micro_grid(&mut conn, tenant, scope, *id).await?;
    let terms = queries::leader_history(&mut conn, tenant, *id).await?;
    Ok(HttpResponse::Ok().json(terms))
}
