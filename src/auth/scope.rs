//! Which households a caller may see and act on, as two optional keys every scoped query
//! applies the same way: a leader is held to the micro-grids currently led by them, a grid
//! supervisor to their grid; tenant admins and township supervisors see the whole township.

use uuid::Uuid;

use crate::auth::Caller;
use crate::domain::Role;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only micro-grids whose current leader is this user.
    pub leader_id: Option<Uuid>,
    /// Only micro-grids of this grid.
    pub grid_id: Option<Uuid>,
}

impl Scope {
    pub fn of(caller: &Caller) -> Scope {
        match caller.role {
            Role::Leader => Scope {
                leader_id: Some(caller.user_id),
                grid_id: None,
            },
            Role::Supervisor => Scope {
                leader_id: None,
                grid_id: caller.grid_id,
            },
            Role::TenantAdmin | Role::PlatformAdmin => Scope::default(),
        }
    }
}
