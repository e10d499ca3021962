//! The household queries. Each filters by tenant first, then by the caller's scope through
//! the micro-grids the household belongs to.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{HouseholdMove, HouseholdRow, NewHousehold};
use crate::auth::scope::{micro_grids_in, Scope};
use crate::db::schema::{household_moves, households, issues, micro_grids, tenants, visits};
use crate::domain::{start_of_day, stored_zone, HouseholdKind, IssueStatus};
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::issues::Issue;
use crate::tags;
use crate::visits::Visit;

/// How many visits the dossier shows.
const RECENT_VISITS: i64 = 20;

/// The filters of `GET /households`, already checked.
#[derive(Debug, Default)]
pub struct Filters {
    pub micro_grid_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
    /// A LIKE pattern (escaped) for name and address.
    pub text: Option<String>,
    /// Whether `text` may also match phone numbers (only for callers who see them).
    pub text_in_phone: bool,
    pub tag: Option<String>,
    /// Due list: never visited, or last visited before the household's own start.
    pub due: Option<DueSince>,
}

/// Where the due list starts: for every household, and later for those carrying a tag with
/// a shorter interval than the township's (the smallest interval applies).
#[derive(Debug, Clone)]
pub struct DueSince {
    pub township: DateTime<Utc>,
    /// Tags sharing one interval, and where that interval starts.
    pub tags: Vec<(Vec<String>, DateTime<Utc>)>,
}

/// The fields a PATCH may change; `None` leaves a column, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = households)]
pub struct Changes {
    pub kind: Option<HouseholdKind>,
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<Option<String>>,
    pub id_number: Option<Option<String>>,
    pub members: Option<Option<i32>>,
    pub tags: Option<Vec<String>>,
    pub note: Option<Option<String>>,
}

/// The micro-grid's current leader, if the micro-grid is the tenant's (else `NotFound`).
pub async fn micro_grid_leader(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    micro_grid: Uuid,
) -> AppResult<Option<Uuid>> {
    Ok(micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::id.eq(micro_grid))
        .select(micro_grids::leader_id)
        .first(conn)
        .await?)
}

/// One household in scope, or `NotFound`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    id: Uuid,
) -> AppResult<HouseholdRow> {
    Ok(in_scope(tenant, scope, id)
        .select(HouseholdRow::as_select())
        .first(conn)
        .await?)
}

/// The household `id` if it is in the caller's scope.
fn in_scope(tenant: Uuid, scope: Scope, id: Uuid) -> households::BoxedQuery<'static, Pg> {
    let query = households::table
        .filter(households::tenant_id.eq(tenant))
        .filter(households::id.eq(id))
        .into_boxed();
    match micro_grids_in(tenant, scope) {
        None => query,
        Some(places) => query.filter(households::micro_grid_id.eq_any(places)),
    }
}

