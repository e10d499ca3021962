//! The township's offices (站所/部门: the land office, civil affairs…): the departments that
//! issues are routed to and whose staff (the role `handler`) work them. Named by the
//! township admin, read by every member of the township's staff.

pub mod handlers;
pub mod queries;
pub mod types;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/departments", web::post().to(handlers::create))
        .route("/departments", web::get().to(handlers::list))
        .route("/departments/{id}", web::patch().to(handlers::update));
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(handlers::create, handlers::list, handlers::update),
    components(schemas(
        types::Department,
        types::DepartmentBody,
        crate::http::Paged<types::Department>
    ))
)]
pub struct Api;
