use actix_web::{web, HttpResponse};
use diesel_async::AsyncConnection;
use serde_json::json;

use super::queries;
use super::types::{SetInterval, Tag};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::domain::{is_standard, parse_tag, Role};
use crate::error::{checked, AppResult, ErrorBody, Problems};
use crate::http::Json;

/// The township's tags: the standard priority groups, then every other tag in use or given
/// an interval, each with its own visit interval (null: the township's).
#[utoipa::path(
    get, path = "/api/v1/tags", tag = "households",
    operation_id = "list_tags",
    responses(
        (status = 200, description = "The standard tags, then the others by name", body = Vec<Tag>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not staff of a township", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(caller: Caller) -> AppResult<HttpResponse> {
    let tenant = caller.tenant()?;
    let mut conn = caller.db().await?;
    let tags = queries::list(&mut conn, tenant).await?;
    Ok(HttpResponse::Ok().json(tags))
}

/// Gives a tag its own visit interval (tenant admin): households carrying it are due when
/// not visited within the smallest of the township's interval and their tags'. Null lets the
/// tag follow the township's interval again.
#[utoipa::path(
    put, path = "/api/v1/tags/{tag}", tag = "households",
    operation_id = "set_tag_interval",
    params(("tag" = String, Path, description = "The tag, e.g. 独居老人")),
    request_body = SetInterval,
    responses(
        (status = 200, description = "The tag as it now is", body = Tag),
        (status = 400, description = "Malformed JSON or unknown fields", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the township's admin", body = ErrorBody),
        (status = 422, description = "A bad tag or interval", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn set_interval(
    caller: Caller,
    tag: web::Path<String>,
    body: Json<SetInterval>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let mut problems = Problems::validated(&*body);
    let tag = parse_tag(&tag);
    if let Err(problem) = &tag {
        problems.add("tag", problem.as_str());
    }
    problems.finish()?;
    let tag = checked(tag)?;
    let days = body.visit_interval_days;
    let mut conn = caller.db().await?;
    conn.transaction(async |conn| -> AppResult<()> {
        queries::set_interval(conn, tenant, &tag, days).await?;
        let detail = json!({"tag": tag, "visit_interval_days": days});
        audit::record(
            conn,
            &caller,
            tenant,
            AuditAction::TagUpdate,
            "tag",
            None,
            Some(detail),
        )
        .await
    })
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok().json(Tag {
        standard: is_standard(&tag),
        visit_interval_days: days,
        tag,
    }))
}
