//! Sessions: who may log in, and the chains of refresh tokens a login starts.
//!
//! A chain is one login's line of refresh tokens. Each refresh spends the presented token
//! and adds the next one to the chain; presenting a spent token means it was copied, so the
//! whole chain (the thief's and the owner's) is revoked — except once, right after its
//! spending, when the answer may simply have been lost (`rotate`). Tokens are stored as SHA-256
//! hashes: a database leak yields no usable token.
//!
//! These are platform paths (the caller has no verified token yet), so they use the pool
//! directly and scope each step to the tenant as soon as it is known.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::db::schema::{platform_admins, refresh_tokens, tenants, users};
use crate::error::{AppError, AppResult};
use crate::users::types::{PlatformAdminRow, UserRow};
use crate::users::User;

use super::types::TokenResponse;
use crate::auth::tokens::{new_refresh_token, refresh_token_hash, TokenKeys};
use crate::config::Settings;

/// What issuing a pair of tokens needs: the signing keys and a refresh token's lifetime.
#[derive(Clone, Copy)]
pub struct Issuer<'a> {
    pub tokens: &'a TokenKeys,
    pub refresh_ttl: std::time::Duration,
}

impl<'a> Issuer<'a> {
    /// The keys, with the refresh tokens' lifetime from the settings.
    pub fn new(tokens: &'a TokenKeys, settings: &Settings) -> Issuer<'a> {
        Issuer {
            tokens,
            refresh_ttl: settings.refresh_ttl,
        }
    }
}

/// Someone who may hold a session: a township's staff member or a platform admin.
pub struct Account {
    pub user: User,
    pub token_version: i32,
}

impl From<UserRow> for Account {
    fn from(row: UserRow) -> Account {
        let token_version = row.token_version;
        Account {
            user: row.into(),
            token_version,
        }
    }
}

impl From<PlatformAdminRow> for Account {
    fn from(row: PlatformAdminRow) -> Account {
        let token_version = row.token_version;
        Account {
            user: row.into(),
            token_version,
        }
    }
}

/// Tells PostgreSQL whose township the rest of the transaction works in (`SET LOCAL`, which
/// Citus forwards to the workers: db::scoped).
async fn scope_to(conn: &mut AsyncPgConnection, tenant: Option<Uuid>) -> AppResult<()> {
    diesel::sql_query(crate::db::scoped::scope_sql(tenant))
        .execute(conn)
        .await?;
    Ok(())
}

/// The account a login names and its password hash, whether active or not.
pub async fn find_for_login(
    conn: &mut AsyncPgConnection,
    tenant_code: Option<&str>,
    username: &str,
) -> AppResult<Option<(Account, String)>> {
    let Some(code) = tenant_code else {
        let found = platform_admins::table
            .filter(platform_admins::username.eq(username))
            .select((
                PlatformAdminRow::as_select(),
                platform_admins::password_hash,
            ))
            .first::<(PlatformAdminRow, String)>(conn)
            .await
            .optional()?;
        return Ok(found.map(|(row, hash)| (row.into(), hash)));
    };
    conn.transaction::<_, AppError, _>(async |conn| {
        let tenant: Option<Uuid> = tenants::table
            .filter(tenants::code.eq(code))
            .select(tenants::id)
            .first(conn)
            .await
            .optional()?;
        let Some(tenant) = tenant else {
            return Ok(None);
        };
        scope_to(conn, Some(tenant)).await?;
        let found = users::table
            .filter(users::tenant_id.eq(tenant))
            .filter(users::username.eq(username))
            .select((UserRow::as_select(), users::password_hash))
            .first::<(UserRow, String)>(conn)
            .await
            .optional()?;
        Ok(found.map(|(row, hash)| (row.into(), hash)))
    })
    .await
}

/// The account behind a session, if it is still active.
async fn find_active(
    conn: &mut AsyncPgConnection,
    tenant: Option<Uuid>,
    user: Uuid,
) -> AppResult<Option<Account>> {
    let account = match tenant {
        Some(tenant) => users::table
            .filter(users::tenant_id.eq(tenant).and(users::id.eq(user)))
            .filter(users::active)
            .select(UserRow::as_select())
            .first::<UserRow>(conn)
            .await
            .optional()?
            .map(Account::from),
        None => platform_admins::table
            .filter(platform_admins::id.eq(user))
            .filter(platform_admins::active)
            .select(PlatformAdminRow::as_select())
            .first::<PlatformAdminRow>(conn)
            .await
            .optional()?
            .map(Account::from),
    };
    Ok(account)
}

/// Issues an access token and the next refresh token of `chain`; `replaces` is the token
/// spent for it, which remembers its replacement (see `rotate`).
async fn issue(
    conn: &mut AsyncPgConnection,
    issuer: Issuer<'_>,
    account: Account,
    chain: Uuid,
    replaces: Option<&[u8]>,
) -> AppResult<TokenResponse> {
    let refresh_token = new_refresh_token();
    let hash = refresh_token_hash(&refresh_token);
    let ttl = Duration::from_std(issuer.refresh_ttl).unwrap_or(Duration::days(30));
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(&hash),
            refresh_tokens::chain_id.eq(chain),
            refresh_tokens::tenant_id.eq(account.user.tenant_id),
            refresh_tokens::user_id.eq(account.user.id),
            refresh_tokens::expires_at.eq(Utc::now() + ttl),
        ))
        .execute(conn)
        .await?;
    if let Some(spent) = replaces {
        diesel::update(refresh_tokens::table)
            .filter(refresh_tokens::token_hash.eq(spent))
            .set(refresh_tokens::replaced_by.eq(&hash))
            .execute(conn)
            .await?;
    }
    let user = account.user;
    let keys = issuer.tokens;
    Ok(TokenResponse {
        access_token: keys.issue(
            user.id,
            user.tenant_id,
            user.role,
            user.grid_id,
            account.token_version,
        ),
        token_type: "Bearer",
        expires_in: keys.access_ttl_secs,
        refresh_token,
        user,
    })
}

