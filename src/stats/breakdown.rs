//! `GET /stats/breakdown`: the figures per grid, micro-grid, leader or week.

use actix_web::{web, HttpResponse};

use super::figures;
use super::scope;
use super::types::{Breakdown, BreakdownQuery, Row, RowOrder};
use crate::auth::Caller;
use crate::error::{AppResult, ErrorBody, Problems};

#[utoipa::path(
    get, path = "/api/v1/stats/breakdown", tag = "stats",
    params(BreakdownQuery),
    responses(
        (status = 200, body = Breakdown),
        (status = 400, description = "unknown `by`, a date or id that does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "leaders and platform admins", body = ErrorBody),
        (status = 404, description = "scope outside the tenant or the supervisor's grid", body = ErrorBody),
        (status = 422, description = "`from` after `to`, `limit` outside 1–10000", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn breakdown(
    caller: Caller,
    query: web::Query<BreakdownQuery>,
) -> AppResult<HttpResponse> {
    Problems::validated(&*query).finish()?;
    let limit = query.limit.map(|n| n as usize);
    let (mut conn, asked) = scope::asked(
        &caller,
        (query.from, query.to),
        query.grid_id,
        query.micro_grid_id,
    )
    .await?;
    let rows = figures::rows(&mut conn, asked.params(), query.by).await?;
    let rows = ordered(rows, query.sort.unwrap_or(RowOrder::Name), limit);
    Ok(HttpResponse::Ok().json(Breakdown { by: query.by, rows }))
}

/// The rows (in name order, as the figures give them) in the asked order, cut at `limit`.
/// Sorted here, not in SQL: a township has at most a few thousand rows, and the figures'
/// queries stay one shape for every order.
fn ordered(mut rows: Vec<Row>, order: RowOrder, limit: Option<usize>) -> Vec<Row> {
    // A stable sort, so equal coverage keeps name order.
    match order {
        RowOrder::Name => {}
        RowOrder::Coverage => rows.sort_by(|a, b| a.coverage.total_cmp(&b.coverage)),
        RowOrder::CoverageDescending => rows.sort_by(|a, b| b.coverage.total_cmp(&a.coverage)),
    }
    if let Some(limit) = limit {
        rows.truncate(limit);
    }
    rows
}
