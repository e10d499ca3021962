//! `GET /calendar?year=`, `PUT /calendar/{date}`, `DELETE /calendar/{date}`.

use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::calendar::types::{Calendar, CalendarDay, CalendarDayBody, CalendarQuery};
use crate::db::schema::calendar_days;
use crate::domain::{day::parse_day, Name, Role};
use crate::error::{checked, AppError, AppResult, ErrorBody, Problems};
use crate::http::Json;

/// The years a calendar is kept for: wide enough for any limit, narrow enough to be a
/// township's real calendar.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A day in the path; one that is not a date names nothing (404, as an id that is not one).
fn path_day(text: &str) -> AppResult<NaiveDate> {
    parse_day(text)
        .ok()
        .filter(|day| YEARS.contains(&day.year()))
        .ok_or(AppError::NotFound)
}

/// A year's exceptions
///
/// The days of `year` that differ from Monday-to-Friday: public holidays on weekdays and
/// make-up working days on weekends (every member of the township's staff).
#[utoipa::path(
    get, path = "/api/v1/calendar", tag = "calendar",
    operation_id = "show_calendar",
    params(CalendarQuery),
    responses(
        (status = 200, description = "The year's exceptions by date", body = Calendar),
        (status = 400, description = "Bad query value", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Platform admins have no township", body = ErrorBody),
        (status = 422, description = "Year outside 2000–2100", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show(caller: Caller, query: web::Query<CalendarQuery>) -> AppResult<HttpResponse> {
    let tenant = caller.tenant()?;
    if query.year.is_some_and(|y| !YEARS.contains(&y)) {
        return Err(AppError::invalid("year", "out of range"));
    }
    let mut conn = caller.db().await?;
    let year = match query.year {
        Some(year) => year,
        None => crate::db::calendar::today(&mut conn, tenant).await?.year(),
    };
    let (first, last) = (
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AppError::NotFound)?,
        NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::NotFound)?,
    );
    let exceptions = calendar_days::table
        .filter(calendar_days::tenant_id.eq(tenant))
        .filter(calendar_days::day.between(first, last))
        .order(calendar_days::day.asc())
        .select(CalendarDay::as_select())
        .load(&mut conn)
        .await?;
    Ok(HttpResponse::Ok().json(Calendar { year, exceptions }))
}

/// Set a day
///
/// Makes `date` an exception: `workday: false` for a holiday on a weekday, `true` for a
/// make-up working day on a weekend (tenant admin). Time limits set from now on count it;
/// those set before keep their day.
#[utoipa::path(
    put, path = "/api/v1/calendar/{date}", tag = "calendar",
    operation_id = "set_calendar_day",
    params(("date" = String, Path, description = "YYYY-MM-DD, years 2000–2100")),
    request_body = CalendarDayBody,
    responses(
        (status = 200, description = "Stored", body = CalendarDay),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a township admin", body = ErrorBody),
        (status = 404, description = "Not a date", body = ErrorBody),
        (status = 422, description = "Note too long", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn set(
    caller: Caller,
    date: web::Path<String>,
    body: Json<CalendarDayBody>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let day = path_day(&date)?;
    Problems::validated(&*body).finish()?;
    let note = body.note.as_deref().map(Name::parse).transpose();
    let note = checked(note)?;
    let note = note.as_ref().map(Name::as_str);
    let mut conn = caller.db().await?;
    let stored: CalendarDay = diesel::insert_into(calendar_days::table)
        .values((
            calendar_days::tenant_id.eq(tenant),
            calendar_days::day.eq(day),
            calendar_days::workday.eq(body.workday),
            calendar_days::note.eq(note),
        ))
        .on_conflict((calendar_days::tenant_id, calendar_days::day))
        .do_update()
        .set((
            calendar_days::workday.eq(excluded(calendar_days::workday)),
            calendar_days::note.eq(excluded(calendar_days::note)),
        ))
        .returning(CalendarDay::as_returning())
        .get_result(&mut conn)
        .await?;
    let detail = json!({"date": day, "workday": stored.workday, "note": stored.note});
    audit::record(
        &mut conn,
        &caller,
        tenant,
        AuditAction::CalendarSet,
        "calendar",
        None,
        Some(detail),
    )
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// Remove a day's exception
///
/// The day goes back to the rule (tenant admin); 404 when it has no exception.
#[utoipa::path(
    delete, path = "/api/v1/calendar/{date}", tag = "calendar",
    operation_id = "delete_calendar_day",
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a township admin", body = ErrorBody),
        (status = 404, description = "Not a date, or no exception on it", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn remove(caller: Caller, date: web::Path<String>) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let day = path_day(&date)?;
    let mut conn = caller.db().await?;
    let removed = diesel::delete(calendar_days::table)
        .filter(calendar_days::tenant_id.eq(tenant))
        .filter(calendar_days::day.eq(day))
        .execute(&mut conn)
        .await?;
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut conn,
        &caller,
        tenant,
        AuditAction::CalendarDelete,
        "calendar",
        None,
        Some(json!({"date": day})),
    )
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
