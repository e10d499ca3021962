//! (to be built)

pub mod platform_admins;

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Api;
