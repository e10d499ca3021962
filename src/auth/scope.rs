//! Whose households a caller may see and act on: the whole township (tenant admins and
//! township supervisors), one grid (a grid supervisor), or the micro-grids a leader
//! currently leads. A department's handler has no such scope. Every scoped read and write goes through this one rule, in one of its
//! three forms: `micro_grids_in` / `households_in` (diesel subqueries), or `scope_sql!` with
//! `Scope::leader_key` / `Scope::grid_key` bound (statements written as SQL text).

use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::schema::{households, micro_grids};
use crate::domain::Role;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A tenant admin, or a supervisor of the whole township.
    Township,
    /// A supervisor held to one grid.
    Grid(Uuid),
    /// A leader: the micro-grids whose `leader_id` is this user, as of now.
    Leader(Uuid),
}

impl Scope {
    /// The caller's scope; a platform admin has no township and gets 403. A handler works
    /// for a department, not a place: no grid, micro-grid or household list is theirs (403);
    /// they reach the issues routed to their department (`issues::queries::Reach`).
    pub fn of(caller: &Caller) -> AppResult<Scope> {
        match caller.role {
            Role::TenantAdmin => Ok(Scope::Township),
            Role::Supervisor => Ok(caller.grid_id.map_or(Scope::Township, Scope::Grid)),
            Role::Leader => Ok(Scope::Leader(caller.user_id)),
            Role::PlatformAdmin | Role::Handler => Err(AppError::Forbidden),
        }
    }

    /// The leader whose micro-grids alone are in scope, bound as `scope_sql!`'s leader key.
    pub fn leader_key(self) -> Option<Uuid> {
        match self {
            Scope::Leader(leader) => Some(leader),
            _ => None,
        }
    }

    /// The grid whose micro-grids alone are in scope, bound as `scope_sql!`'s grid key.
    pub fn grid_key(self) -> Option<Uuid> {
        match self {
            Scope::Grid(grid) => Some(grid),
            _ => None,
        }
    }
}

/// The rule as SQL text, for statements written by hand: whether the micro-grid `m` is in
/// the scope whose `leader_key` and `grid_key` are bound as the two parameters.
/// `scope_sql!("m", "$3", "$4")` is a string literal, so it fits in a `const`.
#[macro_export]
macro_rules! scope_sql {
    ($micro_grid:literal, $leader:literal, $grid:literal) => {
        concat!(
            "(",
            $leader,
            "::uuid IS NULL OR ",
            $micro_grid,
            ".leader_id = ",
            $leader,
            "::uuid) AND (",
            $grid,
            "::uuid IS NULL OR ",
            $micro_grid,
            ".grid_id = ",
            $grid,
            "::uuid)"
        )
    };
}

/// The micro-grids a scope reaches now, as a subquery; `None` for the whole township.
pub fn micro_grids_in(
    tenant: Uuid,
    scope: Scope,
) -> Option<micro_grids::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>> {
    let places = micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .select(micro_grids::id)
        .into_boxed();
    match scope {
        Scope::Township => None,
        Scope::Grid(grid) => Some(places.filter(micro_grids::grid_id.eq(grid))),
        Scope::Leader(leader) => Some(places.filter(micro_grids::leader_id.eq(leader))),
    }
}

/// The ids of the households the scope holds now (`None`: the whole township), for the
/// visits and issues whose access follows where their household lives.
pub fn households_in(
    tenant: Uuid,
    scope: Scope,
) -> Option<households::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>> {
    micro_grids_in(tenant, scope).map(|places| {
        households::table
            .filter(households::tenant_id.eq(tenant))
            .filter(households::micro_grid_id.eq_any(places))
            .select(households::id)
            .into_boxed()
    })
}
