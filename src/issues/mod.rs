//! Issues (融亲): what residents ask for — road stakes, housing approval, land acquisition,
//! low-income allowance — followed from raising to resolution and the resident's feedback.
//! Every transition is an event; escalated issues form the township's queue. The township
//! routes issues to its departments with a time limit in working days (`steps`,
//! `workflow`; docs/workflow.md).

pub mod queries;
pub mod raise;
mod routed;
pub mod show;
pub mod steps;
pub mod supervision;
pub mod transitions;
pub mod types;
pub mod workflow;

pub use types::{Issue, IssueEvent};

use actix_web::web;

use crate::error::ErrorBody;
use crate::http::Paged;
use crate::issues::types::{
    AcceptBody, AssignBody, ExtendBody, ExtensionBody, FeedbackBody, IssueDetail, NewIssueBody,
    NoteBody, ResolveBody, VerifyBody,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/issues")
            .route(web::post().to(raise::raise_issue))
            .route(web::get().to(show::list_issues)),
    )
    .service(web::resource("/issues/{id}").route(web::get().to(show::show_issue)))
    .service(web::resource("/issues/{id}/escalate").route(web::post().to(transitions::escalate)))
    .service(web::resource("/issues/{id}/resolve").route(web::post().to(transitions::resolve)))
    .service(web::resource("/issues/{id}/reopen").route(web::post().to(transitions::reopen)))
    .service(web::resource("/issues/{id}/feedback").route(web::post().to(transitions::feedback)))
    .service(web::resource("/issues/{id}/assign").route(web::post().to(steps::assign)))
    .service(web::resource("/issues/{id}/accept").route(web::post().to(steps::accept)))
    .service(web::resource("/issues/{id}/extend").route(web::post().to(steps::extend)))
    .service(web::resource("/issues/{id}/extension").route(web::post().to(steps::extension)))
    .service(web::resource("/issues/{id}/done").route(web::post().to(steps::done)))
    .service(web::resource("/issues/{id}/verify").route(web::post().to(steps::verify)))
    .service(web::resource("/supervision").route(web::get().to(supervision::supervision)));
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        raise::raise_issue,
        show::list_issues,
        show::show_issue,
        transitions::escalate,
        transitions::resolve,
        transitions::reopen,
        transitions::feedback,
        steps::assign,
        steps::accept,
        steps::extend,
        steps::extension,
        steps::done,
        supervision::supervision,
        steps::verify
    ),
    components(schemas(
        supervision::Supervision,
        supervision::Pressing,
        Issue,
        IssueEvent,
        IssueDetail,
        NewIssueBody,
        NoteBody,
        ResolveBody,
        FeedbackBody,
        AssignBody,
        AcceptBody,
        ExtendBody,
        ExtensionBody,
        VerifyBody,
        Paged<Issue>,
        ErrorBody,
        crate::domain::IssueCategory,
        crate::domain::IssueStatus
    ))
)]
pub struct Api;