/// A page of the households in scope that pass the filters, and how many pass in all.
pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    filters: &Filters,
    page: Page,
) -> AppResult<(Vec<HouseholdRow>, i64)> {
    let matching = || {
        let mut query = households::table
            .filter(households::tenant_id.eq(tenant))
            .into_boxed();
        if let Some(places) = micro_grids_in(tenant, scope) {
            query = query.filter(households::micro_grid_id.eq_any(places));
        }
        if let Some(micro_grid) = filters.micro_grid_id {
            query = query.filter(households::micro_grid_id.eq(micro_grid));
        }
        // The grid filter: the same subquery as a grid supervisor's scope.
        if let Some(places) = filters
            .grid_id
            .and_then(|g| micro_grids_in(tenant, Scope::Grid(g)))
        {
            query = query.filter(households::micro_grid_id.eq_any(places));
        }
        if let Some(pattern) = &filters.text {
            let in_text = households::name
                .ilike(pattern.clone())
                .or(households::address.ilike(pattern.clone()));
            query = if filters.text_in_phone {
                query.filter(in_text.or(households::phone.like(pattern.clone()).assume_not_null()))
            } else {
                query.filter(in_text)
            };
        }
        if let Some(tag) = &filters.tag {
            query = query.filter(households::tags.contains(vec![tag.clone()]));
        }
        if let Some(since) = &filters.due {
            let mut due: Box<
                dyn BoxableExpression<households::table, Pg, SqlType = Nullable<Bool>>,
            > = Box::new(
                households::last_visited_at
                    .is_null()
                    .or(households::last_visited_at.lt(since.township)),
            );
            for (tags, start) in &since.tags {
                due = Box::new(
                    due.or(households::tags
                        .overlaps_with(tags.clone())
                        .and(households::last_visited_at.lt(*start))),
                );
            }
            query = query.filter(due);
        }
        query
    };
    let total = matching().count().get_result(conn).await?;
    let ordered = if filters.due.is_some() {
        // Never visited first, then the longest unvisited: the order of households_due.
        matching().order((
            households::last_visited_at.asc().nulls_first(),
            households::id.asc(),
        ))
    } else {
        matching().order((households::name.asc(), households::id.asc()))
    };
    let rows = ordered
        .select(HouseholdRow::as_select())
        .offset(page.offset())
        .limit(page.limit())
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// Where the due list starts: a household is due unless visited since local midnight
/// `interval - 1` days ago, its interval the smallest of the township's and its tags'
/// (`tag_intervals`). Counted in the township's days, not in hours since now, so a leader's
/// list is the same all day: with a week's interval, a family visited last Monday is due all
/// of this Monday, not only after the hour of last week's visit.
pub async fn due_since(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    now: DateTime<Utc>,
) -> AppResult<DueSince> {
    let (days, zone): (i32, String) = tenants::table
        .filter(tenants::id.eq(tenant))
        .select((tenants::visit_interval_days, tenants::timezone))
        .first(conn)
        .await?;
    let tz = stored_zone(&zone).map_err(AppError::internal)?;
    let today = now.with_timezone(&tz).date_naive();
    let start = |days: i32| {
        start_of_day(
            tz,
            today - chrono::Duration::days(i64::from(days.max(1)) - 1),
        )
    };
    // Only a tag with a shorter interval than the township's moves a household's start.
    let mut shorter: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    for (tag, interval) in tags::queries::intervals(conn, tenant).await? {
        if interval < days {
            shorter.entry(interval).or_default().push(tag);
        }
    }
    Ok(DueSince {
        township: start(days),
        tags: shorter
            .into_iter()
            .map(|(interval, tags)| (tags, start(interval)))
            .collect(),
    })
}

/// A household's row as inserted: one shape for the API's single insert and the roster
/// import's many, so both store exactly the same columns.
#[derive(Insertable)]
#[diesel(table_name = households)]
struct InsertRow<'a> {
    tenant_id: Uuid,
    id: Uuid,
    micro_grid_id: Uuid,
    kind: HouseholdKind,
    name: &'a str,
    address: &'a str,
    phone: Option<&'a str>,
    id_number: Option<&'a str>,
    members: Option<i32>,
    tags: &'a Vec<String>,
    note: Option<&'a str>,
}

impl<'a> InsertRow<'a> {
    fn of(tenant: Uuid, micro_grid: Uuid, household: &'a NewHousehold) -> InsertRow<'a> {
        InsertRow {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            micro_grid_id: micro_grid,
            kind: household.kind,
            name: &household.name,
            address: &household.address,
            phone: household.phone.as_ref().map(|p| p.as_str()),
            id_number: household.id_number.as_ref().map(|n| n.as_str()),
            members: household.members,
            tags: &household.tags,
            note: household.note.as_deref(),
        }
    }
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    micro_grid: Uuid,
    household: &NewHousehold,
) -> AppResult<HouseholdRow> {
    Ok(diesel::insert_into(households::table)
        .values(InsertRow::of(tenant, micro_grid, household))
        .returning(HouseholdRow::as_returning())
        .get_result(conn)
        .await?)
}

/// Inserts many households (micro-grid, household) in one statement; the caller keeps
/// a batch under PostgreSQL's 65535 parameters (11 per row).
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    batch: &[(Uuid, NewHousehold)],
) -> AppResult<usize> {
    let rows: Vec<InsertRow<'_>> = batch
        .iter()
        .map(|(micro_grid, household)| InsertRow::of(tenant, *micro_grid, household))
        .collect();
    Ok(diesel::insert_into(households::table)
        .values(rows)
        .execute(conn)
        .await?)
}

