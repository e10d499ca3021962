//! Recording visits on Citus: the same answers as `queries::record`, in statements that Citus
//! routes whole to the township's worker.
//!
//! On one server one statement does it all (`queries::record`). Citus cannot route that
//! statement: it runs its modifying CTEs one by one through the coordinator and moves their
//! rows with COPY, which PostgreSQL refuses into tables under row-level security. Here every
//! statement names one township's rows by `tenant_id` (lock and read the households, read the
//! recorders, insert the visits and audit records as `VALUES` lists, update each household and
//! its rollup row),
//! so each goes to one worker and all of them share the request's transaction there.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::db::schema::{audit_log, users, visits};
use crate::visits::queries::{Recorded, Recorder};
use crate::visits::types::{NewVisit, Visit};

type Instant = DateTime<Utc>;

#[derive(QueryableByName)]
struct Place {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    micro_grid_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    leader_id: Option<Uuid>,
    #[diesel(sql_type = SqlUuid)]
    grid_id: Uuid,
}

/// Stores `items` (ids distinct, all of `tenant_id`); one answer per item, in order.
pub async fn record(
    conn: &AsyncPgConnection,
    tenant_id: Uuid,
    items: &[(&Recorder, &NewVisit)],
) -> QueryResult<Vec<Recorded>> {
    let mut household_ids: Vec<Uuid> = items.iter().map(|(_, v)| v.household_id).collect();
    household_ids.sort();
    household_ids.dedup();
    // Locked in id order, as the one-statement path locks them.
    let places: HashMap<Uuid, (Uuid, Option<Uuid>, Uuid)> = diesel::sql_query(
        "SELECT h.id, h.micro_grid_id, m.leader_id, m.grid_id \
         FROM households h JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
         WHERE h.tenant_id = $1 AND h.id = ANY($2) ORDER BY h.id FOR NO KEY UPDATE OF h",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .bind::<Array<SqlUuid>, _>(&household_ids)
    .load::<Place>(&mut &*conn)
    .await?
    .into_iter()
    .map(|p| (p.id, (p.micro_grid_id, p.leader_id, p.grid_id)))
    .collect();
    let recorder_ids: Vec<Uuid> = items.iter().map(|(w, _)| w.user_id).collect();
    let versions: HashMap<Uuid, i32> = users::table
        .filter(users::tenant_id.eq(tenant_id))
        .filter(users::id.eq_any(&recorder_ids))
        .filter(users::active)
        .select((users::id, users::token_version))
        .load::<(Uuid, i32)>(&mut &*conn)
        .await?
        .into_iter()
        .collect();

    let live = |who: &Recorder| versions.get(&who.user_id) == Some(&who.token_version);
    // The micro-grid of each item that may be stored: in the recorder's scope, session live.
    let in_scope: Vec<Option<Uuid>> = items
        .iter()
        .map(|(who, visit)| {
            let (micro_grid, leader, grid) = places.get(&visit.household_id)?;
            let leader_ok = who.scope.leader_key().is_none_or(|l| *leader == Some(l));
            let grid_ok = who.scope.grid_key().is_none_or(|g| *grid == g);
            (leader_ok && grid_ok).then_some(*micro_grid)
        })
        .collect();
    let rows: Vec<_> = items
        .iter()
        .zip(&in_scope)
        .filter(|((who, _), place)| place.is_some() && live(who))
        .map(|((who, v), place)| {
            (
                visits::tenant_id.eq(tenant_id),
                visits::id.eq(v.id),
                visits::household_id.eq(v.household_id),
                visits::micro_grid_id.eq(place.unwrap_or_default()),
                visits::leader_id.eq(who.user_id),
                visits::visited_at.eq(v.visited_at),
                visits::method.eq(v.method.as_str()),
                visits::summary.eq(v.summary.as_str()),
                visits::acquainted.eq(v.acquainted),
                visits::joined_group.eq(v.joined_group),
                visits::task_id.eq(v.task_id),
            )
        })
        .collect();
    let created: Vec<Visit> = if rows.is_empty() {
        Vec::new()
    } else {
        diesel::insert_into(visits::table)
            .values(rows)
            .on_conflict((visits::tenant_id, visits::id))
            .do_nothing()
            .returning(Visit::as_returning())
            .get_results(&mut &*conn)
            .await?
    };
    let created_ids: HashSet<Uuid> = created.iter().map(|v| v.id).collect();

    // The households' summary columns and the audit records, for what was stored now.
    let mut touched: HashMap<Uuid, (Option<Instant>, Option<Instant>, bool)> = HashMap::new();
    for visit in &created {
        let entry = touched.entry(visit.household_id).or_default();
        entry.0 = entry.0.max(Some(visit.visited_at));
        if visit.acquainted {
            entry.1 = Some(
                entry
                    .1
                    .map_or(visit.visited_at, |a| a.min(visit.visited_at)),
            );
        }
        entry.2 |= visit.joined_group;
    }
    let mut touched: Vec<_> = touched.into_iter().collect();
    touched.sort_by_key(|(id, _)| *id);
    for (household, (last, acquainted, joined)) in touched {
        diesel::sql_query(
            "UPDATE households SET last_visited_at = greatest(last_visited_at, $3), \
             acquainted_at = coalesce(acquainted_at, $4), in_group = in_group OR $5, \
             changed_xid = pg_current_xact_id() \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind::<SqlUuid, _>(tenant_id)
        .bind::<SqlUuid, _>(household)
        .bind::<Nullable<Timestamptz>, _>(last)
        .bind::<Nullable<Timestamptz>, _>(acquainted)
        .bind::<Bool, _>(joined)
        .execute(&mut &*conn)
        .await?;
    }
    // The statistics' rollup (docs/stats.md), one visit at a time: a day's bit in its year's
    // row and the year before's, or a repeat when the day has one already; `multi` when the
    // household has another key's row that year. The same rows as the one-statement path's
    // `rolled`.
    for visit in &created {
        diesel::sql_query(
            "INSERT INTO visit_days AS d (tenant_id, year, household_id, micro_grid_id, leader_id, \
                                         days, multi) \
             SELECT $1, e.year, $3, $4, $5, visit_day_bit(e.day), \
                    EXISTS (SELECT FROM visit_days o WHERE o.tenant_id = $1 AND o.year = e.year \
                            AND o.household_id = $3 AND (o.micro_grid_id, o.leader_id) <> ($4, $5)) \
             FROM (SELECT timezone FROM tenants WHERE id = $1) z \
             CROSS JOIN LATERAL (SELECT visit_day_year($2, z.timezone) AS year, \
                                        visit_day_index($2, z.timezone) AS day) k \
             CROSS JOIN LATERAL (VALUES (k.year, k.day), \
                                        ((k.year - 1)::smallint, (k.day + 371)::smallint)) e (year, day) \
             ON CONFLICT (tenant_id, year, household_id, micro_grid_id, leader_id) DO UPDATE \
             SET days = d.days | EXCLUDED.days, \
                 repeats = CASE WHEN bit_count(d.days & EXCLUDED.days) = 0 THEN d.repeats \
                                ELSE d.repeats || visit_day_list(d.days & EXCLUDED.days) END, \
                 multi = d.multi OR EXCLUDED.multi",
        )
        .bind::<SqlUuid, _>(tenant_id)
        .bind::<Timestamptz, _>(visit.visited_at)
        .bind::<SqlUuid, _>(visit.household_id)
        .bind::<SqlUuid, _>(visit.micro_grid_id)
        .bind::<SqlUuid, _>(visit.leader_id)
        .execute(&mut &*conn)
        .await?;
    }
    let audits: Vec<_> = items
        .iter()
        .filter(|(_, v)| created_ids.contains(&v.id))
        .map(|(who, v)| {
            (
                audit_log::tenant_id.eq(tenant_id),
                audit_log::id.eq(Uuid::now_v7()),
                audit_log::actor_id.eq(Some(who.user_id)),
                audit_log::action.eq(AuditAction::VisitCreate),
                audit_log::entity.eq("visit"),
                audit_log::entity_id.eq(Some(v.id)),
                audit_log::ip.eq(who.ip.as_deref()),
                audit_log::detail.eq(Some(serde_json::json!({"household_id": v.household_id}))),
            )
        })
        .collect();
    if !audits.is_empty() {
        diesel::insert_into(audit_log::table)
            .values(audits)
            .execute(&mut &*conn)
            .await?;
    }

    let ids: Vec<Uuid> = items.iter().map(|(_, v)| v.id).collect();
    let mut stored: HashMap<Uuid, Visit> = if created_ids.len() == ids.len() {
        HashMap::new()
    } else {
        visits::table
            .filter(visits::tenant_id.eq(tenant_id))
            .filter(visits::id.eq_any(&ids))
            .select(Visit::as_select())
            .load::<Visit>(&mut &*conn)
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect()
    };
    let mut created: HashMap<Uuid, Visit> = created.into_iter().map(|v| (v.id, v)).collect();
    Ok(items
        .iter()
        .zip(in_scope)
        .map(|((who, v), place)| {
            if !live(who) {
                Recorded::SessionEnded
            } else if let Some(visit) = created.remove(&v.id) {
                Recorded::Created(visit)
            } else if let Some(visit) = stored.remove(&v.id) {
                Recorded::Existing {
                    visit,
                    in_scope: place.is_some(),
                }
            } else if place.is_some() {
                Recorded::InFlight
            } else {
                Recorded::OutOfScope
            }
        })
        .collect())
}
