//! Ending every session of an account: used by the account's own password change and by
//! the township admin's changes to a user (users::update), so it lives below both.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{platform_admins, refresh_tokens, users};
use crate::error::AppResult;

/// Ends every session of an account at once — for a new password, a deactivation, a new
/// role or grid scope, which its tokens would otherwise carry on. Its token version goes up,
/// so its live access tokens stop at their next request (`Caller::db` compares it), and its
/// refresh tokens are revoked, so no new ones come. Run it in the change's transaction.
pub async fn end_all(
    conn: &mut AsyncPgConnection,
    tenant: Option<Uuid>,
    user: Uuid,
) -> AppResult<()> {
    match tenant {
        Some(tenant) => {
            diesel::update(users::table)
                .filter(users::tenant_id.eq(tenant).and(users::id.eq(user)))
                .set(users::token_version.eq(users::token_version + 1))
                .execute(conn)
                .await?;
        }
        None => {
            diesel::update(platform_admins::table)
                .filter(platform_admins::id.eq(user))
                .set(platform_admins::token_version.eq(platform_admins::token_version + 1))
                .execute(conn)
                .await?;
        }
    }
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::user_id.eq(user))
        .filter(refresh_tokens::tenant_id.is_not_distinct_from(tenant))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}
