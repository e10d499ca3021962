//! What a statistics request covers: the date range turned into instants once (so every
//! query is a plain range on an indexed timestamp), and the part of the township the caller
//! may and wants to see.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::queries::Params;
use crate::auth::Caller;
use crate::db::schema::{grids, micro_grids, tenants};
use crate::db::TenantConn;
use crate::domain::{end_of_day, start_of_day, stored_zone, DayRange, Role};
use crate::error::{AppError, AppResult};

/// Longest range asked for at once: ten years keeps a weekly breakdown to ~520 rows.
const MAX_DAYS: i64 = 3660;
/// The default range: the last 30 days, today included.
const DEFAULT_DAYS: i64 = 30;

/// The township's facts statistics need.
pub struct Township {
    pub code: String,
    pub name: String,
    pub tz: Tz,
}

/// Statistics' days: a `DayRange` with both ends (by default the last 30 days), at most ten
/// years long, with the half-open instants `[start, end)` it covers and its weeks.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tz: Tz,
}

/// One ISO week (Monday to Sunday in the township's zone) of a range, clipped to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    /// `2026-W14`.
    pub key: String,
    /// The days of it inside the range: `2026-03-30/2026-04-05`.
    pub name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Range {
    /// `from`/`to` as given (defaults: the last 30 days ending today in `tz`).
    pub fn new(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> AppResult<Range> {
        let to = to.unwrap_or_else(|| now.with_timezone(&tz).date_naive());
        let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
        DayRange::new(Some(from), Some(to))?;
        if (to - from).num_days() >= MAX_DAYS {
            return Err(AppError::invalid(
                "to",
                "the range may span at most ten years",
            ));
        }
        Ok(Range {
            from,
            to,
            start: start_of_day(tz, from),
            end: end_of_day(tz, to)?,
            tz,
        })
    }

    /// The ISO weeks touching the range, in order; the first and last count only their
    /// days inside the range.
    pub fn weeks(&self) -> Vec<Week> {
        let mut out = Vec::new();
        let mut monday =
            self.from - Duration::days(i64::from(self.from.weekday().num_days_from_monday()));
        while monday <= self.to {
            let next_monday = monday + Duration::days(7);
            let first = monday.max(self.from);
            let last = (next_monday - Duration::days(1)).min(self.to);
            out.push(Week {
                key: week_key(monday),
                name: format!("{first}/{last}"),
                start: start_of_day(self.tz, monday).max(self.start),
                end: start_of_day(self.tz, next_monday).min(self.end),
            });
            monday = next_monday;
        }
        out
    }
}

/// The ISO week of a day, as `2026-W14` (the ISO year, which differs from the calendar year
/// around New Year).
pub fn week_key(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The part of the township the figures are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Township,
    Grid(Uuid),
    MicroGrid(Uuid),
}

impl Scope {
    /// The scope id as the queries bind it (`$2`), none for the whole township.
    pub fn id(self) -> Option<Uuid> {
        match self {
            Scope::Township => None,
            Scope::Grid(id) | Scope::MicroGrid(id) => Some(id),
        }
    }

    /// JSON for the audit log.
    pub fn describe(self) -> serde_json::Value {
        match self {
            Scope::Township => serde_json::json!({"township": true}),
            Scope::Grid(id) => serde_json::json!({"grid_id": id}),
            Scope::MicroGrid(id) => serde_json::json!({"micro_grid_id": id}),
        }
    }
}

/// What a statistics request is about, once checked: every statistics endpoint starts here.
pub struct Asked {
    pub tenant: Uuid,
    pub town: Township,
    pub range: Range,
    pub scope: Scope,
}

impl Asked {
    pub fn params(&self) -> Params<'_> {
        Params {
            tenant: self.tenant,
            scope: self.scope,
            range: &self.range,
        }
    }
}

/// The caller's role, then a connection, the township, the range in its zone and the scope
/// (a leader is turned away before anything is read).
pub async fn asked(
    caller: &Caller,
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    grid_id: Option<Uuid>,
    micro_grid_id: Option<Uuid>,
) -> AppResult<(TenantConn, Asked)> {
    let tenant = authorize(caller)?;
    let mut conn = caller.db().await?;
    let town = township(&mut conn, tenant).await?;
    let range = Range::new(from, to, town.tz, Utc::now())?;
    let scope = resolve(&mut conn, caller, tenant, grid_id, micro_grid_id).await?;
    let asked = Asked {
        tenant,
        town,
        range,
        scope,
    };
    Ok((conn, asked))
}

/// Statistics are for supervisors and township admins; leaders see their own work in the
/// visit and household lists instead.
fn authorize(caller: &Caller) -> AppResult<Uuid> {
    caller.require(&[Role::Supervisor, Role::TenantAdmin])?;
    caller.tenant()
}

pub async fn township(conn: &mut AsyncPgConnection, tenant: Uuid) -> AppResult<Township> {
    let (code, name, timezone): (String, String, String) = tenants::table
        .filter(tenants::id.eq(tenant))
        .select((tenants::code, tenants::name, tenants::timezone))
        .first(conn)
        .await?;
    // Checked when the township was created: an unknown zone is a fault in the data.
    let tz = stored_zone(&timezone).map_err(AppError::internal)?;
    Ok(Township { code, name, tz })
}

/// Resolves the requested scope against the caller's own. Anything outside the tenant or the
/// supervisor's grid does not exist for the caller (404).
async fn resolve(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    tenant: Uuid,
    grid_id: Option<Uuid>,
    micro_grid_id: Option<Uuid>,
) -> AppResult<Scope> {
    // Only supervisors are grid-scoped; an admin's token carries no grid.
    let held_to = if caller.is(Role::Supervisor) {
        caller.grid_id
    } else {
        None
    };
    if let (Some(own), Some(asked)) = (held_to, grid_id) {
        if own != asked {
            return Err(AppError::NotFound);
        }
    }
    if let Some(micro_grid) = micro_grid_id {
        let its_grid: Uuid = micro_grids::table
            .filter(micro_grids::tenant_id.eq(tenant))
            .filter(micro_grids::id.eq(micro_grid))
            .select(micro_grids::grid_id)
            .first(conn)
            .await?;
        if grid_id.or(held_to).is_some_and(|g| g != its_grid) {
            return Err(AppError::NotFound);
        }
        return Ok(Scope::MicroGrid(micro_grid));
    }
    match grid_id.or(held_to) {
        None => Ok(Scope::Township),
        Some(grid) => {
            grids::table
                .filter(grids::tenant_id.eq(tenant))
                .filter(grids::id.eq(grid))
                .select(grids::id)
                .first::<Uuid>(conn)
                .await?;
            Ok(Scope::Grid(grid))
        }
    }
}
