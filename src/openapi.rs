//! The served OpenAPI document: each feature describes its own paths; this joins them and
//! adds what is common (bearer auth, the error envelope).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lianxin",
        version = "1",
        description = "Household contact work of township grid governance (网格连心、组团服务). \
                       The contract is shared/api.md; every non-2xx answer carries the error envelope."
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

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Common::openapi();
    for part in [
        crate::service::Api::openapi(),
        crate::auth::handlers::Api::openapi(),
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
    doc
}
