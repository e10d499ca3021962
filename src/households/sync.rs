//! `GET /sync/households?since=`: what a leader's phone keeps offline, in one request, and
//! later only what changed (see `sync_queries` for why a cursor never misses a change).

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::sees_contact;
use super::sync_queries::{self, SyncRows};
use super::types::Household;
use crate::auth::{Caller, Scope};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::issues::Issue;
use crate::visits::Visit;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// The `cursor` of the previous answer; absent for a first (full) sync.
    pub since: Option<String>,
}

/// Everything the phone keeps, or what changed since its cursor.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncedHouseholds {
    /// Opaque: pass it as `since` next time.
    pub cursor: String,
    /// True when `since` was absent or cannot be used (another account's, or from before the
    /// database was restored): `households` then holds every household in scope, and the
    /// phone replaces everything it keeps.
    pub full: bool,
    /// Every household in the caller's scope now; the phone drops the others it holds.
    pub ids: Vec<Uuid>,
    /// Every household in scope when `full`, else those changed since the cursor (edited,
    /// a visit or issue of it written, moved in, or its micro-grid newly assigned to the
    /// caller). A change may come twice: upsert by id.
    pub households: Vec<SyncedHousehold>,
}

/// A household as a phone stores it: never with its ID number.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncedHousehold {
    #[serde(flatten)]
    pub household: Household,
    /// The newest 5 visits, newest first.
    pub recent_visits: Vec<Visit>,
    /// Issues still open or escalated, newest first.
    pub open_issues: Vec<Issue>,
}

/// Sync a phone's households
///
/// One request gets everything a leader's phone keeps offline; later requests with the
/// answer's `cursor` get only what changed. ID numbers are never included (`id_number` is
/// always null): the phone does not store them.
#[utoipa::path(
    get, path = "/api/v1/sync/households", tag = "households",
    params(SyncQuery),
    responses(
        (status = 200, body = SyncedHouseholds),
        (status = 400, description = "Unknown parameter, or a `since` this service did not give", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 503, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn sync(caller: Caller, query: web::Query<SyncQuery>) -> AppResult<HttpResponse> {
    let tenant = caller.tenant()?;
    let scope = Scope::of(&caller)?;
    let owner = owner_tag(&caller);
    let since = match query.since.as_deref() {
        None => None,
        Some(text) => {
            let cursor = Cursor::parse(text).ok_or_else(|| {
                AppError::bad_request("since must be a cursor from an earlier sync")
            })?;
            // Another account's (a shared phone) or another scope's: start over.
            (cursor.owner == owner).then_some(cursor.snapshot)
        }
    };
    // The cursor's snapshot goes out with the session check and is answered before the
    // reads are sent, so every read sees at least what it saw.
    let (mut conn, now) = caller
        .db_pipelined(async |conn| sync_queries::snapshot(conn).await)
        .await?;
    let now = Snapshot::parse(&now?).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("PostgreSQL gave a snapshot we cannot read"))
    })?;
    // A cursor from the future: the database was restored from a backup since.
    let since = since.filter(|since| since.xmax <= now.xmax);
    let rows = sync_queries::read(
        &mut conn,
        tenant,
        scope,
        since.as_ref().map(|s| s.text.as_str()),
    )
    .await?;
    Ok(HttpResponse::Ok().json(SyncedHouseholds {
        cursor: Cursor {
            snapshot: now,
            owner,
        }
        .to_string(),
        full: since.is_none(),
        ids: rows.ids.clone(),
        households: assemble(rows, sees_contact(&caller)),
    }))
}

fn assemble(rows: SyncRows, full_contact: bool) -> Vec<SyncedHousehold> {
    let mut visits: HashMap<Uuid, Vec<Visit>> = HashMap::new();
    for visit in rows.visits {
        visits.entry(visit.household_id).or_default().push(visit);
    }
    let mut issues: HashMap<Uuid, Vec<Issue>> = HashMap::new();
    for issue in rows.issues {
        issues.entry(issue.household_id).or_default().push(issue);
    }
    rows.households
        .into_iter()
        .map(|row| {
            let id = row.id;
            let mut household = Household::shown(row, full_contact);
            household.id_number = None;
            SyncedHousehold {
                household,
                recent_visits: visits.remove(&id).unwrap_or_default(),
                open_issues: issues.remove(&id).unwrap_or_default(),
            }
        })
        .collect()
}

