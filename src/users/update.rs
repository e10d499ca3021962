//! `PATCH /users/{id}`: rename, change phone, (de)activate, reset a password, move a
//! supervisor's scope or a handler's department, change a role.
//!
//! Deactivation and a new password end every session of the user at once
//! (`auth::revoke::end_all`: token version bumped, refresh tokens revoked). A new grid scope bumps the version too, so the next
//! token carries the new scope instead of the old one living on for its remaining minutes;
//! so does a new role, which tokens carry too.

use actix_web::web;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use secrecy::SecretString;
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::auth::{passwords, revoke, Caller};
use crate::db::schema::users;
use crate::departments;
use crate::domain::{rules::parse_staff_role, Name, Phone, Role};
use crate::error::{checked, AppError, AppResult, ErrorBody, Problems};
use crate::grids;
use crate::http::Json;

use super::queries;
use super::types::{check_not_username, User, UserPatch, UserRow};

#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
struct Changes {
    display_name: Option<String>,
    phone: Option<Option<String>>,
    active: Option<bool>,
    password_hash: Option<String>,
    grid_id: Option<Option<Uuid>>,
    department_id: Option<Option<Uuid>>,
    role: Option<Role>,
}

/// Change a staff member
///
/// A township admin cannot deactivate themselves (the township would risk losing its
/// last admin), nor change their own role; the township's last active admin keeps theirs
/// (409). `grid_id` may be set only on a supervisor (a supervisor given another role loses
/// it). A deactivated leader's micro-grids, and those of a leader given another role, lose
/// their leader (the history keeps the term's end) until reassigned.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The changed user", body = User),
        (status = 400, description = "Malformed JSON or unknown fields", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a township admin", body = ErrorBody),
        (status = 404, description = "No such user in this township", body = ErrorBody),
        (status = 409, description = "The township's last active admin would lose the role", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 422, description = "Invalid values", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update_user(
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<UserPatch>,
) -> AppResult<web::Json<User>> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let id = id.into_inner();
    let patch = body.into_inner();
    let mut conn = caller.db().await?;
    let current = queries::find(&mut conn, tenant, id).await?;

    let mut problems = Problems::validated(&patch);
    if let Some(password) = &patch.password {
        check_not_username(&mut problems, "password", password, &current.username);
    }
    if patch.active == Some(false) && id == caller.user_id {
        problems.add("active", "you cannot deactivate yourself");
    }
    let mut changes = Changes::default();
    // A role that does not parse is refused above; until then the current one stands.
    let role = match patch.role.as_deref().map(parse_staff_role) {
        Some(Ok(role)) => role,
        None | Some(Err(_)) => current.role,
    };
    if role != current.role {
        if id == caller.user_id {
            problems.add("role", "you cannot change your own role");
        }
        changes.role = Some(role);
        // The scope is a supervisor's only, the department a handler's.
        if current.grid_id.is_some() && role != Role::Supervisor {
            changes.grid_id = Some(None);
        }
        if current.department_id.is_some() && role != Role::Handler {
            changes.department_id = Some(None);
        }
    }
    match patch.department_id {
        Some(_) if role != Role::Handler => {
            problems.add("department_id", "only a handler belongs to a department")
        }
        Some(department) => {
            if department != current.department_id.unwrap_or_default()
                && !departments::queries::exists(&mut conn, tenant, department).await?
            {
                problems.add("department_id", "no such department in this township");
            }
            changes.department_id = Some(Some(department));
        }
        None if role == Role::Handler && current.department_id.is_none() => {
            problems.add("department_id", "a handler needs a department")
        }
        None => {}
    }
    if let Some(grid) = patch.grid_id {
        if role != Role::Supervisor && grid.is_some() {
            problems.add("grid_id", "only a supervisor has a grid scope");
        } else if let Some(grid) = grid.filter(|g| Some(*g) != current.grid_id) {
            if !queries::grid_exists(&mut conn, tenant, grid).await? {
                problems.add("grid_id", "no such grid in this township");
            }
        }
        changes.grid_id = Some(grid);
    }
    problems.finish()?;
    changes.display_name = match patch.display_name.as_deref() {
        Some(name) => Some(checked(Name::parse(name))?.into_inner()),
        None => None,
    };
    changes.active = patch.active;
    changes.phone = match patch.phone.as_ref() {
        Some(Some(phone)) => Some(Some(checked(Phone::parse(phone))?.into_inner())),
        Some(None) => Some(None),
        None => None,
    };

    if let Some(password) = patch.password {
        drop(conn);
        changes.password_hash = Some(passwords::hash(SecretString::from(password)).await?);
        conn = caller.db().await?;
    }
    let ends_sessions = changes.password_hash.is_some()
        || (patch.active == Some(false) && current.active)
        || changes.grid_id.is_some_and(|g| g != current.grid_id)
        || changes
            .department_id
            .is_some_and(|d| d != current.department_id)
        || changes.role.is_some();
    let mut detail = serde_json::json!({
        "fields": changed_fields(&changes),
        "sessions_ended": ends_sessions,
    });
    if changes.role.is_some() {
        detail["role"] = serde_json::json!({"from": current.role, "to": role});
    }
    let leaves_micro_grids = current.active
        && current.role == Role::Leader
        && (patch.active == Some(false) || role != Role::Leader);
    let demotes_admin = current.role == Role::TenantAdmin && role != Role::TenantAdmin;
    let updated = conn
        .transaction::<_, AppError, _>(async |conn| {
            // Two admins demoting each other at once must not leave the township without
            // one: the other active admins are locked, and one must remain.
            if demotes_admin && !queries::lock_other_active_admins(conn, tenant, id).await? {
                return Err(AppError::conflict(
                    "the township's last active admin keeps the role; make another admin first",
                ));
            }
            // A leader who leaves leaves their micro-grids too: they show as without a
            // leader (and in no one's figures as led) until the next assignment. Locked
            // before the user row, in the order an assignment takes them.
            let led = if leaves_micro_grids {
                grids::queries::lock_micro_grids_led_by(conn, tenant, id).await?
            } else {
                Vec::new()
            };
            let row = diesel::update(users::table)
                .filter(users::tenant_id.eq(tenant).and(users::id.eq(id)))
                .set((changes, users::updated_at.eq(diesel::dsl::now)))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await?;
            if ends_sessions {
                revoke::end_all(conn, Some(tenant), id).await?;
            }
            if !led.is_empty() {
                let at = grids::queries::clock(conn).await?;
                for micro_grid in led {
                    grids::queries::end_assignment(conn, tenant, micro_grid, at).await?;
                    let reason = if patch.active == Some(false) {
                        "deactivated"
                    } else {
                        "role_changed"
                    };
                    let detail = serde_json::json!({"previous": id, "reason": reason});
                    crate::audit::record(
                        conn,
                        &caller,
                        tenant,
                        AuditAction::MicroGridRemoveLeader,
                        "micro_grid",
                        Some(micro_grid),
                        Some(detail),
                    )
                    .await?;
                }
            }
            crate::audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::UserUpdate,
                "user",
                Some(id),
                Some(detail),
            )
            .await?;
            Ok(row)
        })
        .await?;
    conn.commit().await?;
    Ok(web::Json(updated.into()))
}

/// The names of the fields a patch touches, for the audit log (never their values: one of
/// them may be a password).
fn changed_fields(changes: &Changes) -> Vec<&'static str> {
    [
        ("display_name", changes.display_name.is_some()),
        ("phone", changes.phone.is_some()),
        ("active", changes.active.is_some()),
        ("password", changes.password_hash.is_some()),
        ("grid_id", changes.grid_id.is_some()),
        ("department_id", changes.department_id.is_some()),
        ("role", changes.role.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}
