//! The operator's endpoints: liveness, readiness, metrics, and the API's own description.

use actix_web::{web, HttpResponse};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::config::Settings;
use crate::db::DbPool;
use crate::error::{AppError, ErrorBody};
use crate::metrics::Metrics;

#[derive(OpenApi)]
#[openapi(
    paths(healthz, readyz, metrics, openapi_json, docs),
    components(schemas(Status))
)]
pub struct Api;

/// `{"status": "ok"}` or `{"status": "ready"}`.
#[derive(Serialize, ToSchema)]
pub struct Status {
    pub status: &'static str,
}

/// Liveness
///
/// 200 while the process runs, whatever the database does.
#[utoipa::path(get, path = "/healthz", tag = "service", security(),
    responses((status = 200, body = Status, example = json!({"status": "ok"}))))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// Readiness
///
/// 200 when the database answers within `LIANXIN_DB_TIMEOUT_MS`, 503 otherwise: a load
/// balancer sends no traffic to an instance that cannot store a visit.
#[utoipa::path(get, path = "/readyz", tag = "service", security(),
    responses(
        (status = 200, body = Status, example = json!({"status": "ready"})),
        (status = 503, description = "the database cannot be reached", body = ErrorBody),
    ))]
pub async fn readyz(pool: web::Data<DbPool>, settings: web::Data<Settings>) -> HttpResponse {
    let ready = async {
        let mut conn = pool.get().await.ok()?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await.ok()
    };
    match tokio::time::timeout(settings.db_timeout, ready).await {
        Ok(Some(_)) => HttpResponse::Ok().json(Status { status: "ready" }),
        _ => actix_web::ResponseError::error_response(&AppError::Unavailable),
    }
}

/// Prometheus metrics
///
/// Request counts and latencies by route pattern and status, pool and visit-writer figures.
#[utoipa::path(get, path = "/metrics", tag = "service", security(),
    responses((status = 200, description = "Prometheus text format 0.0.4",
               content_type = "text/plain", body = String)))]
pub async fn metrics(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}

/// This document
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "service", security(),
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json",
               body = Object)))]
pub async fn openapi_json(doc: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(doc.get_ref())
}

/// The browsable API page
///
/// Redirects to `/docs/`, a Swagger UI page served from the binary (no network needed).
#[utoipa::path(get, path = "/docs", tag = "service", security(),
    responses((status = 302, description = "to `/docs/`, the page itself (text/html)")))]
pub async fn docs() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("Location", "/docs/"))
        .finish()
}
