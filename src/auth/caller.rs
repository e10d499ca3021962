//! The authenticated caller, and the only way a handler reaches tenant data.
//!
//! `Caller` is an extractor: a handler that takes one cannot run without a valid token.
//! `Caller::db` checks out a connection, opens the request's transaction scoped to the
//! caller's township (`SET LOCAL app.tenant_id`, the row-level-security key, see db::scoped)
//! and confirms that the user is still active with the same token version, so a deactivated
//! user or a changed password stops every live token at once. A handler that writes ends with
//! `conn.commit()`; an uncommitted request is rolled back.

use std::future::{ready, Ready};
use std::net::IpAddr;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use diesel::pg::Pg;
use diesel::query_builder::AstPass;
use diesel::sql_types::{Integer, Nullable, Uuid as SqlUuid};
use diesel::QueryResult;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::prepared::{unknown_placeholder, Prepared, Statement};
use crate::db::DbPool;
use crate::db::TenantConn;
use crate::domain::Role;
use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct Caller {
    pub user_id: Uuid,
    /// `None` for a platform admin.
    pub tenant_id: Option<Uuid>,
    pub role: Role,
    /// A supervisor's grid scope (`None`: the whole township).
    pub grid_id: Option<Uuid>,
    pub token_version: i32,
    /// The client's address, for the audit log.
    pub ip: Option<String>,
    /// Where the request's connection comes from, and how long the database may take.
    pool: DbPool,
    db_timeout: std::time::Duration,
}

impl Caller {
    /// The caller's township; a platform admin has none and may not use township endpoints.
    pub fn tenant(&self) -> AppResult<Uuid> {
        self.tenant_id.ok_or(AppError::Forbidden)
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> AppResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    /// The request's transaction, scoped to the caller's tenant, after confirming the
    /// session is live. Writes need `commit()`.
    pub async fn db(&self) -> AppResult<TenantConn> {
        let (conn, nothing) = self.db_pipelined(async |_| Ok(())).await?;
        nothing?;
        Ok(conn)
    }
}

/// The token version of the user if still active (a tenant's user or a platform admin).
struct SessionCheck {
    tenant_id: Option<Uuid>,
    user_id: Uuid,
}

impl Prepared for SessionCheck {
    type Id = SessionCheck;
    const SQL: &'static str =
        "SELECT token_version FROM users WHERE tenant_id = $tenant AND id = $user AND active \
         UNION ALL \
         SELECT token_version FROM platform_admins WHERE $tenant IS NULL AND id = $user AND active";

    fn bind<'b>(&'b self, name: &str, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match name {
            "tenant" => out.push_bind_param::<Nullable<SqlUuid>, _>(&self.tenant_id),
            "user" => out.push_bind_param::<SqlUuid, _>(&self.user_id),
            other => Err(unknown_placeholder(other)),
        }
    }
}

impl Caller {
    /// `db`, with `first` pipelined after the session check (two round trips in all: the
    /// transaction with its tenant setting, then the check and `first`). `first` runs before
    /// the check's answer is known, so it must itself change nothing unless the session is
    /// live (join `users` on the caller's id, `active` and token version, as the visit
    /// statement does); its answer is dropped and 401 returned when the check fails, exactly as
    /// `db` would have.
    pub async fn db_pipelined<T>(
        &self,
        first: impl AsyncFnOnce(&diesel_async::AsyncPgConnection) -> QueryResult<T>,
    ) -> AppResult<(TenantConn, QueryResult<T>)> {
        let conn = self.pool.get().await?;
        let check = SessionCheck {
            tenant_id: self.tenant_id,
            user_id: self.user_id,
        };
        // A database that hangs (frozen, or cut off without a reset) must not hold the
        // request: these round trips answer within the database timeout, or 503.
        let outcome = tokio::time::timeout(self.db_timeout, async {
            let conn = TenantConn::begin(conn, self.tenant_id).await?;
            let answers = {
                let shared: &diesel_async::AsyncPgConnection = &conn;
                // Prepared once per connection: every request runs it.
                let live = Statement(check).load::<TokenVersion>(&mut &*shared);
                // `join`, not `try_join`: every statement sent is awaited before the
                // connection is used again or returned to the pool.
                futures_util::join!(live, first(shared))
            };
            Ok::<_, diesel::result::Error>((conn, answers))
        })
        .await;
        // On a timeout the connection (dropped inside the future) may be dead without knowing
        // it; the transaction manager marks it broken, so the pool does not take it back.
        let Ok(begun) = outcome else {
            return Err(AppError::Unavailable);
        };
        let (conn, (live, answer)) = begun?;
        self.live(&live?)?;
        Ok((conn, answer))
    }

    fn live(&self, rows: &[TokenVersion]) -> AppResult<()> {
        match rows.first() {
            Some(row) if row.token_version == self.token_version => Ok(()),
            _ => Err(AppError::Unauthenticated(
                "the session has ended; log in again",
            )),
        }
    }
}

#[derive(diesel::QueryableByName)]
struct TokenVersion {
    #[diesel(sql_type = Integer)]
    token_version: i32,
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Caller, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> AppResult<Caller> {
    let (Some(tokens), Some(pool), Some(settings)) = (
        req.app_data::<web::Data<TokenKeys>>(),
        req.app_data::<web::Data<DbPool>>(),
        req.app_data::<web::Data<Settings>>(),
    ) else {
        return Err(AppError::internal(anyhow::anyhow!(
            "the application was built without its token keys, pool or settings"
        )));
    };
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .ok_or(AppError::Unauthenticated("missing bearer token"))?;
    let claims = tokens
        .verify(token.trim())
        .ok_or(AppError::Unauthenticated("invalid or expired token"))?;
    Ok(Caller {
        user_id: claims.sub,
        tenant_id: claims.tid,
        role: claims.role,
        grid_id: claims.gid,
        token_version: claims.ver,
        ip: client_ip(req, settings.trust_proxy).map(|ip| ip.to_string()),
        pool: DbPool::clone(pool),
        db_timeout: settings.db_timeout,
    })
}

/// The client's address: the peer, or the first `X-Forwarded-For` hop behind a trusted proxy.
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.peer_addr().map(|addr| addr.ip())
}
