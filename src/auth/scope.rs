//! Whose households a caller may see and act on: the whole township (tenant admins and
//! township supervisors), one grid (a grid supervisor), or the micro-grids a leader
//! currently leads. Every scoped read and write goes through this one rule.

use uuid::Uuid;

use crate::auth::Caller;
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
