//! The township's working-day calendar (工作日历): Monday to Friday are working days unless
//! an exception says otherwise (a public holiday on a weekday, a make-up working day 调休 on
//! a weekend). Issue time limits are counted in it (`domain::WorkingDays`). Read by the
//! township's staff, kept by its admin.

pub mod handlers;
pub mod import;
pub mod types;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/calendar", web::get().to(handlers::show))
        .route("/calendar/{date}", web::put().to(handlers::set))
        .route("/calendar/{date}", web::delete().to(handlers::remove));
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(handlers::show, handlers::set, handlers::remove),
    components(schemas(types::Calendar, types::CalendarDay, types::CalendarDayBody))
)]
pub struct Api;
