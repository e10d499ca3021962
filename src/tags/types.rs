use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A tag of the township: standard or in use on a household, and its own visit interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    #[schema(example = "独居老人")]
    pub tag: String,
    /// One of the standard priority groups (独居老人, 空巢老人, 残疾人, 低保户, 特困人员,
    /// 留守儿童, 重病患者, 退役军人).
    pub standard: bool,
    /// Households with this tag are due when not visited within this many days (or the
    /// township's interval, if smaller); null: the township's interval.
    #[schema(example = 3)]
    pub visit_interval_days: Option<i32>,
}

/// `PUT /tags/{tag}`: the tag's own visit interval, or null to follow the township's.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SetInterval {
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365"))]
    #[schema(example = 3)]
    pub visit_interval_days: Option<i32>,
}
