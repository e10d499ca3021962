//! The one error type of the service and its JSON envelope (see `api.md`, "Errors").
//!
//! Handlers return `Result<_, AppError>`. Internal causes are logged here and never sent to
//! the client: the client gets the status, a stable code and a readable message.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::RangeProblem;

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

impl From<DieselError> for AppError {
    fn from(error: DieselError) -> Self {
        match DbFailure::of(&error) {
            DbFailure::NotFound => AppError::NotFound,
            DbFailure::UniqueKey(constraint) => {
                tracing::debug!(?constraint, "unique violation");
                AppError::conflict(unique_key_message(constraint))
            }
            DbFailure::Unavailable => AppError::Unavailable,
            DbFailure::Nul => AppError::bad_request(NUL_REFUSED),
            DbFailure::Retry | DbFailure::Other => AppError::internal(error),
        }
    }
}

impl From<RangeProblem> for AppError {
    fn from(range: RangeProblem) -> Self {
        AppError::invalid(range.field, range.problem)
    }
}

/// What the client is told of a NUL character, wherever it is found (`http`, or here).
pub const NUL_REFUSED: &str = "text must not contain NUL (\\u0000) characters";

/// What a database error means for the request.
///
/// Told apart by the SQLSTATE, through the `DatabaseErrorKind` diesel maps it to, and by the
/// constraint a violation names; never by the message where diesel gives a kind, since the
/// message is in the server's language. diesel (2.3) maps only the constraint violations,
/// serialization failures and a lost socket, and does not hand out the SQLSTATE of the others
/// (`Unknown`). Those few are recognised by PostgreSQL's message, which every session of the
/// service receives in English whatever the server's `lc_messages` (`db::pool` sets it), and
/// which `unmapped_state` names by the SQLSTATE each stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFailure<'a> {
    NotFound,
    /// 23505: a unique key holds the value already (its constraint, when PostgreSQL names it).
    UniqueKey(Option<&'a str>),
    /// No socket (closed, unreachable), 08xxx, 53300, 57014 (statement timeout), 57P01–03
    /// (shutting down, crashed, starting up), or a transaction left broken by one of them.
    Unavailable,
    /// 40001 or 40P01: a serialization failure or a deadlock; run the transaction again.
    Retry,
    /// 22021 or 22P05: text with U+0000, which PostgreSQL's text cannot hold.
    Nul,
    /// Anything else is a bug.
    Other,
}

impl DbFailure<'_> {
    pub fn of(error: &DieselError) -> DbFailure<'_> {
        let (kind, info) = match error {
            DieselError::NotFound => return DbFailure::NotFound,
            DieselError::BrokenTransactionManager => return DbFailure::Unavailable,
            DieselError::DatabaseError(kind, info) => (kind, info),
            _ => return DbFailure::Other,
        };
        match kind {
            DatabaseErrorKind::UniqueViolation => DbFailure::UniqueKey(info.constraint_name()),
            DatabaseErrorKind::SerializationFailure => DbFailure::Retry,
            // No SQLSTATE at all: the socket failed (PostgreSQL stopped or the network broke).
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                DbFailure::Unavailable
            }
            DatabaseErrorKind::Unknown => match unmapped_state(info.message()) {
                Some("40P01") => DbFailure::Retry,
                Some("22021" | "22P05") => DbFailure::Nul,
                Some(_) => DbFailure::Unavailable,
                None => DbFailure::Other,
            },
            _ => DbFailure::Other,
        }
    }
}

/// The SQLSTATE behind one of PostgreSQL's English messages, for the states diesel does not
/// map to a kind and the service must answer other than with a 500.
fn unmapped_state(message: &str) -> Option<&'static str> {
    // In order: the first that the message contains. The last ones are the families' common
    // words (`terminating connection due to …`, `canceling statement due to … timeout`).
    const STATES: &[(&str, &str)] = &[
        ("deadlock detected", "40P01"),
        ("invalid byte sequence for encoding", "22021"),
        ("unsupported unicode escape sequence", "22P05"),
        ("too many clients", "53300"),
        ("connection slots are reserved", "53300"),
        ("starting up", "57P03"),
        ("shutting down", "57P03"),
        ("not yet accepting", "57P03"),
        ("recovery mode", "57P03"),
        ("terminating", "57P01"),
        ("timeout", "57014"),
        ("timed out", "57014"),
        ("connection", "08000"),
    ];
    let message = message.to_ascii_lowercase();
    STATES
        .iter()
        .find(|(text, _)| message.contains(text))
        .map(|(_, state)| *state)
}

