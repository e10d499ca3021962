//! Visits (走亲): the log of contacts with households, recorded from phones that may be
//! offline. Recording is idempotent by the phone's visit id, alone or in batches.

pub mod batch;
pub mod list;
pub mod queries;
pub mod record;
pub mod routed;
pub mod sync;
pub mod types;
pub mod writer;

pub use types::Visit;

use actix_web::web;

use crate::error::{ErrorBody, ErrorDetail};
use crate::http::Paged;
use crate::visits::types::{BatchRequest, BatchResponse, BatchResult, VisitInput};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/visits/batch").route(web::post().to(batch::record_batch)))
        .service(
            web::resource("/visits")
                .route(web::post().to(record::record_visit))
                .route(web::get().to(list::list_visits)),
        );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(record::record_visit, batch::record_batch, list::list_visits),
    components(schemas(
        Visit,
        VisitInput,
        BatchRequest,
        BatchResponse,
        BatchResult,
        Paged<Visit>,
        ErrorBody,
        ErrorDetail,
        crate::domain::VisitMethod
    ))
)]
pub struct Api;
