//! Priority groups (重点人群): the standard tags townships report on, the tags in use, and
//! the visit interval a township gives a tag (独居老人 every 3 days, say), which the due lists
//! on the server and on the phone follow.

pub mod handlers;
pub mod queries;
pub mod types;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tags", web::get().to(handlers::list))
        .route("/tags/{tag}", web::put().to(handlers::set_interval));
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(handlers::list, handlers::set_interval),
    components(schemas(types::Tag, types::SetInterval))
)]
pub struct Api;