/// Whose scope a cursor was made for: a cursor is only good for the account and scope that
/// got it, so a shared phone or a supervisor given another grid starts with a full sync.
fn owner_tag(caller: &Caller) -> String {
    let key = format!(
        "{}/{}/{}/{}",
        caller.tenant_id.unwrap_or_default(),
        caller.user_id,
        caller.role.as_str(),
        caller.grid_id.unwrap_or_default()
    );
    hex::encode(&Sha256::digest(key.as_bytes())[..6])
}

/// `<snapshot>.<owner>`: the snapshot the answer was read after, and whose scope it was
/// taken for.
struct Cursor {
    snapshot: Snapshot,
    owner: String,
}

impl Cursor {
    fn parse(text: &str) -> Option<Cursor> {
        let (snapshot, owner) = text.split_once('.')?;
        let valid_owner = owner.len() == 12 && owner.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid_owner {
            return None;
        }
        Some(Cursor {
            snapshot: Snapshot::parse(snapshot)?,
            owner: owner.to_ascii_lowercase(),
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.snapshot.text, self.owner)
    }
}

/// PostgreSQL's `pg_snapshot` as text, `xmin:xmax:xip,…`, checked here as PostgreSQL checks
/// it (0 < xmin ≤ xip < xmax, ascending), so that a forged cursor is a 400, not a database error.
struct Snapshot {
    text: String,
    xmax: u64,
}

/// More transactions in progress at once than a township's service ever runs.
const MAX_IN_PROGRESS: usize = 10_000;

impl Snapshot {
    fn parse(text: &str) -> Option<Snapshot> {
        let number = |part: &str| -> Option<u64> {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let mut parts = text.split(':');
        let xmin = number(parts.next()?)?;
        let xmax = number(parts.next()?)?;
        let running = parts.next()?;
        // Transaction id 0 is no transaction: PostgreSQL refuses it.
        if parts.next().is_some() || xmin == 0 || xmin > xmax {
            return None;
        }
        if !running.is_empty() {
            let mut last = xmin;
            for (n, xip) in running.split(',').enumerate() {
                let xip = number(xip)?;
                if n >= MAX_IN_PROGRESS || xip < last || xip >= xmax {
                    return None;
                }
                last = xip;
            }
        }
        Some(Snapshot {
            text: text.to_owned(),
            xmax,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_anything_else_is_refused() {
        for good in ["7345:7345:", "7340:7350:7341,7344,7344"] {
            let text = format!("{good}.0123456789ab");
            let cursor = Cursor::parse(&text).unwrap();
            assert_eq!(cursor.to_string(), text);
        }
        assert_eq!(
            Cursor::parse("7340:7350:7341.0123456789AB").map(|c| c.snapshot.xmax),
            Some(7350)
        );
        for bad in [
            "",
            "7345",
            "7345.0123456789ab",
            "7345:7345.0123456789ab",
            "7345:7345:.",
            "7345:7345:.0123456789",
            "7345:7345:.0123456789zz",
            "7346:7345:.0123456789ab",
            "7340:7350:7339.0123456789ab",
            "7340:7350:7350.0123456789ab",
            "7340:7350:7345,7344.0123456789ab",
            "7340:7350:7345,.0123456789ab",
            "7340:7350::.0123456789ab",
            "-1:7350:.0123456789ab",
            "+1:7350:.0123456789ab",
            "1:99999999999999999999999:.0123456789ab",
            "7340:7350:7345:7346.0123456789ab",
            "0:0:.0123456789ab",
            "0:5:.0123456789ab",
        ] {
            assert!(Cursor::parse(bad).is_none(), "{bad:?}");
        }
    }
}
