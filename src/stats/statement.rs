//! `GET /stats/statement`: a leader's monthly 民情日志 as an Excel file, made from the visits and
//! issues already recorded, so nobody types the month again. One row per day of the month in
//! the township's zone and a total: households visited, visits, problems raised, problems the
//! leader solved on the spot (the `resolve` step, not a department's), problems routed to a
//! township office (an `assign` of an issue the leader raised).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use uuid::Uuid;

use super::scope::township;
use super::statement_file::{self, Day};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::db::schema::{micro_grids, users};
use crate::domain::{end_of_day, start_of_day, Role};
use crate::error::{AppError, AppResult, ErrorBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    /// Whose statement (default: the caller's own).
    pub leader_id: Option<Uuid>,
    /// `2026-11` (default: this month in the township's zone).
    #[param(example = "2026-11")]
    pub month: Option<String>,
}

/// A leader's monthly 民情日志 (XLSX)
///
/// A leader gets their own; admins and supervisors any leader's in their scope (a grid
/// supervisor: leaders of a micro-grid in their grid). Written to the audit log.
#[utoipa::path(
    get, path = "/api/v1/stats/statement", tag = "stats",
    params(StatementQuery),
    responses(
        (status = 200, description = "the workbook (`Content-Disposition: attachment`)",
         content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "a month that is not `YYYY-MM`, or an id that does not parse", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "handlers and platform admins", body = ErrorBody),
        (status = 404, description = "a leader outside the caller's scope or township", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn statement(
    caller: Caller,
    query: web::Query<StatementQuery>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Leader, Role::Supervisor, Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let leader = query.leader_id.unwrap_or(caller.user_id);
    let mut conn = caller.db().await?;
    let town = township(&mut conn, tenant).await?;
    let first = match &query.month {
        Some(month) => NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .map_err(|_| AppError::bad_request("month must be YYYY-MM"))?,
        None => Utc::now()
            .with_timezone(&town.tz)
            .date_naive()
            .with_day(1)
            .unwrap_or_default(),
    };
    let name = leader_in_scope(&mut conn, &caller, tenant, leader).await?;
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .ok_or_else(|| AppError::bad_request("month must be YYYY-MM"))?;
    let (start, end) = (start_of_day(town.tz, first), end_of_day(town.tz, last)?);
    let days: Vec<Day> = diesel::sql_query(DAYS)
        .bind::<SqlUuid, _>(tenant)
        .bind::<SqlUuid, _>(leader)
        .bind::<Timestamptz, _>(start)
        .bind::<Timestamptz, _>(end)
        .bind::<Text, _>(town.tz.name())
        .bind::<Date, _>(first)
        .bind::<Date, _>(last)
        .load(&mut conn)
        .await?;
    let households: i64 = diesel::sql_query(MONTH_HOUSEHOLDS)
        .bind::<SqlUuid, _>(tenant)
        .bind::<SqlUuid, _>(leader)
        .bind::<Timestamptz, _>(start)
        .bind::<Timestamptz, _>(end)
        .get_result::<Distinct>(&mut conn)
        .await?
        .n;
    let month = first.format("%Y-%m").to_string();
    let title = format!("民情日志 · {name} · {}年{}月", first.year(), first.month());
    let bytes = statement_file::xlsx(&title, &days, households)?;
    audit::record(
        &mut conn,
        &caller,
        tenant,
        AuditAction::StatsExport,
        "user",
        Some(leader),
        Some(json!({"statement": month, "format": "xlsx"})),
    )
    .await?;
    conn.commit().await?;
    let file = format!("{}-statement-{month}-{leader}.xlsx", town.code);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, statement_file::XLSX_TYPE))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(bytes))
}

/// The leader's display name, if the caller may see their statement; else 404.
async fn leader_in_scope(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    tenant: Uuid,
    leader: Uuid,
) -> AppResult<String> {
    if caller.is(Role::Leader) && leader != caller.user_id {
        return Err(AppError::NotFound);
    }
    let mut query = users::table
        .filter(users::tenant_id.eq(tenant))
        .filter(users::id.eq(leader))
        .select(users::display_name)
        .into_boxed();
    if let (true, Some(grid)) = (caller.is(Role::Supervisor), caller.grid_id) {
        let leads_there = micro_grids::table
            .filter(micro_grids::tenant_id.eq(tenant))
            .filter(micro_grids::grid_id.eq(grid))
            .select(micro_grids::leader_id.assume_not_null());
        query = query.filter(users::id.eq_any(leads_there));
    }
    Ok(query.first(conn).await?)
}

/// Each day of the month (`$6`..`$7`, local) with the leader's work that day: visits counted
/// through `visits_leader`, issues through `issues_raised`, events by the township's events.
const DAYS: &str = "\
    WITH v AS (SELECT (visited_at AT TIME ZONE $5)::date AS day, count(*) AS visits, \
                      count(DISTINCT household_id) AS households \
               FROM visits WHERE tenant_id = $1 AND leader_id = $2 \
                 AND visited_at >= $3 AND visited_at < $4 GROUP BY 1), \
         r AS (SELECT (raised_at AT TIME ZONE $5)::date AS day, count(*) AS n FROM issues \
               WHERE tenant_id = $1 AND raised_by = $2 AND raised_at >= $3 AND raised_at < $4 \
               GROUP BY 1), \
         s AS (SELECT (at AT TIME ZONE $5)::date AS day, count(*) AS n FROM issue_events \
               WHERE tenant_id = $1 AND actor_id = $2 AND action = 'resolve' \
                 AND at >= $3 AND at < $4 GROUP BY 1), \
         a AS (SELECT (e.at AT TIME ZONE $5)::date AS day, count(*) AS n FROM issue_events e \
               JOIN issues i ON i.tenant_id = e.tenant_id AND i.id = e.issue_id \
               WHERE e.tenant_id = $1 AND i.raised_by = $2 AND e.action = 'assign' \
                 AND e.at >= $3 AND e.at < $4 GROUP BY 1) \
    SELECT d::date AS day, coalesce(v.households, 0) AS households, \
           coalesce(v.visits, 0) AS visits, coalesce(r.n, 0) AS raised, \
           coalesce(s.n, 0) AS solved, coalesce(a.n, 0) AS routed \
    FROM generate_series($6::date, $7::date, interval '1 day') d \
    LEFT JOIN v ON v.day = d::date LEFT JOIN r ON r.day = d::date \
    LEFT JOIN s ON s.day = d::date LEFT JOIN a ON a.day = d::date \
    ORDER BY 1";

/// Households the leader visited in the month (a household visited on two days once).
const MONTH_HOUSEHOLDS: &str = "SELECT count(DISTINCT household_id) AS n FROM visits \
    WHERE tenant_id = $1 AND leader_id = $2 AND visited_at >= $3 AND visited_at < $4";

#[derive(QueryableByName)]
struct Distinct {
    #[diesel(sql_type = BigInt)]
    n: i64,
}
