//! `GET /stats/breakdown`: the figures per grid, micro-grid, leader or week.

use actix_web::{web, HttpResponse};

use super::figures;
use super::scope;
use super::types::{Breakdown, BreakdownQuery};
use crate::auth::Caller;
use crate::error::{AppResult, ErrorBody};

#[utoipa::path(
    get, path = "/api/v1/stats/breakdown", tag = "stats",
    params(BreakdownQuery),
    responses(
        (status = 200, body = Breakdown),
        (status = 400, description = "unknown `by`, a date or id that does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "leaders and platform admins", body = ErrorBody),
        (status = 404, description = "scope outside the tenant or the supervisor's grid", body = ErrorBody),
        (status = 422, description = "`from` after `to`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn breakdown(
    caller: Caller,
    query: web::Query<BreakdownQuery>,
) -> AppResult<HttpResponse> {
    let (mut conn, asked) = scope::asked(
        &caller,
        (query.from, query.to),
        query.grid_id,
        query.micro_grid_id,
    )
    .await?;
    let rows = figures::rows(&mut conn, asked.params(), query.by).await?;
    Ok(HttpResponse::Ok().json(Breakdown { by: query.by, rows }))
}
