//! Parsed value types: once a value is one of these, it is valid ("parse, don't validate").
//! Requests carry plain strings; handlers parse them here and report every problem at once.

pub mod day;
mod day_range;
mod enums;
mod id_number;
mod masking;
mod phone;
mod tenant_code;

pub use day_range::{start_of_day, DayRange, Instants, DEFAULT_ZONE};
pub use enums::{GridKind, HouseholdKind, IssueCategory, IssueStatus, Role, VisitMethod};
pub use id_number::{check_char, IdNumber};
pub use masking::{mask_id_number, mask_phone};
pub use phone::Phone;
pub use tenant_code::TenantCode;
