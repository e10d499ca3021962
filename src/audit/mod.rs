//! The audit log: every write and every export, who, what, from where. Records are written
//! in the same transaction as the change they describe, so neither exists without the other.

mod list;
mod queries;
pub mod types;

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
    action: &str,
    entity: &str,
    entity_id: Option<Uuid>,
    detail: Option<serde_json::Value>,
) -> AppResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::tenant_id.eq(tenant_id),
            audit_log::id.eq(Uuid::now_v7()),
            audit_log::actor_id.eq(caller.user_id),
            audit_log::action.eq(action),
            audit_log::entity.eq(entity),
            audit_log::entity_id.eq(entity_id),
            audit_log::ip.eq(caller.ip.as_deref()),
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
