//! Keeping a dossier current: the tenant admin, or the household's leader, edits its fields.
//! The micro-grid is changed only by `assign`, which keeps the move in history.

use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use super::queries::{self, Changes};
use super::sees_contact;
use super::types::{
    check_address, check_id_number, check_members, check_name, check_note, check_phone, check_tags,
    Household, UpdateHousehold,
};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::auth::Scope;
use crate::domain::Role;
use crate::error::{AppError, AppResult, ErrorBody, Problems};
use crate::http::Json;

#[utoipa::path(
    patch, path = "/api/v1/households/{id}", tag = "households",
    operation_id = "update_household",
    params(("id" = Uuid, Path)),
    request_body = UpdateHousehold,
    responses(
        (status = 200, body = Household),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<UpdateHousehold>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin, Role::Leader])?;
    let scope = Scope::of(&caller)?;
    let tenant = caller.tenant()?;
    let (changes, changed) = parse_changes(&body)?;
    let id = *id;
    let mut conn = caller.db().await?;
    let row = conn
        .transaction(async |conn| {
            // Scope first: a household outside it does not exist for the caller.
            let row = queries::find(conn, tenant, scope, id).await?;
            if changed.is_empty() {
                return Ok::<_, AppError>(row);
            }
            let row = queries::update(conn, tenant, id, &changes).await?;
            let detail = json!({ "fields": changed });
            audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::HouseholdUpdate,
                "household",
                Some(id),
                Some(detail),
            )
            .await?;
            Ok(row)
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok().json(Household::shown(row, sees_contact(&caller))))
}

/// The checked changes and the names of the fields they touch; every bad field in one 422.
fn parse_changes(body: &UpdateHousehold) -> AppResult<(Changes, Vec<&'static str>)> {
    let mut problems = Problems::new();
    let mut changed = Vec::new();
    let mut required = |field: &'static str, present: bool| {
        if present {
            changed.push(field);
        }
    };
    let not_null = "must not be null";
    let mut changes = Changes::default();
    match &body.kind {
        Some(Some(kind)) => changes.kind = Some(*kind),
        Some(None) => problems.add("kind", not_null),
        None => {}
    }
    required("kind", body.kind.is_some());
    match &body.name {
        Some(Some(name)) => changes.name = problems.check("name", check_name(name)),
        Some(None) => problems.add("name", not_null),
        None => {}
    }
    required("name", body.name.is_some());
    match &body.address {
        Some(Some(address)) => changes.address = problems.check("address", check_address(address)),
        Some(None) => problems.add("address", not_null),
        None => {}
    }
    required("address", body.address.is_some());
    if let Some(phone) = &body.phone {
        changes.phone = problems
            .check("phone", check_phone(phone.as_deref()))
            .map(|p| p.map(|p| p.into_inner()));
    }
    required("phone", body.phone.is_some());
    if let Some(number) = &body.id_number {
        changes.id_number = problems
            .check("id_number", check_id_number(number.as_deref()))
            .map(|n| n.map(|n| n.into_inner()));
    }
    required("id_number", body.id_number.is_some());
    if let Some(members) = body.members {
        changes.members = problems.check("members", check_members(members));
    }
    required("members", body.members.is_some());
    if let Some(tags) = &body.tags {
        changes.tags = problems.check("tags", check_tags(tags.as_deref().unwrap_or_default()));
    }
    required("tags", body.tags.is_some());
    if let Some(note) = &body.note {
        changes.note = problems.check("note", check_note(note.as_deref()));
    }
    required("note", body.note.is_some());
    problems.finish()?;
    Ok((changes, changed))
}