/// A new session for a login that succeeded, audited as `auth.login` in the township
/// (a platform admin has none: their logins go to the service log).
pub async fn start(
    conn: &mut AsyncPgConnection,
    issuer: Issuer<'_>,
    account: Account,
    ip: Option<&str>,
) -> AppResult<TokenResponse> {
    conn.transaction::<_, AppError, _>(async |conn| {
        // Expired tokens are of no use, not even to detect a replay: forget the user's old
        // ones here rather than in a sweeper, so the table stays the size of the live sessions.
        diesel::delete(refresh_tokens::table)
            .filter(refresh_tokens::user_id.eq(account.user.id))
            .filter(refresh_tokens::tenant_id.is_not_distinct_from(account.user.tenant_id))
            .filter(refresh_tokens::expires_at.lt(diesel::dsl::now))
            .execute(conn)
            .await?;
        let user = account.user.id;
        match account.user.tenant_id {
            Some(tenant) => {
                scope_to(conn, Some(tenant)).await?;
                crate::audit::record_session(
                    conn,
                    tenant,
                    Some(user),
                    ip,
                    AuditAction::AuthLogin,
                    user,
                )
                .await?;
            }
            None => tracing::info!(%user, ip, "platform admin logged in"),
        }
        issue(conn, issuer, account, Uuid::now_v7(), None).await
    })
    .await
}

#[derive(Queryable)]
struct Presented {
    chain_id: Uuid,
    tenant_id: Option<Uuid>,
    user_id: Uuid,
}

/// A spent token presented again, as found (locked) in the table.
#[derive(Queryable)]
struct SpentBefore {
    chain_id: Uuid,
    tenant_id: Option<Uuid>,
    user_id: Uuid,
    /// The token its spending issued, if its replay may still be forgiven.
    replaced_by: Option<Vec<u8>>,
    /// Spent within the grace period, and its chain not revoked.
    recent: bool,
}

enum Rotation {
    Renewed(TokenResponse),
    /// Unknown, expired, revoked, or its account is gone or deactivated.
    Refused,
    /// Spent already: replayed by someone. (chain, tenant, user)
    Replayed(Uuid, Option<Uuid>, Uuid),
}

const SESSION_ENDED: AppError = AppError::Unauthenticated("the session has ended; log in again");

