//! Households (户): the dossiers (一户一档) leaders keep, the due list they work from, and
//! moves between micro-grids. Roster import lives in `import`.

pub mod assign;
pub mod create;
pub mod import;
pub mod list;
pub mod queries;
pub mod show;
pub mod sync;
pub mod sync_queries;
pub mod types;
pub mod update;

pub use types::{HouseholdDraft, NewHousehold};

use actix_web::web;

use crate::auth::Caller;
use crate::domain::Role;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/households", web::post().to(create::create))
        .route("/households", web::get().to(list::list))
        .route("/households/assign", web::post().to(assign::assign))
        .route(
            "/households/assign/preview",
            web::post().to(assign::preview),
        )
        // Before `/households/{id}`, which would otherwise take `import` for an id.
        .route("/households/import", web::post().to(import::import))
        .route("/households/{id}", web::get().to(show::show))
        .route("/households/{id}", web::patch().to(update::update))
        .route("/sync/households", web::get().to(sync::sync));
}

/// Whether the caller sees households' phone and ID numbers in full: tenant admins and the
/// household's own leader do. Leaders only ever reach the households of the micro-grids
/// they lead (scope), so among callers who reach a household only supervisors see masks.
pub fn sees_contact(caller: &Caller) -> bool {
    matches!(caller.role, Role::TenantAdmin | Role::Leader)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        create::create,
        list::list,
        show::show,
        update::update,
        assign::assign,
        assign::preview,
        import::import,
        sync::sync,
    ),
    components(schemas(
        types::Household,
        types::Dossier,
        types::HouseholdMove,
        types::CreateHousehold,
        types::UpdateHousehold,
        types::AssignHouseholds,
        types::Assigned,
        types::AssignPreview,
        types::MovingFrom,
        types::ImportForm,
        types::Imported,
        sync::SyncedHouseholds,
        sync::SyncedHousehold,
    ))
)]
pub struct Api;
