//! The parsers of this module as `validator` rules, for request bodies that declare their
//! fields' rules (`#[validate(custom(function = "rules::name"))]`). The rule and the parser
//! are the same code: a body that passes its rules parses, and the handler keeps the parsed
//! value.

use std::borrow::Cow;

use validator::ValidationError;

use super::{parse_zone, Name, Phone, Role, TenantCode, Username};

/// A field problem in the words the 422 envelope sends (and `i18n` translates).
pub fn problem(message: impl Into<Cow<'static, str>>) -> ValidationError {
    ValidationError::new("invalid").with_message(message.into())
}

fn rule<T, E: Into<Cow<'static, str>>>(parsed: Result<T, E>) -> Result<(), ValidationError> {
    parsed.map(drop).map_err(problem)
}

pub fn name(value: &str) -> Result<(), ValidationError> {
    rule(Name::parse(value))
}

pub fn username(value: &str) -> Result<(), ValidationError> {
    rule(Username::parse(value))
}

pub fn tenant_code(value: &str) -> Result<(), ValidationError> {
    rule(TenantCode::parse(value.trim()))
}

pub fn zone(value: &str) -> Result<(), ValidationError> {
    rule(parse_zone(value))
}

pub fn phone(value: &str) -> Result<(), ValidationError> {
    rule(Phone::parse(value))
}

/// A township's staff role: a platform admin is not one.
pub fn staff_role(value: &str) -> Result<(), ValidationError> {
    rule(parse_staff_role(value))
}

pub fn parse_staff_role(value: &str) -> Result<Role, &'static str> {
    match value.parse::<Role>() {
        Ok(Role::PlatformAdmin) | Err(_) => {
            Err("must be one of: tenant_admin, supervisor, leader, handler")
        }
        Ok(role) => Ok(role),
    }
}

/// Text that PostgreSQL can store: no NUL character. A request's JSON is refused whole for
/// one (`http::Json`, 400); this is for the items of a batch, each answered alone.
pub fn no_nul(value: &str) -> Result<(), ValidationError> {
    if value.contains('\0') {
        return Err(problem("must not contain NUL characters"));
    }
    Ok(())
}
