//! Grids and micro-grids: how the township is cut up, and who leads each micro-grid (定亲).

pub mod grid;
pub mod leader;
pub mod micro_grid;
pub mod queries;
pub mod types;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/grids", web::post().to(grid::create))
        .route("/grids", web::get().to(grid::list))
        .route("/grids/{id}", web::get().to(grid::show))
        .route("/grids/{id}", web::patch().to(grid::update))
        .route(
            "/grids/{grid_id}/micro-grids",
            web::post().to(micro_grid::create),
        )
        .route("/micro-grids", web::get().to(micro_grid::list))
        .route("/micro-grids/{id}", web::get().to(micro_grid::show))
        .route("/micro-grids/{id}", web::patch().to(micro_grid::update))
        .route("/micro-grids/{id}/leader", web::put().to(leader::assign))
        .route("/micro-grids/{id}/leader", web::delete().to(leader::remove))
        .route(
            "/micro-grids/{id}/leader/preview",
            web::get().to(leader::preview),
        )
        .route("/micro-grids/{id}/leaders", web::get().to(leader::history));
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        grid::create,
        grid::list,
        grid::show,
        grid::update,
        micro_grid::create,
        micro_grid::list,
        micro_grid::show,
        micro_grid::update,
        leader::assign,
        leader::remove,
        leader::preview,
        leader::history,
    ),
    components(schemas(
        types::Grid,
        types::MicroGrid,
        types::LeaderTerm,
        types::CreateGrid,
        types::UpdateGrid,
        types::CreateMicroGrid,
        types::UpdateMicroGrid,
        types::AssignLeader,
        types::LeaderPreview,
    ))
)]
pub struct Api;
