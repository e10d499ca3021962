//! The served OpenAPI document: each feature describes its own paths; this joins them and
//! adds what is common (bearer auth, the error envelope).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lianxin",
        version = "1",
        description = "Household contact work of township grid governance (网格连心、组团服务). \
                       The contract is docs/api.md in the repository; every non-2xx answer carries the error envelope, \
                       whose `message` and `fields` problems are in Chinese when the request's \
                       `Accept-Language` prefers `zh`, in English otherwise (`code` never changes)."
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct Common;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Response objects whose fields are always present, some as `null` (a household without a
/// phone has `"phone": null`). utoipa leaves `Option` fields out of `required`, which tells a
/// generated client they may be missing; here every field of these is required.
const ALWAYS_COMPLETE: &[&str] = &[
    "User",
    "Tenant",
    "Grid",
    "MicroGrid",
    "LeaderTerm",
    "Household",
    "HouseholdMove",
    "Visit",
    "Issue",
    "IssueEvent",
    "Department",
    "CalendarDay",
    "IssueFigures",
    "AuditEntry",
    "Tag",
];

struct NullNotAbsent;

impl Modify for NullNotAbsent {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in ALWAYS_COMPLETE {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*name) {
                object.required = object.properties.keys().cloned().collect();
            }
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Common::openapi();
    for part in [
        crate::service::Api::openapi(),
        crate::account::handlers::Api::openapi(),
        crate::tenants::Api::openapi(),
        crate::users::Api::openapi(),
        crate::grids::Api::openapi(),
        crate::households::Api::openapi(),
        crate::tags::Api::openapi(),
        crate::tasks::Api::openapi(),
        crate::visits::Api::openapi(),
        crate::issues::Api::openapi(),
        crate::departments::Api::openapi(),
        crate::calendar::Api::openapi(),
        crate::stats::Api::openapi(),
        crate::audit::Api::openapi(),
    ] {
        doc.merge(part);
    }
    NullNotAbsent.modify(&mut doc);
    EveryResponseDescribed.modify(&mut doc);
    doc
}

/// OpenAPI requires a `description` on every response, and utoipa leaves it out where an
/// annotation gives none (`(status = 503, body = ErrorBody)`): a validator then refuses the
/// document and client generators give up. Each such response is described by its status's
/// standard reason ("Service Unavailable"), the one meaning it has in this API too.
struct EveryResponseDescribed;

impl Modify for EveryResponseDescribed {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let operations = openapi.paths.paths.values_mut().flat_map(|item| {
            [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
                &mut item.query,
            ]
            .into_iter()
            .flatten()
            .chain(item.additional_operations.values_mut())
        });
        for operation in operations {
            for (status, response) in &mut operation.responses.responses {
                if let RefOr::T(response) = response {
                    if response.description.is_empty() {
                        response.description = reason(status);
                    }
                }
            }
        }
    }
}

/// "404" → "Not Found"; a range or `default` has no reason of its own.
fn reason(status: &str) -> String {
    status
        .parse::<u16>()
        .ok()
        .and_then(|code| actix_web::http::StatusCode::from_u16(code).ok())
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Response")
        .to_owned()
}

#[cfg(test)]
mod tests {
    /// What a validator and a client generator refuse first (tests/openapi/client.py runs
    /// both on the served document).
    #[test]
    fn every_response_is_described_and_every_operation_named_once() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let mut names = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let name = operation["operationId"].as_str().unwrap_or_default();
                assert!(
                    names.insert(name.to_owned()),
                    "operationId {name:?} twice ({method} {path})"
                );
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let description = response["description"].as_str().unwrap_or_default();
                    assert!(!description.is_empty(), "{method} {path} {status}");
                }
            }
        }
    }
}
