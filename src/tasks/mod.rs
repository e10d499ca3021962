//! Tasks sent down to the leaders (任务下发): the township or a supervisor asks for something
//! to be done at a set of households ("notify every household about flood season"), the
//! leaders see it on the phone with those households, and a visit linked to the task marks a
//! household done, so one visit serves both. Progress per grid, micro-grid and leader;
//! weekly and monthly tasks repeat (`domain::Round`).

pub mod handlers;
pub mod progress;
pub mod queries;
pub mod types;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tasks", web::post().to(handlers::create))
        .route("/tasks", web::get().to(handlers::list))
        .route("/tasks/{id}", web::get().to(handlers::show))
        .route(
            "/tasks/{id}/households",
            web::get().to(handlers::households),
        )
        .route("/tasks/{id}/close", web::post().to(handlers::close));
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        handlers::create,
        handlers::list,
        handlers::show,
        handlers::households,
        handlers::close
    ),
    components(schemas(
        types::Task,
        types::TaskDetail,
        types::Progress,
        types::TaskHousehold,
        types::NewTaskBody,
        crate::domain::TaskRepeat,
        crate::http::Paged<types::Task>,
        crate::http::Paged<types::TaskHousehold>
    ))
)]
pub struct Api;
