//! Bringing a township's household roster in from its spreadsheet, over HTTP
//! (`POST /households/import`, tenant admin) or on the server (`lianxin import-households`).
//!
//! All or nothing: every row is checked with the API's rules and its micro-grid looked up
//! by name in the township; one bad row and nothing is created, and the answer names every
//! bad row by its spreadsheet row number. Otherwise every household is inserted in one
//! transaction, a few thousand per statement, with one audit record for the whole import.

pub mod roster;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use serde_json::json;
use uuid::Uuid;

use super::queries;
use super::types::{ImportForm, Imported, NewHousehold};
use crate::audit::{self, AuditAction};
use crate::auth::Caller;
use crate::db::schema::tenants;
use crate::db::DbPool;
use crate::domain::Role;
use crate::error::{AppError, AppResult, ErrorBody, FieldErrors};
use crate::http::UPLOAD_LIMIT;

/// Rows per INSERT: 11 parameters each, well under PostgreSQL's 65535.
const BATCH: usize = 2000;
/// An oversized upload is read (and dropped) up to this much so the client, still
/// sending, receives the 413 instead of a reset connection; beyond it we hang up.
const DRAIN_LIMIT: usize = 64 << 20;

/// The uploaded file.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
}

/// The roster's households, each with its micro-grid's id, all checked.
pub type Checked = Vec<(Uuid, NewHousehold)>;

#[utoipa::path(
    post, path = "/api/v1/households/import", tag = "households",
    request_body(content = ImportForm, content_type = "multipart/form-data",
        description = "one field `file`: a CSV (UTF-8 with or without BOM, or GB18030/GBK) or XLSX roster with the header \
            row `micro_grid, kind, name, address, phone, id_number, members, tags` (optional \
            `note`), or in Chinese `微网格, 类型, 户主/名称, 地址, 电话, 身份证号, 人数, 标签` (`备注`)"),
    responses(
        (status = 201, description = "every row was created", body = Imported),
        (status = 400, description = "not a multipart form, or no single `file` field", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "only a tenant admin imports", body = ErrorBody),
        (status = 413, description = "over 20 MiB", body = ErrorBody),
        (status = 422, description = "an unreadable or empty file (a CSV in neither UTF-8 nor \
            GB18030/GBK: `file` names both and the first line each failed on), unknown or missing columns \
            (`header`), too many rows (`file`), or bad rows: `fields` maps `row N` (the \
            spreadsheet row, the header being row 1) to that row's problems; nothing was created",
         body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn import(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant()?;
    let upload = receive(&req, payload).await?;
    let file_name = upload.file_name.clone();
    // Reading a 20 MiB workbook takes a while; keep it off the request threads.
    let rows = web::block(move || read(&upload))
        .await
        .map_err(AppError::internal)??;
    let mut conn = caller.db().await?;
    let created = conn
        .transaction(async |conn| {
            let households = resolve(conn, tenant, rows).await?;
            create_all(conn, tenant, &households, |_| {}).await?;
            let detail = json!({"created": households.len(), "file": file_name});
            audit::record(
                conn,
                &caller,
                tenant,
                AuditAction::HouseholdImport,
                "household",
                None,
                Some(detail),
            )
            .await?;
            Ok::<_, AppError>(households.len())
        })
        .await?;
    conn.commit().await?;
    Ok(HttpResponse::Created().json(Imported {
        created: created as i64,
    }))
}

/// The one `file` field of the form, at most 20 MiB.
async fn receive(req: &HttpRequest, payload: web::Payload) -> AppResult<Upload> {
    let too_large = || AppError::PayloadTooLarge("20 MiB");
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > DRAIN_LIMIT) {
        return Err(too_large());
    }
    // The multipart reader's own words stay in the log (see `roster`'s workbook errors).
    let bad_form = |e: actix_multipart::MultipartError| {
        tracing::info!(error = %e, "an upload is not a readable multipart form");
        AppError::bad_request("send the roster as multipart/form-data with one field `file`")
    };
    let mut form = Multipart::new(req.headers(), payload);
    let mut upload: Option<Upload> = None;
    let mut received = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad_form)?;
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            return Err(AppError::bad_request(format!(
                "unexpected form field `{name}`; send only the field `file`"
            )));
        }
        if upload.is_some() {
            return Err(AppError::bad_request("send one file per import"));
        }
        let mut file = Upload {
            bytes: Vec::new(),
            file_name: field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_owned),
            content_type: field.content_type().map(|m| m.essence_str().to_owned()),
        };
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad_form)?;
            received += chunk.len();
            if received > DRAIN_LIMIT {
                return Err(too_large());
            }
            if received <= UPLOAD_LIMIT {
                file.bytes.extend_from_slice(&chunk);
            }
        }
        upload = Some(file);
    }
    if received > UPLOAD_LIMIT {
        return Err(too_large());
    }
    upload.ok_or_else(|| AppError::bad_request("the form has no field `file`"))
}

/// The file's rows, each checked on its own (micro-grids not yet looked up). A file that
/// cannot be read as a roster at all is a 422 naming `file` or `header`.
fn read(upload: &Upload) -> AppResult<Vec<roster::RosterRow>> {
    let raw = roster::read(
        &upload.bytes,
        upload.file_name.as_deref(),
        upload.content_type.as_deref(),
    )
    .map_err(|problem| AppError::Validation(problem.into_fields()))?;
    Ok(raw.iter().map(roster::RawRow::check).collect())
}

fn row_key(row: usize) -> String {
    format!("row {row}")
}