/// A spent token's replay is taken for a lost answer within 60 seconds of its spending
/// (api.md, Auth), unless its chain has ended.
const RECENT_AND_LIVE: &str = "refresh_tokens.spent_at > now() - interval '60 seconds' \
     AND refresh_tokens.revoked_at IS NULL";

/// Spends `presented` and returns the next pair of its chain.
///
/// A phone at a door loses answers: it sends its refresh token, the server spends it and
/// answers, the answer never arrives, and the phone still holds only the spent token. So a
/// spent token is forgiven **once**, within 60 seconds of its spending, and only while the
/// replacement it was spent for has never been used: the replacement is spent in the same
/// step (so whoever might hold it can no longer use it) and a new pair of the chain is
/// issued. The chain still has exactly one live token; two holders cannot go on side by side.
/// Every other reuse — a second replay, a replay after the window or after the replacement
/// was used, an older token of the chain, or the superseded replacement itself — means a
/// copy exists, and the whole chain is revoked as before.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    issuer: Issuer<'_>,
    presented: &str,
    ip: Option<&str>,
) -> AppResult<TokenResponse> {
    let hash = refresh_token_hash(presented);
    let outcome = conn
        .transaction::<_, AppError, _>(async |conn| {
            // Spending is one conditional UPDATE: of two concurrent refreshes with the
            // same token, exactly one wins; the other sees a spent token.
            let spent: Option<Presented> = diesel::update(refresh_tokens::table)
                .filter(refresh_tokens::token_hash.eq(&hash))
                .filter(refresh_tokens::spent_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null())
                .filter(refresh_tokens::expires_at.gt(diesel::dsl::now))
                .set(refresh_tokens::spent_at.eq(diesel::dsl::now))
                .returning((
                    refresh_tokens::chain_id,
                    refresh_tokens::tenant_id,
                    refresh_tokens::user_id,
                ))
                .get_result(conn)
                .await
                .optional()?;
            let Some(spent) = spent else {
                return replayed(conn, issuer, &hash).await;
            };
            scope_to(conn, spent.tenant_id).await?;
            match find_active(conn, spent.tenant_id, spent.user_id).await? {
                Some(account) => Ok(Rotation::Renewed(
                    issue(conn, issuer, account, spent.chain_id, Some(hash.as_slice())).await?,
                )),
                None => Ok(Rotation::Refused),
            }
        })
        .await?;
    match outcome {
        Rotation::Renewed(pair) => Ok(pair),
        Rotation::Refused => Err(SESSION_ENDED),
        Rotation::Replayed(chain, tenant, user) => {
            tracing::warn!(%chain, "a spent refresh token was presented; chain revoked");
            // Someone holds a copy of the user's session: the township's admins should see
            // it, with the address it came from.
            conn.transaction::<_, AppError, _>(async |conn| {
                revoke_chain(conn, chain).await?;
                if let Some(tenant) = tenant {
                    scope_to(conn, Some(tenant)).await?;
                    crate::audit::record_session(
                        conn,
                        tenant,
                        None,
                        ip,
                        AuditAction::AuthRefreshReuse,
                        user,
                    )
                    .await?;
                }
                Ok(())
            })
            .await?;
            Err(SESSION_ENDED)
        }
    }
}

