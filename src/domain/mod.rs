//! Parsed value types: once a value is one of these, it is valid ("parse, don't validate").
//! Requests carry plain strings; handlers parse them here and report every problem at once.

pub mod day;
mod day_range;
mod enums;
pub mod holidays;
mod id_number;
mod masking;
mod name;
mod phone;
pub mod rules;
mod tag;
mod task_round;
mod tenant_code;
mod username;
mod working_days;
mod zone;

pub use day_range::{end_of_day, start_of_day, DayRange, Instants, RangeProblem};
pub use enums::{
    GridKind, HouseholdKind, IssueCategory, IssueStatus, Role, TaskRepeat, VisitMethod,
};
pub use id_number::{check_char, IdNumber};
pub use masking::{mask_id_number, mask_phone};
pub use name::{clean_text, Name, MAX_NAME};
pub use phone::Phone;
pub use tag::{is_standard, parse_tag, MAX_TAG, STANDARD_TAGS};
pub use task_round::Round;
pub use tenant_code::TenantCode;
pub use username::Username;
pub use working_days::{due_days, WorkingDays};
pub use zone::{parse_zone, stored_zone, DEFAULT_ZONE};
