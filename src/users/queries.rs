//! The users table. Every query names the tenant: the caller's, never the request's.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{grids, users};
use crate::domain::Role;
use crate::error::AppResult;
use crate::http::Page;

use super::types::UserRow;

pub async fn find(conn: &mut AsyncPgConnection, tenant: Uuid, id: Uuid) -> AppResult<UserRow> {
    Ok(users::table
        .filter(users::tenant_id.eq(tenant).and(users::id.eq(id)))
        .select(UserRow::as_select())
        .first(conn)
        .await?)
}

/// `%` and `_` typed by a user are letters, not wildcards.
fn like_pattern(q: &str) -> String {
    let escaped = q
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    role: Option<Role>,
    q: Option<&str>,
    page: Page,
) -> AppResult<(Vec<UserRow>, i64)> {
    let filtered = || {
        let mut query = users::table
            .filter(users::tenant_id.eq(tenant))
            .into_boxed();
        if let Some(role) = role {
            query = query.filter(users::role.eq(role));
        }
        if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
            let pattern = like_pattern(q);
            query = query.filter(
                users::username
                    .ilike(pattern.clone())
                    .or(users::display_name.ilike(pattern)),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn).await?;
    let rows = filtered()
        .order((users::username.asc(), users::id.asc()))
        .offset(page.offset())
        .limit(page.limit())
        .select(UserRow::as_select())
        .load(conn)
        .await?;
    Ok((rows, total))
}

pub async fn grid_exists(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    grid: Uuid,
) -> AppResult<bool> {
    let found: i64 = grids::table
        .filter(grids::tenant_id.eq(tenant).and(grids::id.eq(grid)))
        .count()
        .get_result(conn)
        .await?;
    Ok(found > 0)
}

pub struct NewUserRow<'a> {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub phone: Option<&'a str>,
    pub grid_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub password_hash: &'a str,
}

pub async fn insert(conn: &mut AsyncPgConnection, user: NewUserRow<'_>) -> AppResult<UserRow> {
    Ok(diesel::insert_into(users::table)
        .values((
            users::tenant_id.eq(user.tenant_id),
            users::id.eq(user.id),
            users::username.eq(user.username),
            users::display_name.eq(user.display_name),
            users::role.eq(user.role),
            users::phone.eq(user.phone),
            users::grid_id.eq(user.grid_id),
            users::department_id.eq(user.department_id),
            users::password_hash.eq(user.password_hash),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await?)
}

/// Locks the tenant's active admins, `user` among them, in id order (so two demotions at
/// once run one after the other, the second seeing the first's result) and says whether
/// one other than `user` remains.
pub async fn lock_other_active_admins(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    user: Uuid,
) -> AppResult<bool> {
    let admins: Vec<Uuid> = users::table
        .filter(users::tenant_id.eq(tenant))
        .filter(users::role.eq(Role::TenantAdmin))
        .filter(users::active.eq(true))
        .select(users::id)
        .order(users::id)
        .for_update()
        .load(conn)
        .await?;
    Ok(admins.iter().any(|admin| *admin != user))
}
