//! Staff accounts of a township (api.md "Users"): township admins manage them; supervisors
//! may read the list.

mod create;
pub mod queries;
mod read;
pub mod types;
mod update;

pub use types::User;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users")
            .route(web::post().to(create::create_user))
            .route(web::get().to(read::list_users)),
    )
    .service(
        web::resource("/users/{id}")
            .route(web::get().to(read::get_user))
            .route(web::patch().to(update::update_user)),
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        create::create_user,
        read::list_users,
        read::get_user,
        update::update_user
    ),
    components(schemas(types::User, types::NewUser, types::UserPatch))
)]
pub struct Api;
