use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::Tag;
use crate::db::schema::{households, tag_intervals};
use crate::domain::{is_standard, STANDARD_TAGS};
use crate::error::AppResult;

/// The standard tags in their order, then every other tag in use or with an interval, by name.
pub async fn list(conn: &mut AsyncPgConnection, tenant: Uuid) -> AppResult<Vec<Tag>> {
    let intervals: Vec<(String, i32)> = tag_intervals::table
        .filter(tag_intervals::tenant_id.eq(tenant))
        .select((tag_intervals::tag, tag_intervals::visit_interval_days))
        .load(conn)
        .await?;
    let in_use: Vec<String> = households::table
        .filter(households::tenant_id.eq(tenant))
        .select(diesel::dsl::sql::<diesel::sql_types::Text>("unnest(tags)"))
        .distinct()
        .load(conn)
        .await?;
    let intervals: BTreeMap<String, i32> = intervals.into_iter().collect();
    let mut others: Vec<String> = in_use
        .into_iter()
        .chain(intervals.keys().cloned())
        .filter(|t| !is_standard(t))
        .collect();
    others.sort();
    others.dedup();
    let tag = |name: String| Tag {
        standard: is_standard(&name),
        visit_interval_days: intervals.get(&name).copied(),
        tag: name,
    };
    Ok(STANDARD_TAGS
        .iter()
        .map(|t| (*t).to_owned())
        .chain(others)
        .map(tag)
        .collect())
}

/// Gives `tag` its own interval, or (None) lets it follow the township's again.
pub async fn set_interval(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    tag: &str,
    days: Option<i32>,
) -> AppResult<()> {
    match days {
        Some(days) => {
            diesel::insert_into(tag_intervals::table)
                .values((
                    tag_intervals::tenant_id.eq(tenant),
                    tag_intervals::tag.eq(tag),
                    tag_intervals::visit_interval_days.eq(days),
                ))
                .on_conflict((tag_intervals::tenant_id, tag_intervals::tag))
                .do_update()
                .set(
                    tag_intervals::visit_interval_days
                        .eq(excluded(tag_intervals::visit_interval_days)),
                )
                .execute(conn)
                .await?;
        }
        None => {
            diesel::delete(
                tag_intervals::table
                    .filter(tag_intervals::tenant_id.eq(tenant))
                    .filter(tag_intervals::tag.eq(tag)),
            )
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// The tags with their own interval, for the due lists.
pub async fn intervals(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
) -> AppResult<Vec<(String, i32)>> {
    Ok(tag_intervals::table
        .filter(tag_intervals::tenant_id.eq(tenant))
        .order(tag_intervals::tag)
        .select((tag_intervals::tag, tag_intervals::visit_interval_days))
        .load(conn)
        .await?)
}
