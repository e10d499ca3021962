//! Whose micro-grids a caller may see: the whole township, one grid, or the micro-grids a
//! leader currently leads. Every read of grids, micro-grids and households goes through this.

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
}
