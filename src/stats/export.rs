//! `GET /stats/export`: the breakdown as a CSV or Excel download, written to the audit log.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde_json::json;

use super::figures;
use super::files;
use super::scope::{self, Range, Township};
use super::types::{By, ExportFormat, ExportQuery, Lang};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::error::{AppResult, ErrorBody};

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[utoipa::path(
    get, path = "/api/v1/stats/export", tag = "stats",
    params(ExportQuery),
    responses(
        (status = 200, description = "the file (`Content-Disposition: attachment`)",
         content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "unknown `by`, `format` or `lang`; a date or id that does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "leaders and platform admins", body = ErrorBody),
        (status = 404, description = "scope outside the tenant or the supervisor's grid", body = ErrorBody),
        (status = 422, description = "`from` after `to`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn export(caller: Caller, query: web::Query<ExportQuery>) -> AppResult<HttpResponse> {
    let (mut conn, asked) = scope::asked(
        &caller,
        (query.from, query.to),
        query.grid_id,
        query.micro_grid_id,
    )
    .await?;
    let rows = figures::rows(&mut conn, asked.params(), query.by).await?;
    let (bytes, content_type, ext) = match query.format {
        ExportFormat::Csv => (
            files::csv(query.by, query.lang, &rows)?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        ExportFormat::Xlsx => (
            files::xlsx(
                query.by,
                query.lang,
                &title(&asked.town, query.by, query.lang, &asked.range),
                &rows,
            )?,
            XLSX_TYPE,
            "xlsx",
        ),
    };
    // Written before the file leaves: an export the log does not know of never happens.
    audit::record(
        &mut conn,
        &caller,
        asked.tenant,
        AuditAction::StatsExport,
        "stats",
        asked.scope.id(),
        Some(json!({
            "by": query.by.as_str(),
            "format": ext,
            "lang": match query.lang { Lang::Zh => "zh", Lang::En => "en" },
            "from": asked.range.from,
            "to": asked.range.to,
            "scope": asked.scope.describe(),
            "rows": rows.len(),
        })),
    )
    .await?;
    conn.commit().await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            disposition(&asked.town, query.by, &asked.range, ext),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

fn by_zh(by: By) -> &'static str {
    match by {
        By::Grid => "按网格",
        By::MicroGrid => "按微网格",
        By::Leader => "按网格长",
        By::Week => "按周",
        By::Tag => "按标签",
    }
}

/// The chart's title: township, breakdown, range.
pub(super) fn title(town: &Township, by: By, lang: Lang, range: &Range) -> String {
    match lang {
        Lang::Zh => format!(
            "{} {}统计 {} 至 {}",
            town.name,
            by_zh(by),
            range.from,
            range.to
        ),
        Lang::En => format!(
            "{} by {} {} to {}",
            town.name,
            by.as_str(),
            range.from,
            range.to
        ),
    }
}

/// `attachment` with an ASCII name (township code, breakdown, range) for every client and
/// the Chinese name (RFC 5987) for those that read it.
fn disposition(town: &Township, by: By, range: &Range, ext: &str) -> String {
    let ascii = format!(
        "{}-stats-by-{}-{}-to-{}.{ext}",
        town.code,
        by.as_str(),
        range.from,
        range.to
    );
    let chinese = format!(
        "{}-{}统计-{}至{}.{ext}",
        town.name,
        by_zh(by),
        range.from,
        range.to
    );
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        rfc5987(&chinese)
    )
}

/// Percent-encodes everything but RFC 5987's attr-chars.
fn rfc5987(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc5987_encodes_utf8_bytes() {
        assert_eq!(super::rfc5987("镇-a b.csv"), "%E9%95%87-a%20b.csv");
    }
}
