//! Shared pieces of the HTTP surface: list paging, the JSON body extractor, and the
//! handlers that turn actix's own extractor errors into the contract's envelope (400, 404,
//! 413) instead of plain text.

mod json;

pub use json::{payload_config, Json};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::config::Settings;
use crate::error::{AppError, ErrorBody, NUL_REFUSED};
use crate::i18n::Lang;

/// Largest JSON body: 1 MiB (the contract's limit; uploads are 20 MiB).
pub const JSON_LIMIT: usize = 1 << 20;
/// Largest upload (household import).
pub const UPLOAD_LIMIT: usize = 20 << 20;
pub const MAX_PER_PAGE: i64 = 200;

/// `?page=1&per_page=50`.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Items per page, at most 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// A checked page request.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

impl Page {
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn limit(&self) -> i64 {
        self.per_page
    }
}

impl PageQuery {
    pub fn check(self) -> Result<Page, AppError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=1_000_000).contains(&page) {
            return Err(AppError::bad_request("page must be between 1 and 1000000"));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(AppError::bad_request("per_page must be between 1 and 200"));
        }
        Ok(Page { page, per_page })
    }
}

/// For PATCH bodies: tells an explicit `null` (`Some(None)`, clear the field) from an
/// absent field (`None`, leave it), which plain `Option` cannot.
/// `#[serde(default, deserialize_with = "crate::http::present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `{"items": [...], "total": N, "page": 1, "per_page": 50}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Paged<T> {
    pub fn new(items: Vec<T>, total: i64, page: Page) -> Paged<T> {
        Paged {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT)
        .error_handler(|error, _req: &HttpRequest| json_error(error).into())
}

fn json_error(error: JsonPayloadError) -> AppError {
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            AppError::PayloadTooLarge("1 MiB")
        }
        JsonPayloadError::ContentType => {
            AppError::bad_request("the body must be JSON (Content-Type: application/json)")
        }
        JsonPayloadError::Deserialize(e) => AppError::bad_request(format!("invalid JSON: {e}")),
        other => AppError::bad_request(format!("invalid JSON body: {other}")),
    }
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _req| {
        let message = match error {
            QueryPayloadError::Deserialize(e) => format!("invalid query: {e}"),
            other => format!("invalid query: {other}"),
        };
        AppError::bad_request(message).into()
    })
}

/// A path that does not parse (an id that is not a UUID) names nothing that exists.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_error: PathError, _req| AppError::NotFound.into())
}

/// actix answers a known path asked with another method by an empty 405; this gives it the
/// envelope every non-2xx carries, keeping actix's `Allow` header.
pub fn method_not_allowed<B>(
    response: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    let (request, old) = response.into_parts();
    let mut new = actix_web::ResponseError::error_response(&AppError::MethodNotAllowed);
    if let Some(allow) = old.headers().get(actix_web::http::header::ALLOW) {
        new.headers_mut()
            .insert(actix_web::http::header::ALLOW, allow.clone());
    }
    let response = actix_web::dev::ServiceResponse::new(request, new).map_into_right_body();
    Ok(actix_web::middleware::ErrorHandlerResponse::Response(
        response,
    ))
}

/// Unknown routes answer with the envelope too.
pub async fn not_found() -> HttpResponse {
    actix_web::ResponseError::error_response(&AppError::NotFound)
}

/// Cuts a request off after `LIANXIN_REQUEST_TIMEOUT_SECS` with 503 `unavailable`. The
/// handler's future is dropped: an open transaction is rolled back (its connection is
/// discarded by the pool), and a client that retries with the same ids loses nothing.
/// The 503 travels as an error (the request itself went into the handler and is gone);
/// actix renders it with the envelope.
pub async fn deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(limit) = req
        .app_data::<web::Data<Settings>>()
        .map(|settings| settings.request_timeout)
    else {
        return next.call(req).await;
    };
    let path = req.path().to_owned();
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!(%path, ?limit, "request timed out");
            Err(AppError::Unavailable.into())
        }
    }
}

/// Says the error envelope in the language the request prefers (`i18n`): the message and
/// every field problem of any non-2xx JSON answer, whichever layer made it. English needs
/// nothing: the code writes its messages in English.
pub async fn localize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let lang = Lang::of(req.headers());
    if lang == Lang::En {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    match next.call(req).await {
        Ok(response) => {
            let (request, response) = response.map_into_boxed_body().into_parts();
            Ok(ServiceResponse::new(request, say_in(lang, response).await))
        }
        // An error a middleware raised (the deadline's 503): actix renders it later, so it
        // goes on as an error that renders as this Chinese answer.
        Err(error) => {
            let said = say_in(lang, error.error_response()).await;
            Err(actix_web::error::InternalError::from_response(error.to_string(), said).into())
        }
    }
}

/// `response` with its error envelope in `lang`; any other answer as it is.
async fn say_in(lang: Lang, response: HttpResponse) -> HttpResponse {
    let is_json = response
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if response.status().is_success() || !is_json {
        return response;
    }
    let (head, body) = response.into_parts();
    let Ok(bytes) = actix_web::body::to_bytes(body).await else {
        return head.set_body(BoxBody::new(()));
    };
    let said = match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(mut envelope) => {
            lang.localize(&mut envelope.error);
            serde_json::to_vec(&envelope).unwrap_or_else(|_| bytes.to_vec())
        }
        Err(_) => bytes.to_vec(),
    };
    head.set_body(BoxBody::new(said))
}

/// A NUL character in the path or the query string (`%00`) is refused before any handler
/// sees it, as one in a JSON body is (`Json`): 400 whichever field it is in.
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let uri = req.uri();
    if uri.path().contains("%00") || uri.query().is_some_and(|q| q.contains("%00")) {
        return Err(AppError::bad_request(NUL_REFUSED).into());
    }
    next.call(req).await
}

/// actix-cors answers a refused preflight itself, with a plain-text 400; this gives it the
/// envelope every error carries (and so the language the request prefers).
pub async fn cors_refusal(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    use actix_web::http::header::{ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
    let preflight = req.method() == actix_web::http::Method::OPTIONS
        && req.headers().contains_key(ORIGIN)
        && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let response = next.call(req).await?.map_into_boxed_body();
    if !preflight
        || response.status() != actix_web::http::StatusCode::BAD_REQUEST
        || is_json(&response)
    {
        return Ok(response);
    }
    let (request, refused) = response.into_parts();
    let mut answer = actix_web::ResponseError::error_response(&AppError::bad_request(
        "this origin may not call the API from a browser (CORS)",
    ));
    if let Some(vary) = refused.headers().get(actix_web::http::header::VARY) {
        answer
            .headers_mut()
            .insert(actix_web::http::header::VARY, vary.clone());
    }
    Ok(ServiceResponse::new(request, answer))
}

fn is_json<B>(response: &ServiceResponse<B>) -> bool {
    response
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"))
}