/// A token that could not be spent: unknown or dead (`Refused`), a lost answer's replay
/// (`Renewed`, see `rotate`), or a copy's (`Replayed`).
async fn replayed(
    conn: &mut AsyncPgConnection,
    issuer: Issuer<'_>,
    hash: &[u8],
) -> AppResult<Rotation> {
    use diesel::dsl::now;
    // Locked: of two replays of one token, the second waits and sees the first forgiven.
    let found: Option<SpentBefore> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .filter(refresh_tokens::spent_at.is_not_null())
        .select((
            refresh_tokens::chain_id,
            refresh_tokens::tenant_id,
            refresh_tokens::user_id,
            refresh_tokens::replaced_by,
            diesel::dsl::sql::<diesel::sql_types::Bool>(RECENT_AND_LIVE),
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(found) = found else {
        return Ok(Rotation::Refused);
    };
    let copied = Rotation::Replayed(found.chain_id, found.tenant_id, found.user_id);
    let (true, Some(replacement)) = (found.recent, found.replaced_by) else {
        return Ok(copied);
    };
    // The replacement is spent here, if nobody has used it; it records no replacement of
    // its own, so presenting it later revokes the chain.
    let superseded = diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::token_hash.eq(&replacement))
        .filter(refresh_tokens::spent_at.is_null())
        .filter(refresh_tokens::revoked_at.is_null())
        .filter(refresh_tokens::expires_at.gt(now))
        .set(refresh_tokens::spent_at.eq(now))
        .execute(conn)
        .await?;
    if superseded == 0 {
        return Ok(copied);
    }
    // Forgiven once: the next replay of this token is a copy's.
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::token_hash.eq(hash))
        .set(refresh_tokens::replaced_by.eq(None::<Vec<u8>>))
        .execute(conn)
        .await?;
    scope_to(conn, found.tenant_id).await?;
    tracing::info!(chain = %found.chain_id, "a lost refresh answer was replaced");
    match find_active(conn, found.tenant_id, found.user_id).await? {
        Some(account) => Ok(Rotation::Renewed(
            issue(conn, issuer, account, found.chain_id, None).await?,
        )),
        None => Ok(Rotation::Refused),
    }
}

/// Revokes the chain's tokens not revoked yet; how many there were.
async fn revoke_chain(conn: &mut AsyncPgConnection, chain: Uuid) -> AppResult<usize> {
    let revoked = diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::chain_id.eq(chain))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(revoked)
}

/// Ends the session `presented` belongs to (any token of the chain, spent or not), audited
/// as `auth.logout` in the township (a platform admin's goes to the service log). A session
/// ended already, or a token never issued, changes nothing and is not recorded.
pub async fn end(conn: &mut AsyncPgConnection, presented: &str, ip: Option<&str>) -> AppResult<()> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let found: Option<Presented> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(refresh_token_hash(presented)))
            .select((
                refresh_tokens::chain_id,
                refresh_tokens::tenant_id,
                refresh_tokens::user_id,
            ))
            .first(conn)
            .await
            .optional()?;
        let Some(session) = found else {
            return Ok(());
        };
        if revoke_chain(conn, session.chain_id).await? == 0 {
            return Ok(());
        }
        let user = session.user_id;
        match session.tenant_id {
            Some(tenant) => {
                scope_to(conn, Some(tenant)).await?;
                crate::audit::record_session(
                    conn,
                    tenant,
                    Some(user),
                    ip,
                    AuditAction::AuthLogout,
                    user,
                )
                .await
            }
            None => {
                tracing::info!(%user, ip, "platform admin logged out");
                Ok(())
            }
        }
    })
    .await
}

/// The caller's own account and password hash.
pub async fn find_with_hash(
    conn: &mut AsyncPgConnection,
    tenant: Option<Uuid>,
    user: Uuid,
) -> AppResult<(Account, String)> {
    let found = match tenant {
        Some(tenant) => users::table
            .filter(users::tenant_id.eq(tenant).and(users::id.eq(user)))
            .select((UserRow::as_select(), users::password_hash))
            .first::<(UserRow, String)>(conn)
            .await
            .map(|(row, hash)| (row.into(), hash))?,
        None => platform_admins::table
            .filter(platform_admins::id.eq(user))
            .select((
                PlatformAdminRow::as_select(),
                platform_admins::password_hash,
            ))
            .first::<(PlatformAdminRow, String)>(conn)
            .await
            .map(|(row, hash)| (row.into(), hash))?,
    };
    Ok(found)
}

/// Stores a new password hash and ends every session of the account.
pub async fn set_password(
    conn: &mut AsyncPgConnection,
    tenant: Option<Uuid>,
    user: Uuid,
    hash: &str,
) -> AppResult<()> {
    match tenant {
        Some(tenant) => {
            diesel::update(users::table)
                .filter(users::tenant_id.eq(tenant).and(users::id.eq(user)))
                .set((
                    users::password_hash.eq(hash),
                    users::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
        }
        None => {
            diesel::update(platform_admins::table)
                .filter(platform_admins::id.eq(user))
                .set(platform_admins::password_hash.eq(hash))
                .execute(conn)
                .await?;
        }
    }
    crate::auth::revoke::end_all(conn, tenant, user).await
}
