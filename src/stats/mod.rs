//! Statistics and exports (api.md "Statistics and exports"): the figures supervisors report,
//! for any range and scope, on screen and as CSV / Excel files.
//!
//! Reading of the contract, where it leaves room:
//! * Counts of things are as of now: grids and micro-grids (by kind), leaders (users who
//!   currently lead at least one micro-grid in scope), households, households acquainted
//!   (`acquainted_at` set), groups (micro-grids with a `group_name`), households in a group
//!   (`in_group`), and `issues.open`: issues not resolved now, i.e. `open` or `escalated`
//!   (an escalated issue is still waiting for its solution), whenever raised.
//! * Event counts are inside the range: visits (`visited_at`), issues raised (`raised_at`),
//!   issues resolved (`resolved_at`, and still resolved: a reopened issue is not solved), and
//!   the satisfaction rate among the latter.
//! * Visits and issues count where the work was done (the visit's own micro-grid and leader,
//!   the issue's micro-grid and the user who raised it), not where a household lives now.
//! * `by=week`: ISO weeks (Monday first) in the township's zone; the first and last weeks
//!   count only their days inside the range.

mod breakdown;
mod chart;
mod export;
mod figures;
mod files;
mod queries;
mod rollup;
pub(crate) mod scope;
mod statement;
mod statement_file;
mod summary;
mod tally;
pub mod types;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/stats/summary", web::get().to(summary::summary))
        .route("/stats/breakdown", web::get().to(breakdown::breakdown))
        .route("/stats/export", web::get().to(export::export))
        .route("/stats/chart", web::get().to(chart::chart))
        .route("/stats/statement", web::get().to(statement::statement));
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        summary::summary,
        breakdown::breakdown,
        export::export,
        chart::chart,
        statement::statement
    ),
    components(schemas(
        types::Summary,
        types::ByKind,
        types::IssueFigures,
        types::Breakdown,
        types::Row,
        types::By,
        types::ExportFormat,
        types::Lang
    ))
)]
pub struct Api;
