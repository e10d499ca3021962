//! The household's dossier (一户一档): the household, its newest visits and its open issues.

use actix_web::{web, HttpResponse};
use uuid::Uuid;

use super::queries;
use super::sees_contact;
use super::types::{Dossier, Household};
use crate::auth::Caller;
use crate::auth::Scope;
use crate::error::{AppResult, ErrorBody};

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
