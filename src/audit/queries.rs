//! Reading the audit log: newest first, from the `(tenant_id, at DESC)` index (or
//! `(tenant_id, actor_id, at DESC)` when filtered by actor).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::AuditEntry;
use crate::db::schema::audit_log;
use crate::error::AppResult;
use crate::http::Page;

pub struct Filter {
    pub tenant: Uuid,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
}

fn filtered(f: &Filter) -> audit_log::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = audit_log::table
        .filter(audit_log::tenant_id.eq(f.tenant))
        .into_boxed();
    if let Some(start) = f.start {
        query = query.filter(audit_log::at.ge(start));
    }
    if let Some(end) = f.end {
        query = query.filter(audit_log::at.lt(end));
    }
    if let Some(actor) = f.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor));
    }
    if let Some(action) = &f.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    query
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    f: &Filter,
    page: Page,
) -> AppResult<(Vec<AuditEntry>, i64)> {
    let total = filtered(f).count().get_result(conn).await?;
    let items = filtered(f)
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .offset(page.offset())
        .limit(page.limit())
        .select(AuditEntry::as_select())
        .load(conn)
        .await?;
    Ok((items, total))
}
