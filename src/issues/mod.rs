//! (to be built)

pub mod types;

pub use types::{Issue, IssueEvent};

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Api;
