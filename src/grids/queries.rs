//! The grid and micro-grid queries. Every one filters by the caller's tenant first, then by
//! their scope: a supervisor's grid, or the micro-grids a leader leads.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::Timestamptz;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{Grid, GridRow, LeaderTerm, MicroGrid, MicroGridRow};
use crate::auth::Scope;
use crate::db::schema::{grids, households, issues, leader_assignments, micro_grids, users};
use crate::domain::{GridKind, IssueStatus, Role};
use crate::error::AppResult;
use crate::http::Page;

/// The grids in scope, by name, with the number of their micro-grids the caller can see.
pub async fn list_grids(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    page: Page,
) -> AppResult<(Vec<Grid>, i64)> {
    let in_scope = || {
        let mut query = grids::table
            .filter(grids::tenant_id.eq(tenant))
            .into_boxed();
        match scope {
            Scope::Township => {}
            Scope::Grid(grid) => query = query.filter(grids::id.eq(grid)),
            Scope::Leader(leader) => {
                query = query.filter(
                    grids::id.eq_any(
                        micro_grids::table
                            .filter(micro_grids::tenant_id.eq(tenant))
                            .filter(micro_grids::leader_id.eq(leader))
                            .select(micro_grids::grid_id),
                    ),
                )
            }
        }
        query
    };
    let total = in_scope().count().get_result(conn).await?;
    let rows: Vec<GridRow> = in_scope()
        .select(GridRow::as_select())
        .order((grids::name.asc(), grids::id.asc()))
        .offset(page.offset())
        .limit(page.limit())
        .load(conn)
        .await?;
    let counts = micro_grid_counts(conn, tenant, scope, rows.iter().map(|g| g.id)).await?;
    let items = rows
        .into_iter()
        .map(|row| with_count(row, &counts))
        .collect();
    Ok((items, total))
}

/// One grid in scope, or `NotFound`.
pub async fn find_grid(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    id: Uuid,
) -> AppResult<Grid> {
    let row: GridRow = grids::table
        .filter(grids::tenant_id.eq(tenant))
        .filter(grids::id.eq(id))
        .select(GridRow::as_select())
        .first(conn)
        .await?;
    let counts = micro_grid_counts(conn, tenant, scope, [id]).await?;
    let visible = match scope {
        Scope::Township => true,
        Scope::Grid(grid) => grid == id,
        // A leader sees the grids that hold at least one of their micro-grids.
        Scope::Leader(_) => counts.contains_key(&id),
    };
    if !visible {
        return Err(diesel::result::Error::NotFound.into());
    }
    Ok(with_count(row, &counts))
}

fn with_count(row: GridRow, counts: &HashMap<Uuid, i64>) -> Grid {
    Grid {
        micro_grids: counts.get(&row.id).copied().unwrap_or(0),
        id: row.id,
        name: row.name,
        kind: row.kind,
    }
}

async fn micro_grid_counts(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    grid_ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, i64>> {
    let ids: Vec<Uuid> = grid_ids.into_iter().collect();
    let query = micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::grid_id.eq_any(ids))
        .group_by(micro_grids::grid_id)
        .select((micro_grids::grid_id, count_star()));
    // A leader counts only their own micro-grids (grouped queries cannot be boxed).
    let rows: Vec<(Uuid, i64)> = match scope {
        Scope::Leader(leader) => {
            query
                .filter(micro_grids::leader_id.eq(leader))
                .load(conn)
                .await?
        }
        _ => query.load(conn).await?,
    };
    Ok(rows.into_iter().collect())
}

pub async fn insert_grid(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    name: &str,
    kind: GridKind,
) -> AppResult<Grid> {
    let row: GridRow = diesel::insert_into(grids::table)
        .values((
            grids::tenant_id.eq(tenant),
            grids::id.eq(Uuid::now_v7()),
            grids::name.eq(name),
            grids::kind.eq(kind),
        ))
        .returning(GridRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(with_count(row, &HashMap::new()))
}

/// Renames a grid; `NotFound` when it is not the tenant's.
pub async fn rename_grid(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    id: Uuid,
    name: &str,
) -> AppResult<()> {
    diesel::update(grids::table)
        .filter(grids::tenant_id.eq(tenant))
        .filter(grids::id.eq(id))
        .set(grids::name.eq(name))
        .returning(grids::id)
        .get_result::<Uuid>(conn)
        .await?;
    Ok(())
}

/// The micro-grids in scope, optionally of one grid and/or one leader, by name.
pub async fn list_micro_grids(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    grid_id: Option<Uuid>,
    leader_id: Option<Uuid>,
    page: Page,
) -> AppResult<(Vec<MicroGrid>, i64)> {
    let in_scope = || {
        let mut query = micro_grids::table
            .inner_join(
                grids::table.on(grids::tenant_id
                    .eq(micro_grids::tenant_id)
                    .and(grids::id.eq(micro_grids::grid_id))),
            )
            .filter(micro_grids::tenant_id.eq(tenant))
            .into_boxed();
        match scope {
            Scope::Township => {}
            Scope::Grid(grid) => query = query.filter(micro_grids::grid_id.eq(grid)),
            Scope::Leader(leader) => query = query.filter(micro_grids::leader_id.eq(leader)),
        }
        if let Some(grid) = grid_id {
            query = query.filter(micro_grids::grid_id.eq(grid));
        }
        if let Some(leader) = leader_id {
            query = query.filter(micro_grids::leader_id.eq(leader));
        }
        query
    };
    let total = in_scope().count().get_result(conn).await?;
    let rows: Vec<MicroGridRow> = in_scope()
        .select(MICRO_GRID_COLUMNS)
        .order((micro_grids::name.asc(), micro_grids::id.asc()))
        .offset(page.offset())
        .limit(page.limit())
        .load(conn)
        .await?;
    let counts = household_counts(conn, tenant, rows.iter().map(|m| m.id).collect()).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let n = counts.get(&row.id).copied().unwrap_or(0);
            row.with_households(n)
        })
        .collect();
    Ok((items, total))
}

