//! Townships (api.md "Tenants"): opened by platform admins, each with its first admin.
//! Platform admins themselves are created from the command line only.

mod create;
mod list;
pub mod platform_admins;
pub mod types;

pub use types::Tenant;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants")
            .route(web::post().to(create::create_tenant))
            .route(web::get().to(list::list_tenants)),
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create::create_tenant, list::list_tenants),
    components(schemas(types::Tenant, types::NewTenant, types::NewTenantAdmin))
)]
pub struct Api;
