//! The household's dossier (一户一档): the household, its newest visits and its open issues;
//! for a department's handler, only what an issue routed to them needs.

use actix_web::{web, HttpResponse};
use uuid::Uuid;

use super::queries;
use super::sees_contact;
use super::types::{Dossier, Household};
use crate::auth::Caller;
use crate::auth::Scope;
use crate::domain::Role;
use crate::error::{AppResult, ErrorBody};

/// A household's dossier (一户一档)
///
/// The household, its newest visits, its waiting issues and its moves. A department's
/// handler sees only a household with an issue routed to their department: its contact data
/// masked, those issues, no visits or moves (any other household: 404).
#[utoipa::path(
    get, path = "/api/v1/households/{id}", tag = "households",
    operation_id = "show_household",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, body = Dossier),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show(caller: Caller, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    if caller.is(Role::Handler) {
        return routed(caller, *id).await;
    }
    let scope = Scope::of(&caller)?;
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    let found = queries::dossier(&mut conn, tenant, scope, *id).await?;
    Ok(HttpResponse::Ok().json(Dossier {
        household: Household::shown(found.household, sees_contact(&caller)),
        recent_visits: found.recent_visits,
        open_issues: found.open_issues,
        moves: found.moves,
    }))
}

/// A department's handler sees the household of an issue routed to their department, to go
/// and solve it: its contact data masked (they are not its leader), its issues routed to the
/// department that are not resolved, and nothing of its visits or moves. Any other household
/// does not exist for them (404).
async fn routed(caller: Caller, id: Uuid) -> AppResult<HttpResponse> {
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    let (household, open_issues) =
        queries::routed_household(&mut conn, tenant, caller.user_id, id).await?;
    Ok(HttpResponse::Ok().json(Dossier {
        household: Household::shown(household, false),
        recent_visits: Vec::new(),
        open_issues,
        moves: Vec::new(),
    }))
}