/// The unique keys a request can run into, by constraint name, and what the client is told
/// of each; any other key is "a record with the same key exists already".
const UNIQUE_KEYS: &[(&str, &str)] = &[
    ("tenants_code_key", "this township code is taken"),
    (
        "users_tenant_id_username_key",
        "this username is taken in the township",
    ),
];

fn unique_key_message(constraint: Option<&str>) -> &'static str {
    constraint
        .and_then(|name| {
            UNIQUE_KEYS.iter().find(|(key, _)| {
                // On Citus a shard's constraint carries the shard's number: `…_key_102008`.
                name == *key
                    || name.strip_prefix(key).is_some_and(|rest| {
                        rest.strip_prefix('_')
                            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    })
            })
        })
        .map_or(
            "a record with the same key exists already",
            |(_, message)| message,
        )
}

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
    use super::*;

    fn db_error(kind: DatabaseErrorKind, message: &str) -> AppError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned())).into()
    }

    #[test]
    fn a_lost_or_unready_database_is_503_not_500() {
        for (kind, message) in [
            (DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            (
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection",
            ),
            (
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            (
                DatabaseErrorKind::Unknown,
                "the database system is starting up",
            ),
            (
                DatabaseErrorKind::Unknown,
                "canceling statement due to statement timeout",
            ),
        ] {
            let error = db_error(kind, message);
            assert!(
                matches!(error, AppError::Unavailable),
                "{message}: {error:?}"
            );
        }
    }

    #[test]
    fn a_nul_character_in_text_is_a_bad_request() {
        let error = db_error(
            DatabaseErrorKind::Unknown,
            "invalid byte sequence for encoding \"UTF8\": 0x00",
        );
        assert!(matches!(error, AppError::BadRequest(_)), "{error:?}");
    }

    #[test]
    fn a_unique_violation_is_a_conflict_and_other_errors_stay_internal() {
        assert!(matches!(
            db_error(DatabaseErrorKind::UniqueViolation, "duplicate key"),
            AppError::Conflict(_)
        ));
        assert!(matches!(
            db_error(DatabaseErrorKind::Unknown, "syntax error at or near"),
            AppError::Internal(_)
        ));
    }

    /// A violation as PostgreSQL reports it: the constraint is named whatever the language.
    struct Violation(&'static str);

    impl diesel::result::DatabaseErrorInformation for Violation {
        fn message(&self) -> &str {
            "重复键违反唯一约束"
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            Some(self.0)
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    #[test]
    fn a_unique_key_is_told_by_its_constraint_not_by_the_message() {
        let answer_to = |constraint| {
            let error = DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                Box::new(Violation(constraint)),
            );
            match AppError::from(error) {
                AppError::Conflict(message) => message,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(answer_to("tenants_code_key"), "this township code is taken");
        assert_eq!(
            answer_to("users_tenant_id_username_key"),
            "this username is taken in the township"
        );
        // A Citus shard's copy of the constraint.
        assert_eq!(
            answer_to("users_tenant_id_username_key_102008"),
            "this username is taken in the township"
        );
        assert_eq!(
            answer_to("users_tenant_id_username_key_extra"),
            "a record with the same key exists already"
        );
        assert_eq!(
            answer_to("grids_tenant_id_name_key"),
            "a record with the same key exists already"
        );
    }

    #[test]
    fn the_kinds_diesel_maps_need_no_message() {
        for (kind, failure) in [
            (DatabaseErrorKind::SerializationFailure, DbFailure::Retry),
            (DatabaseErrorKind::ClosedConnection, DbFailure::Unavailable),
            (
                DatabaseErrorKind::UnableToSendCommand,
                DbFailure::Unavailable,
            ),
            (DatabaseErrorKind::ForeignKeyViolation, DbFailure::Other),
            (DatabaseErrorKind::CheckViolation, DbFailure::Other),
        ] {
            // Whatever the message says, in whatever language.
            let error =
                DieselError::DatabaseError(kind, Box::new("死锁 deadlock detected".to_owned()));
            assert_eq!(DbFailure::of(&error), failure, "{kind:?}");
        }
        assert_eq!(DbFailure::of(&DieselError::NotFound), DbFailure::NotFound);
    }

    #[test]
    fn a_deadlock_is_retried() {
        let error = DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("deadlock detected".to_owned()),
        );
        assert_eq!(DbFailure::of(&error), DbFailure::Retry);
    }
}
