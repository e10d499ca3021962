//! The household list, and the due list (`due=true`) a leader works from on their phone.

use actix_web::{web, HttpResponse};
use chrono::Utc;

use super::queries::{self, Filters};
use super::sees_contact;
use super::types::{Household, HouseholdListQuery};
use crate::auth::Caller;
use crate::auth::Scope;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::{PageQuery, Paged};

/// Longest search text; anything longer cannot match a name or an address.
const MAX_QUERY: usize = 100;

#[utoipa::path(
    get, path = "/api/v1/households", tag = "households",
    operation_id = "list_households",
    params(HouseholdListQuery),
    responses(
        (status = 200, body = Paged<Household>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    query: web::Query<HouseholdListQuery>,
) -> AppResult<HttpResponse> {
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .check()?;
    let scope = Scope::of(&caller)?;
    let tenant = caller.tenant()?;
    let full = sees_contact(&caller);
    let text = match query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) if q.chars().count() > MAX_QUERY => {
            return Err(AppError::bad_request(format!(
                "q must be at most {MAX_QUERY} characters"
            )))
        }
        Some(q) => Some(format!("%{}%", escape_like(q))),
        None => None,
    };
    let mut filters = Filters {
        micro_grid_id: query.micro_grid_id,
        grid_id: query.grid_id,
        text,
        // Searching by phone digits would reveal masked numbers digit by digit.
        text_in_phone: full,
        tag: query
            .tag
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        due: None,
    };
    let mut conn = caller.db().await?;
    if query.due == Some(true) {
        filters.due = Some(queries::due_since(&mut conn, tenant, Utc::now()).await?);
    }
    let (rows, total) = queries::list(&mut conn, tenant, scope, &filters, page).await?;
    let items = rows
        .into_iter()
        .map(|row| Household::shown(row, full))
        .collect();
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

/// Makes `%`, `_` and `\` in the caller's text match themselves in a LIKE pattern.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::escape_like("100%_a\\b"), "100\\%\\_a\\\\b");
    }
}
