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
    "IssueFigures",
    "AuditEntry",
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
        crate::visits::Api::openapi(),
        crate::issues::Api::openapi(),
        crate::stats::Api::openapi(),
        crate::audit::Api::openapi(),
    ] {
        doc.merge(part);
    }
    NullNotAbsent.modify(&mut doc);
    doc
}