/// Looks the micro-grids up by name within the township; answers 422 with every bad row
/// (its own problems, an unknown micro-grid, a household the file or the township holds
/// already), or gives every household its micro-grid's id. Another township's micro-grid is
/// as unknown as a misspelt one.
///
/// A household is the same one when its name and address are: the roster imported twice, or
/// two sheets that overlap, must not give a family two dossiers.
async fn resolve(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    rows: Vec<roster::RosterRow>,
) -> AppResult<Checked> {
    // Two imports at once (a double-clicked upload) would each find the other's households
    // absent and create them all twice; the second waits here for the first to commit.
    queries::lock_imports(conn, tenant).await?;
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r.micro_grid.as_str())
        .filter(|name| !name.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let ids: HashMap<String, Uuid> = queries::micro_grids_named(conn, tenant, &names)
        .await?
        .into_iter()
        .collect();
    let household_names: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.household.as_ref().ok())
        .map(|h| h.name.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let existing: HashSet<(String, String)> =
        queries::households_named(conn, tenant, &household_names)
            .await?
            .into_iter()
            .collect();
    let mut first_row: HashMap<(String, String), usize> = HashMap::new();
    let mut problems = FieldErrors::new();
    let mut checked = Vec::with_capacity(rows.len());
    for row in rows {
        let micro_grid = ids.get(&row.micro_grid).copied();
        let unknown = (micro_grid.is_none() && !row.micro_grid.is_empty()).then(|| {
            format!(
                "micro_grid: no micro-grid named “{}” in this township",
                row.micro_grid
            )
        });
        let again = row.household.as_ref().ok().and_then(|h| {
            let key = (h.name.clone(), h.address.clone());
            if existing.contains(&key) {
                return Some(
                    "name: a household of this name and address is in the township already"
                        .to_owned(),
                );
            }
            match first_row.get(&key) {
                Some(first) => Some(format!(
                    "name: the same household (name and address) as row {first}"
                )),
                None => {
                    first_row.insert(key, row.row);
                    None
                }
            }
        });
        let unknown = unknown.or(again);
        match (micro_grid, row.household, unknown) {
            (Some(_), Ok(_), Some(again)) => {
                problems.insert(row_key(row.row), vec![again]);
            }
            (Some(id), Ok(household), _) => checked.push((id, household)),
            (_, Ok(_), unknown) => {
                problems.insert(row_key(row.row), unknown.into_iter().collect());
            }
            (_, Err(own), unknown) => {
                problems.insert(row_key(row.row), unknown.into_iter().chain(own).collect());
            }
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(AppError::Validation(problems))
    }
}

/// Inserts the households a batch at a time, telling `progress` how many went in.
async fn create_all(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    households: &Checked,
    mut progress: impl FnMut(usize),
) -> AppResult<()> {
    for batch in households.chunks(BATCH) {
        queries::insert_many(conn, tenant, batch).await?;
        progress(batch.len());
    }
    Ok(())
}

/// `lianxin import-households --tenant CODE FILE`: the same checks; prints every bad row
/// or imports with a progress bar. It runs as no user, so it scopes its transaction to the
/// township itself (row-level security) and audits with no actor.
pub async fn run_cli(pool: &DbPool, tenant: &str, file: &Path) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let upload = Upload {
        bytes,
        file_name: file_name.clone(),
        content_type: None,
    };
    let mut conn = pool.get().await?;
    let (tenant_id, township): (Uuid, String) = tenants::table
        .filter(tenants::code.eq(tenant))
        .select((tenants::id, tenants::name))
        .first(&mut conn)
        .await
        .optional()?
        .ok_or_else(|| anyhow::anyhow!("no township with the code `{tenant}`"))?;
    let outcome = async {
        let rows = read(&upload)?;
        let progress = indicatif::ProgressBar::new(rows.len() as u64);
        progress.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} households")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let created = conn
            .transaction(async |conn| {
                diesel::sql_query(crate::db::scoped::scope_sql(Some(tenant_id)))
                    .execute(conn)
                    .await?;
                let households = resolve(conn, tenant_id, rows).await?;
                create_all(conn, tenant_id, &households, |n| progress.inc(n as u64)).await?;
                let detail = json!({"created": households.len(), "file": file_name});
                audit::record_unattended(
                    conn,
                    tenant_id,
                    AuditAction::HouseholdImport,
                    "household",
                    None,
                    Some(detail),
                )
                .await?;
                Ok::<_, AppError>(households.len())
            })
            .await;
        progress.finish_and_clear();
        created
    }
    .await;
    match outcome {
        Ok(created) => {
            println!("imported {created} households into {township} ({tenant})");
            Ok(())
        }
        Err(AppError::Validation(problems)) => {
            for line in problem_lines(&problems) {
                eprintln!("{line}");
            }
            anyhow::bail!("{} not imported: nothing was created", file.display())
        }
        Err(other) => Err(anyhow::anyhow!(
            "{}",
            other.body().error.message_with_fields()
        )),
    }
}

/// The problems one per line, rows in spreadsheet order.
fn problem_lines(problems: &FieldErrors) -> Vec<String> {
    let mut keyed: Vec<(usize, &String, &Vec<String>)> = problems
        .iter()
        .map(|(key, list)| {
            let row = key
                .strip_prefix("row ")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            (row, key, list)
        })
        .collect();
    keyed.sort_by_key(|(row, _, _)| *row);
    keyed
        .into_iter()
        .map(|(_, key, list)| format!("{key}: {}", list.join("; ")))
        .collect()
}