/// Holds the township's imports to one at a time until the transaction ends.
pub async fn lock_imports(conn: &mut AsyncPgConnection, tenant: Uuid) -> AppResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('household-import'), hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(tenant.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The ids of the tenant's micro-grids among `names`, by name.
pub async fn micro_grids_named(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    names: &[&str],
) -> AppResult<Vec<(String, Uuid)>> {
    Ok(micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::name.eq_any(names))
        .select((micro_grids::name, micro_grids::id))
        .load(conn)
        .await?)
}

/// The (name, address) of the township's households with one of `names`.
pub async fn households_named(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    names: &[&str],
) -> AppResult<Vec<(String, String)>> {
    Ok(households::table
        .filter(households::tenant_id.eq(tenant))
        .filter(households::name.eq_any(names))
        .select((households::name, households::address))
        .load(conn)
        .await?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    id: Uuid,
    changes: &Changes,
) -> AppResult<HouseholdRow> {
    Ok(diesel::update(households::table)
        .filter(households::tenant_id.eq(tenant))
        .filter(households::id.eq(id))
        .set((
            changes,
            households::updated_at.eq(diesel::dsl::now),
            households::changed_xid.eq(crate::db::this_transaction()),
        ))
        .returning(HouseholdRow::as_returning())
        .get_result(conn)
        .await?)
}

/// The dossier (一户一档): the household if in scope, its newest visits and the issues that
/// still wait for a resolution, pipelined (one round trip). The visits and issues are read
/// by id alongside, and shown only if the household itself is in scope.
pub async fn dossier(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    id: Uuid,
) -> AppResult<DossierRows> {
    let shared: &AsyncPgConnection = conn;
    let household = in_scope(tenant, scope, id)
        .select(HouseholdRow::as_select())
        .first::<HouseholdRow>(&mut &*shared);
    let recent_visits = visits::table
        .filter(visits::tenant_id.eq(tenant))
        .filter(visits::household_id.eq(id))
        .order((visits::visited_at.desc(), visits::id.desc()))
        .limit(RECENT_VISITS)
        .select(Visit::as_select())
        .load::<Visit>(&mut &*shared);
    // Written out, not bound, so the planner can prove the partial index `issues_waiting`
    // applies: the household's resolved history, however long, is never read.
    let open_issues = issues::table
        .filter(issues::tenant_id.eq(tenant))
        .filter(issues::household_id.eq(id))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "issues.status <> 'resolved'",
        ))
        .order((issues::raised_at.desc(), issues::id.desc()))
        .select(Issue::as_select())
        .load::<Issue>(&mut &*shared);
    let moves = household_moves::table
        .filter(household_moves::tenant_id.eq(tenant))
        .filter(household_moves::household_id.eq(id))
        .order((household_moves::moved_at.desc(), household_moves::id.desc()))
        .select(HouseholdMove::as_select())
        .load::<HouseholdMove>(&mut &*shared);
    // `join`, not `try_join`: every statement sent is awaited (src/db/mod.rs says why).
    let (household, recent_visits, open_issues, moves) =
        futures_util::join!(household, recent_visits, open_issues, moves);
    let (household, recent_visits, open_issues, moves) =
        (household?, recent_visits?, open_issues?, moves?);
    Ok(DossierRows {
        household,
        recent_visits,
        open_issues,
        moves,
    })
}

/// The household `id` and its issues routed to `handler`'s department that are not resolved
/// (none: the household is not the handler's to see).
pub async fn routed_household(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    handler: Uuid,
    id: Uuid,
) -> AppResult<(HouseholdRow, Vec<Issue>)> {
    let issues = issues::table
        .filter(issues::tenant_id.eq(tenant))
        .filter(issues::household_id.eq(id))
        .filter(
            issues::department_id.eq_any(crate::issues::queries::department_of(tenant, handler)),
        )
        .filter(issues::status.ne(IssueStatus::Resolved))
        .order((issues::raised_at.desc(), issues::id.desc()))
        .select(Issue::as_select())
        .load::<Issue>(conn)
        .await?;
    if issues.is_empty() {
        return Err(AppError::NotFound);
    }
    let household = households::table
        .filter(households::tenant_id.eq(tenant))
        .filter(households::id.eq(id))
        .select(HouseholdRow::as_select())
        .first::<HouseholdRow>(conn)
        .await?;
    Ok((household, issues))
}