const MICRO_GRID_COLUMNS: (
    micro_grids::id,
    micro_grids::grid_id,
    micro_grids::name,
    grids::kind,
    micro_grids::group_name,
    micro_grids::leader_id,
) = (
    micro_grids::id,
    micro_grids::grid_id,
    micro_grids::name,
    grids::kind,
    micro_grids::group_name,
    micro_grids::leader_id,
);

/// One micro-grid in scope, or `NotFound`.
pub async fn find_micro_grid(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    scope: Scope,
    id: Uuid,
) -> AppResult<MicroGrid> {
    let row: MicroGridRow = micro_grids::table
        .inner_join(
            grids::table.on(grids::tenant_id
                .eq(micro_grids::tenant_id)
                .and(grids::id.eq(micro_grids::grid_id))),
        )
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::id.eq(id))
        .select(MICRO_GRID_COLUMNS)
        .first(conn)
        .await?;
    let visible = match scope {
        Scope::Township => true,
        Scope::Grid(grid) => row.grid_id == grid,
        Scope::Leader(leader) => row.leader_id == Some(leader),
    };
    if !visible {
        return Err(diesel::result::Error::NotFound.into());
    }
    let counts = household_counts(conn, tenant, vec![id]).await?;
    Ok(row.with_households(counts.get(&id).copied().unwrap_or(0)))
}

/// How many households live in the micro-grid now.
pub async fn household_count(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    micro_grid: Uuid,
) -> AppResult<i64> {
    let counts = household_counts(conn, tenant, vec![micro_grid]).await?;
    Ok(counts.get(&micro_grid).copied().unwrap_or(0))
}

/// How many issues not yet resolved belong to the households living in the micro-grid now:
/// what its leader answers for. Counted by the household's micro-grid, as `GET /issues`
/// filters, so an issue reopened after its family moved counts where the family lives.
pub async fn open_issue_count(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    micro_grid: Uuid,
) -> AppResult<i64> {
    let living_here = households::table
        .filter(households::tenant_id.eq(tenant))
        .filter(households::micro_grid_id.eq(micro_grid))
        .select(households::id);
    Ok(issues::table
        .filter(issues::tenant_id.eq(tenant))
        .filter(issues::household_id.eq_any(living_here))
        .filter(issues::status.ne(IssueStatus::Resolved))
        .count()
        .get_result(conn)
        .await?)
}

