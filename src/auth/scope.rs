//! Whose households a caller may see and act on: the whole township (tenant admins and
//! township supervisors), one grid (a grid supervisor), or the micro-grids a leader
//! currently leads. Every scoped read and write goes through this one rule.

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
    /// The caller's scope; a platform admin has no township and gets 403.
    pub fn of(caller: &Caller) -> AppResult<Scope> {
        match caller.role {
            Role::TenantAdmin => Ok(Scope::Township),
            Role::Supervisor => Ok(caller.grid_id.map_or(Scope::Township, Scope::Grid)),
            Role::Leader => Ok(Scope::Leader(caller.user_id)),
            Role::PlatformAdmin => Err(AppError::Forbidden),
        }
    }

    /// The same scope as two optional bind keys, for SQL that applies it as
    /// `($leader IS NULL OR m.leader_id = $leader) AND ($grid IS NULL OR m.grid_id = $grid)`.
    pub fn keys(self) -> ScopeKeys {
        match self {
            Scope::Township => ScopeKeys::default(),
            Scope::Grid(grid) => ScopeKeys {
                leader_id: None,
                grid_id: Some(grid),
            },
            Scope::Leader(leader) => ScopeKeys {
                leader_id: Some(leader),
                grid_id: None,
            },
        }
    }
}

/// `Scope` as bind keys; see `Scope::keys`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScopeKeys {
    /// Only micro-grids whose current leader is this user.
    pub leader_id: Option<Uuid>,
    /// Only micro-grids of this grid.
    pub grid_id: Option<Uuid>,
}

impl ScopeKeys {
    /// The keys of the caller's scope; 403 for a platform admin.
    pub fn of(caller: &Caller) -> AppResult<ScopeKeys> {
        Scope::of(caller).map(Scope::keys)
    }
}

/// The micro-grids a scope reaches now, as a subquery; `None` for the whole township.
pub fn micro_grids_in(
    tenant: Uuid,
    scope: ScopeKeys,
) -> Option<micro_grids::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>> {
    if scope.leader_id.is_none() && scope.grid_id.is_none() {
        return None;
    }
    let mut places = micro_grids::table
        .filter(micro_grids::tenant_id.eq(tenant))
        .select(micro_grids::id)
        .into_boxed();
    if let Some(leader) = scope.leader_id {
        places = places.filter(micro_grids::leader_id.eq(leader));
    }
    if let Some(grid) = scope.grid_id {
        places = places.filter(micro_grids::grid_id.eq(grid));
    }
    Some(places)
}

/// The ids of the households the scope holds now (`None`: the whole township), for the
/// visits and issues whose access follows where their household lives.
pub fn households_in(
    tenant: Uuid,
    scope: ScopeKeys,
) -> Option<households::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>> {
    micro_grids_in(tenant, scope).map(|places| {
        households::table
            .filter(households::tenant_id.eq(tenant))
            .filter(households::micro_grid_id.eq_any(places))
            .select(households::id)
            .into_boxed()
    })
}
