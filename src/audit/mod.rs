//! The audit log: every write and every export, who, what, from where. Records are written
//! in the same transaction as the change they describe, so neither exists without the other.

mod action;
mod list;
mod queries;
pub mod types;

pub use action::AuditAction;

use actix_web::web;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::schema::audit_log;
use crate::error::AppResult;

/// Appends one audit record for `caller` in `tenant_id`.
pub async fn record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    tenant_id: Uuid,
    action: AuditAction,
    entity: &str,
    entity_id: Option<Uuid>,
    detail: Option<serde_json::Value>,
) -> AppResult<()> {
    let actor = Actor {
        id: Some(caller.user_id),
        ip: caller.ip.as_deref(),
    };
    insert(conn, actor, tenant_id, action, entity, entity_id, detail).await
}

/// Appends one audit record for work done from the command line on the server: there is
/// no signed-in user (`actor_id` null) and no client address.
pub async fn record_unattended(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    action: AuditAction,
    entity: &str,
    entity_id: Option<Uuid>,
    detail: Option<serde_json::Value>,
) -> AppResult<()> {
    let actor = Actor { id: None, ip: None };
    insert(conn, actor, tenant_id, action, entity, entity_id, detail).await
}

/// Appends one audit record for a session event (a login, a replayed refresh token), where
/// there is no `Caller` yet: `actor` is who it concerns, if known, `ip` where it came from.
/// The transaction must be scoped to `tenant_id` (row-level security).
pub async fn record_session(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    ip: Option<&str>,
    action: AuditAction,
    user: Uuid,
) -> AppResult<()> {
    let actor = Actor { id: actor, ip };
    insert(conn, actor, tenant_id, action, "user", Some(user), None).await
}

/// Who did it: a user from an address, or nobody (the command line).
struct Actor<'a> {
    id: Option<Uuid>,
    ip: Option<&'a str>,
}

async fn insert(
    conn: &mut AsyncPgConnection,
    actor: Actor<'_>,
    tenant_id: Uuid,
    action: AuditAction,
    entity: &str,
    entity_id: Option<Uuid>,
    detail: Option<serde_json::Value>,
) -> AppResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::tenant_id.eq(tenant_id),
            audit_log::id.eq(Uuid::now_v7()),
            audit_log::actor_id.eq(actor.id),
            audit_log::action.eq(action),
            audit_log::entity.eq(entity),
            audit_log::entity_id.eq(entity_id),
            audit_log::ip.eq(actor.ip),
            audit_log::detail.eq(detail),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(list::list));
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list::list), components(schemas(types::AuditEntry)))]
pub struct Api;
