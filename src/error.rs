//! The one error type of the service and its JSON envelope (see `api.md`, "Errors").
//!
//! Handlers return `Result<_, AppError>`. Internal causes are logged here and never sent to
//! the client: the client gets the status, a stable code and a readable message.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::RangeProblem;

mod database;

pub use database::DbFailure;

/// Field name → its problems, as sent with 422.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400 `bad_request`: malformed JSON, wrong types, unknown fields or query values.
    #[error("{0}")]
    BadRequest(String),
    /// 401 `unauthenticated`: missing, malformed, tampered or expired token; wrong login.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// 403 `forbidden`: the caller's role may not do this.
    #[error("your role may not do this")]
    Forbidden,
    /// 404 `not_found`: nothing of that id in the caller's tenant and scope.
    #[error("not found")]
    NotFound,
    /// 405 `method_not_allowed`: the path exists, not with this method (`Allow` lists those
    /// it has).
    #[error("this path does not take that method")]
    MethodNotAllowed,
    /// 409 `conflict`: duplicate key, conflicting visit, illegal issue transition.
    #[error("{0}")]
    Conflict(String),
    /// 413 `payload_too_large`.
    #[error("the request body is too large (limit {0})")]
    PayloadTooLarge(&'static str),
    /// 422 `validation_failed`, with the problems of each field.
    #[error("some values are not valid")]
    Validation(FieldErrors),
    /// 429 `rate_limited`, with `Retry-After` in seconds.
    #[error("too many attempts; try again in {0} seconds")]
    RateLimited(u64),
    /// 503 `unavailable`: the database cannot be reached.
    #[error("the service is temporarily unavailable")]
    Unavailable,
    /// 500 `internal`: a bug. The cause is logged, not sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// The JSON body of every non-2xx response.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// `message` and the `fields` problems are in the language the request's `Accept-Language`
/// prefers: Chinese (`zh`…) or English (the default). `code` never changes.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// One of bad_request, unauthenticated, forbidden, not_found, conflict,
    /// payload_too_large, validation_failed, rate_limited, unavailable, internal.
    pub code: Cow<'static, str>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldErrors>,
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict(message.into())
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(cause.into())
    }

    /// A 422 with one field's problem.
    pub fn invalid(field: &str, problem: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_owned(), vec![problem.into()]);
        AppError::Validation(fields)
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Conflict(_) => "conflict",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Validation(_) => "validation_failed",
            AppError::RateLimited(_) => "rate_limited",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: Cow::Borrowed(self.code()),
                message: self.to_string(),
                fields: match self {
                    AppError::Validation(fields) => Some(fields.clone()),
                    _ => None,
                },
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            AppError::Unavailable => tracing::warn!("database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            AppError::RateLimited(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            // RFC 6750: say which scheme is wanted.
            AppError::Unauthenticated(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        response.json(self.body())
    }
}

impl From<RangeProblem> for AppError {
    fn from(range: RangeProblem) -> Self {
        AppError::invalid(range.field, range.problem)
    }
}

/// What the client is told of a NUL character, wherever it is found (`http`, or here).
pub const NUL_REFUSED: &str = "text must not contain NUL (\\u0000) characters";

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        tracing::warn!(%error, "no database connection");
        AppError::Unavailable
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut problems = Problems::new();
        problems.add_validation("", &errors);
        AppError::Validation(problems.0)
    }
}

/// A value that passed its body's declared rules, parsed: it cannot fail, so a failure is a
/// bug (a rule and its parser disagree), not the client's.
pub fn checked<T, E: std::fmt::Display>(parsed: Result<T, E>) -> AppResult<T> {
    parsed.map_err(|e| AppError::internal(anyhow::anyhow!("a checked value did not parse: {e}")))
}

/// Collects field problems so one 422 names every bad field, not just the first.
#[derive(Default)]
pub struct Problems(FieldErrors);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    /// The problems of `body`'s declared field rules (`#[validate(…)]`), to which a handler
    /// adds those a rule cannot see (the database, another field's value). A nested body's
    /// fields are named by their path, `admin.username`.
    pub fn validated(body: &impl validator::Validate) -> Self {
        let mut problems = Problems::new();
        if let Err(errors) = body.validate() {
            problems.add_validation("", &errors);
        }
        problems
    }

    fn add_validation(&mut self, path: &str, errors: &validator::ValidationErrors) {
        use validator::ValidationErrorsKind;
        for (field, kind) in errors.errors() {
            let field = match path {
                "" => field.to_string(),
                path => format!("{path}.{field}"),
            };
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for problem in list {
                        // Every rule of ours says its problem; the code is a fallback.
                        let text = problem.message.as_ref().unwrap_or(&problem.code);
                        self.add(&field, text.to_string());
                    }
                }
                ValidationErrorsKind::Struct(inner) => self.add_validation(&field, inner),
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        self.add_validation(&format!("{field}[{i}]"), inner);
                    }
                }
            }
        }
    }

    /// Whether `field` has a problem already.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(problem.into());
    }

    /// Keeps the parsed value, or records its problem under `field`.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(problem) => {
                self.add(field, problem.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_fields(self) -> FieldErrors {
        self.0
    }

    /// `Ok(())` when nothing was recorded, else the 422.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

impl ErrorDetail {
    /// The message and any field problems on one line, for the command line.
    pub fn message_with_fields(&self) -> String {
        match &self.fields {
            None => self.message.clone(),
            Some(fields) => {
                let problems: Vec<String> = fields
                    .iter()
                    .map(|(field, problems)| format!("{field}: {}", problems.join(", ")))
                    .collect();
                format!("{} ({})", self.message, problems.join("; "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use validator::Validate;

    use super::*;

    #[derive(Validate)]
    struct Admin {
        #[validate(length(min = 1, message = "must not be empty"))]
        username: String,
    }

    #[derive(Validate)]
    struct Township {
        #[validate(range(min = 1, max = 365, message = "must be between 1 and 365"))]
        days: i32,
        #[validate(nested)]
        admin: Admin,
    }

    #[test]
    fn declared_rules_name_nested_fields_by_their_path() {
        let body = Township {
            days: 0,
            admin: Admin {
                username: String::new(),
            },
        };
        let mut problems = Problems::validated(&body);
        assert!(problems.has("admin.username") && problems.has("days"));
        problems.add("days", "must not be null");
        let fields = problems.into_fields();
        assert_eq!(fields["admin.username"], ["must not be empty"]);
        assert_eq!(
            fields["days"],
            ["must be between 1 and 365", "must not be null"]
        );
    }
}
