//! `GET /stats/summary`: the township's figures for a range and scope.

use actix_web::{web, HttpResponse};

use super::figures;
use super::scope;
use super::types::{Summary, SummaryQuery};
use crate::auth::Caller;
use crate::error::{AppResult, ErrorBody};

#[utoipa::path(
    get, path = "/api/v1/stats/summary", tag = "stats",
    params(SummaryQuery),
    responses(
        (status = 200, body = Summary),
        (status = 400, description = "a date or id that does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "leaders and platform admins", body = ErrorBody),
        (status = 404, description = "scope outside the tenant or the supervisor's grid", body = ErrorBody),
        (status = 422, description = "`from` after `to`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn summary(caller: Caller, query: web::Query<SummaryQuery>) -> AppResult<HttpResponse> {
    let (mut conn, asked) = scope::asked(
        &caller,
        (query.from, query.to),
        query.grid_id,
        query.micro_grid_id,
    )
    .await?;
    Ok(HttpResponse::Ok().json(figures::summary(&mut conn, asked.params()).await?))
}