/// The dossier's parts as read; the handler decides how much of the household to show.
pub struct DossierRows {
    pub household: HouseholdRow,
    pub recent_visits: Vec<Visit>,
    pub open_issues: Vec<Issue>,
    pub moves: Vec<HouseholdMove>,
}

/// The households of `ids` that a move into `target` would take out of another micro-grid,
/// with where each lives now, and the target's leader: what `assign` would do, read without
/// locks (`NotFound` if the target or any household is not the tenant's, as `assign`).
pub async fn plan_move(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    ids: &[Uuid],
    target: Uuid,
) -> AppResult<(Option<Uuid>, Vec<(Uuid, Uuid)>)> {
    let leader = micro_grid_leader(conn, tenant, target).await?;
    let current: Vec<(Uuid, Uuid)> = households::table
        .filter(households::tenant_id.eq(tenant))
        .filter(households::id.eq_any(ids))
        .select((households::id, households::micro_grid_id))
        .load(conn)
        .await?;
    if current.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    let moving = current
        .into_iter()
        .filter(|(_, from)| *from != target)
        .collect();
    Ok((leader, moving))
}

/// How many issues of these households are not yet resolved: those a move takes along.
pub async fn open_issue_count(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    household_ids: &[Uuid],
) -> AppResult<i64> {
    Ok(issues::table
        .filter(issues::tenant_id.eq(tenant))
        .filter(issues::household_id.eq_any(household_ids))
        .filter(issues::status.ne(IssueStatus::Resolved))
        .count()
        .get_result(conn)
        .await?)
}

/// Moves the households into `target`, all or none: any id that is not one of the
/// tenant's households fails the whole move with `NotFound`. Each household that changes
/// micro-grid gets a `household_moves` row. The rows are locked first so a concurrent move
/// of the same households waits instead of recording a stale origin.
pub async fn assign(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    ids: &[Uuid],
    target: Uuid,
    moved_by: Uuid,
) -> AppResult<Vec<(Uuid, Uuid)>> {
    micro_grid_leader(conn, tenant, target).await?;
    let current: Vec<(Uuid, Uuid)> = households::table
        .filter(households::tenant_id.eq(tenant))
        .filter(households::id.eq_any(ids))
        .select((households::id, households::micro_grid_id))
        .order(households::id)
        .for_update()
        .load(conn)
        .await?;
    if current.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    let moving: Vec<(Uuid, Uuid)> = current
        .into_iter()
        .filter(|(_, from)| *from != target)
        .collect();
    if moving.is_empty() {
        return Ok(moving);
    }
    // Stamped after the locks, so a move that waited for another lands after it in history.
    let moved_at = crate::grids::queries::clock(conn).await?;
    let moving_ids: Vec<Uuid> = moving.iter().map(|(id, _)| *id).collect();
    diesel::update(households::table)
        .filter(households::tenant_id.eq(tenant))
        .filter(households::id.eq_any(&moving_ids))
        .set((
            households::micro_grid_id.eq(target),
            households::updated_at.eq(diesel::dsl::now),
            // The new leader's phone fetches it at its next sync.
            households::changed_xid.eq(crate::db::this_transaction()),
        ))
        .execute(conn)
        .await?;
    // The new leader takes over what the family still waits for; resolved issues stay
    // where they were raised, as the statistics counted them.
    diesel::update(issues::table)
        .filter(issues::tenant_id.eq(tenant))
        .filter(issues::household_id.eq_any(&moving_ids))
        .filter(issues::status.ne(IssueStatus::Resolved))
        .set(issues::micro_grid_id.eq(target))
        .execute(conn)
        .await?;
    let moves: Vec<_> = moving
        .iter()
        .map(|(household, from)| {
            (
                household_moves::tenant_id.eq(tenant),
                household_moves::id.eq(Uuid::now_v7()),
                household_moves::household_id.eq(*household),
                household_moves::from_micro_grid_id.eq(*from),
                household_moves::to_micro_grid_id.eq(target),
                household_moves::moved_by.eq(Some(moved_by)),
                household_moves::moved_at.eq(moved_at),
            )
        })
        .collect();
    diesel::insert_into(household_moves::table)
        .values(moves)
        .execute(conn)
        .await?;
    Ok(moving)
}