async fn household_counts(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    micro_grid_ids: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = households::table
        .filter(households::tenant_id.eq(tenant))
        .filter(households::micro_grid_id.eq_any(micro_grid_ids))
        .group_by(households::micro_grid_id)
        .select((households::micro_grid_id, count_star()))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Creates a micro-grid in a grid of the tenant (`NotFound` if there is no such grid).
pub async fn insert_micro_grid(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    grid_id: Uuid,
    name: &str,
    group_name: Option<&str>,
) -> AppResult<Uuid> {
    // Check the grid first: the foreign key would refuse it too, but as a 500-shaped error.
    grids::table
        .filter(grids::tenant_id.eq(tenant))
        .filter(grids::id.eq(grid_id))
        .select(grids::id)
        .first::<Uuid>(conn)
        .await?;
    let id = Uuid::now_v7();
    diesel::insert_into(micro_grids::table)
        .values((
            micro_grids::tenant_id.eq(tenant),
            micro_grids::id.eq(id),
            micro_grids::grid_id.eq(grid_id),
            micro_grids::name.eq(name),
            micro_grids::group_name.eq(group_name),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// Changes a micro-grid's name and/or group; `NotFound` when it is not the tenant's.
pub async fn update_micro_grid(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    id: Uuid,
    name: Option<&str>,
    group_name: Option<Option<&str>>,
) -> AppResult<()> {
    let target = micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::id.eq(id));
    let changes = (
        name.map(|n| micro_grids::name.eq(n)),
        group_name.map(|g| micro_grids::group_name.eq(g)),
    );
    if name.is_none() && group_name.is_none() {
        // Nothing to change; still answer 404 for a micro-grid that is not there.
        target.select(micro_grids::id).first::<Uuid>(conn).await?;
        return Ok(());
    }
    diesel::update(target)
        .set(changes)
        .returning(micro_grids::id)
        .get_result::<Uuid>(conn)
        .await?;
    Ok(())
}

/// Locks the micro-grid's row for a leader change and returns its current leader, so two
/// concurrent assignments run one after the other (`NotFound` if not the tenant's).
pub async fn lock_micro_grid(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    id: Uuid,
) -> AppResult<Option<Uuid>> {
    Ok(micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::id.eq(id))
        .select(micro_grids::leader_id)
        .for_update()
        .first(conn)
        .await?)
}

/// The micro-grids `user` leads now, locked (in id order) for their assignments to end.
pub async fn lock_micro_grids_led_by(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    user: Uuid,
) -> AppResult<Vec<Uuid>> {
    Ok(micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::leader_id.eq(user))
        .select(micro_grids::id)
        .order(micro_grids::id)
        .for_update()
        .load(conn)
        .await?)
}

/// The database's clock now, not at the start of the transaction: a leader change that
/// waited for the micro-grid's lock must be stamped after the change it waited for, or the
/// history would show terms ending before they began.
pub async fn clock(conn: &mut AsyncPgConnection) -> AppResult<DateTime<Utc>> {
    Ok(
        diesel::select(diesel::dsl::sql::<Timestamptz>("clock_timestamp()"))
            .get_result(conn)
            .await?,
    )
}

/// Whether `user` is an active leader of the tenant; the row is share-locked so they cannot
/// be deactivated halfway through their assignment.
pub async fn is_active_leader(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    user: Uuid,
) -> AppResult<bool> {
    let found: Option<Uuid> = users::table
        .filter(users::tenant_id.eq(tenant))
        .filter(users::id.eq(user))
        .filter(users::role.eq(Role::Leader))
        .filter(users::active.eq(true))
        .select(users::id)
        .for_share()
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// Ends the open assignment of a micro-grid, if any, and clears `micro_grids.leader_id`.
/// Call with the micro-grid locked.
pub async fn end_assignment(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    micro_grid: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    diesel::update(leader_assignments::table)
        .filter(leader_assignments::tenant_id.eq(tenant))
        .filter(leader_assignments::micro_grid_id.eq(micro_grid))
        .filter(leader_assignments::to_at.is_null())
        .set(leader_assignments::to_at.eq(at))
        .execute(conn)
        .await?;
    diesel::update(micro_grids::table)
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::id.eq(micro_grid))
        .set(micro_grids::leader_id.eq(None::<Uuid>))
        .execute(conn)
        .await?;
    Ok(())
}

/// Opens a new assignment and makes `user` the micro-grid's leader. Call with the
/// micro-grid locked and its previous assignment ended.
pub async fn begin_assignment(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    micro_grid: Uuid,
    user: Uuid,
    assigned_by: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    diesel::insert_into(leader_assignments::table)
        .values((
            leader_assignments::tenant_id.eq(tenant),
            leader_assignments::id.eq(Uuid::now_v7()),
            leader_assignments::micro_grid_id.eq(micro_grid),
            leader_assignments::user_id.eq(user),
            leader_assignments::assigned_by.eq(Some(assigned_by)),
            leader_assignments::from_at.eq(at),
        ))
        .execute(conn)
        .await?;
    diesel::update(micro_grids::table)
        .filter(micro_grids::tenant_id.eq(tenant))
        .filter(micro_grids::id.eq(micro_grid))
        .set((
            micro_grids::leader_id.eq(Some(user)),
            // Its households are new to the leader's phone: fetched at its next sync.
            micro_grids::changed_xid.eq(crate::db::this_transaction()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Every leader the micro-grid has had, oldest first.
pub async fn leader_history(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    micro_grid: Uuid,
) -> AppResult<Vec<LeaderTerm>> {
    Ok(leader_assignments::table
        .filter(leader_assignments::tenant_id.eq(tenant))
        .filter(leader_assignments::micro_grid_id.eq(micro_grid))
        .order((
            leader_assignments::from_at.asc(),
            leader_assignments::id.asc(),
        ))
        .select((
            leader_assignments::user_id,
            leader_assignments::from_at,
            leader_assignments::to_at,
        ))
        .load(conn)
        .await?)
}
