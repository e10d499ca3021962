//! The visits' SQL. Recording is the hot write path, so it is one statement for one visit
//! or a whole batch: scope check, insert, household update and audit records together.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::auth::Scope;
use crate::db::prepared::{unknown_placeholder, Prepared, Statement};
use crate::db::schema::{task_households, visits};
use crate::domain::{Instants, VisitMethod};
use crate::error::AppResult;
use crate::http::Page;
use crate::scope_sql;
use crate::visits::types::{NewVisit, Visit, VisitFilter};

/// What the database did with one visit of a `record` call.
#[derive(Debug)]
pub enum Recorded {
    /// Stored now.
    Created(Visit),
    /// The id was stored before (by an earlier request): compare to decide 200 or 409.
    /// `in_scope`: whether the household sent is one the caller may record for.
    Existing { visit: Visit, in_scope: bool },
    /// Neither: the household is not in the caller's tenant and scope.
    OutOfScope,
    /// The id is being stored by a concurrent request not yet visible: ask again.
    InFlight,
    /// The recorder's session has ended (deactivated, or a new token version): nothing of
    /// theirs was stored.
    SessionEnded,
}

/// One statement, whatever the number of visits and recorders (of one tenant):
/// - `scoped` finds each household in its recorder's scope, while that session is live,
///   and locks the rows (in id order, so
///   concurrent batches over the same households queue instead of deadlocking);
/// - `ins` stores the visits, skipping ids stored already (the primary key decides, so two
///   racing copies of one visit store one row);
/// - the household update, the statistics' rollup (`visit_days`) and the audit records
///   follow only what `ins` stored;
/// - the result lists every input with the row stored now or before.
///
/// A row stored by a concurrent transaction that committed after this statement began is in
/// neither `ins` nor `visits` as this statement sees them: that item comes back `InFlight`.
///
/// On Citus the statement is not routed whole to the township's worker: Citus runs the
/// modifying CTEs one after another (each sees what the previous stored). Two clauses keep it
/// correct there and change nothing on one server: `input` is `NOT MATERIALIZED` (a
/// materialized table-less CTE fails in Citus 13.2: `invalid input syntax … "PGCOPY"`), and
/// the "stored before" branch leaves out what `ins` stored now (a single statement's snapshot
/// never sees those rows anyway).
///
/// Two openings share the rest: a batch unnests arrays; a single visit binds scalars, whose
/// plan PostgreSQL can cache and reuse (an array's length is unknown to a cached plan).
/// Every item carries its recorder, so that single visits of many phones can share one
/// statement and one commit (`visits::writer`).
const RECORD_MANY: &str = concat!(
    r#"
WITH input AS NOT MATERIALIZED (
    SELECT * FROM unnest($ids::uuid[], $households::uuid[], $visited_at::timestamptz[],
                         $methods::text[], $summaries::text[], $acquainted::bool[],
                         $joined_group::bool[], $audit_ids::uuid[], $ords::int4[],
                         $recorders::uuid[], $token_versions::int4[], $leader_scopes::uuid[],
                         $grid_scopes::uuid[], $ips::text[], $task_ids::uuid[])
        AS t(id, household_id, visited_at, method, summary, acquainted, joined_group, audit_id,
             ord, recorder, token_version, leader_scope, grid_scope, ip, task_id)
),"#,
    record_rest!()
);

const RECORD_ONE: &str = concat!(
    r#"
WITH input AS NOT MATERIALIZED (
    SELECT $id::uuid AS id, $household::uuid AS household_id,
           $one_visited_at::timestamptz AS visited_at, $method::text AS method,
           $summary::text AS summary, $one_acquainted::bool AS acquainted,
           $one_joined_group::bool AS joined_group, $audit_id::uuid AS audit_id, 0 AS ord,
           $recorder::uuid AS recorder, $token_version::int4 AS token_version,
           $leader_scope::uuid AS leader_scope, $grid_scope::uuid AS grid_scope, $ip::text AS ip,
           $task_id::uuid AS task_id
),"#,
    record_rest!()
);

macro_rules! record_rest {
    () => {
        concat!(
        r#"
scoped AS (
    SELECT i.ord, h.micro_grid_id
    FROM input i
    JOIN households h ON h.tenant_id = $tenant AND h.id = i.household_id
    JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id
    WHERE "#,
        scope_sql!("m", "i.leader_scope", "i.grid_scope"),
        r#"
      -- The recorder's session is live (active, same token version): the single-visit path
      -- sends this statement without a session check of its own.
      AND EXISTS (SELECT FROM users u WHERE u.tenant_id = $tenant AND u.id = i.recorder
                  AND u.active AND u.token_version = i.token_version)
    ORDER BY h.id
    FOR NO KEY UPDATE OF h
),
ins AS (
    INSERT INTO visits (tenant_id, id, household_id, micro_grid_id, leader_id, visited_at,
                        method, summary, acquainted, joined_group, task_id)
    SELECT $tenant, i.id, i.household_id, s.micro_grid_id, i.recorder, i.visited_at,
           i.method, i.summary, i.acquainted, i.joined_group, i.task_id
    FROM input i JOIN scoped s ON s.ord = i.ord
    ORDER BY i.id
    ON CONFLICT (tenant_id, id) DO NOTHING
    RETURNING id, household_id, micro_grid_id, leader_id, visited_at, method, summary,
              acquainted, joined_group, created_at, task_id
),
touched AS (
    SELECT household_id,
           max(visited_at) AS last_visited_at,
           min(visited_at) FILTER (WHERE acquainted) AS acquainted_at,
           bool_or(joined_group) AS joined_group
    FROM ins GROUP BY household_id
),
household_update AS (
    UPDATE households h
    SET last_visited_at = greatest(h.last_visited_at, t.last_visited_at),
        acquainted_at = coalesce(h.acquainted_at, t.acquainted_at),
        in_group = h.in_group OR t.joined_group,
        changed_xid = pg_current_xact_id()
    FROM touched t
    WHERE h.tenant_id = $tenant AND h.id = t.household_id
),
rolled AS (
    -- The statistics' visit rollup (docs/stats.md): each stored visit sets its local day's
    -- bit in its year's row and in the year before's (a row holds two years), or adds a
    -- repeat when the day has one already. Only what `ins` stored counts, so a replay changes
    -- nothing; the households were locked above, so writers of one household's rows queue
    -- there and never deadlock here. A row made for a household that has another micro-grid's
    -- or recorder's row that year (before, or in this statement) is `multi`: the statistics
    -- merge only such households' rows.
    INSERT INTO visit_days AS d (tenant_id, year, household_id, micro_grid_id, leader_id,
                                 days, repeats, multi)
    SELECT $tenant, g.year, g.household_id, g.micro_grid_id, g.leader_id, g.days, g.repeats,
           count(*) OVER (PARTITION BY g.year, g.household_id) > 1
           OR EXISTS (SELECT FROM visit_days o
                      WHERE o.tenant_id = $tenant AND o.year = g.year
                        AND o.household_id = g.household_id
                        AND (o.micro_grid_id, o.leader_id) <> (g.micro_grid_id, g.leader_id))
    FROM (SELECT e.year, n.household_id, n.micro_grid_id, n.leader_id,
                 bit_or(visit_day_bit(e.day)) AS days,
                 CASE WHEN count(*) > 1 THEN visit_day_repeats(array_agg(e.day)) END AS repeats
          FROM ins n
          CROSS JOIN (SELECT timezone FROM tenants WHERE id = $tenant) z
          CROSS JOIN LATERAL (SELECT visit_day_year(n.visited_at, z.timezone) AS year,
                                     visit_day_index(n.visited_at, z.timezone) AS day) k
          CROSS JOIN LATERAL (VALUES (k.year, k.day),
                                     ((k.year - 1)::smallint, (k.day + 371)::smallint)) e (year, day)
          GROUP BY e.year, n.household_id, n.micro_grid_id, n.leader_id) g
    ON CONFLICT (tenant_id, year, household_id, micro_grid_id, leader_id) DO UPDATE
    SET days = d.days | EXCLUDED.days,
        repeats = CASE WHEN bit_count(d.days & EXCLUDED.days) = 0
                       THEN d.repeats || EXCLUDED.repeats
                       ELSE d.repeats || EXCLUDED.repeats || visit_day_list(d.days & EXCLUDED.days)
                  END,
        multi = d.multi OR EXCLUDED.multi
),
audit AS (
    INSERT INTO audit_log (tenant_id, id, actor_id, action, entity, entity_id, ip, detail)
    SELECT $tenant, i.audit_id, i.recorder, $action, 'visit', n.id, i.ip,
           jsonb_build_object('household_id', n.household_id)
    FROM ins n JOIN input i ON i.id = n.id
)
SELECT i.ord, s.ord IS NOT NULL AS in_scope,
       EXISTS (SELECT FROM users u WHERE u.tenant_id = $tenant AND u.id = i.recorder
               AND u.active AND u.token_version = i.token_version) AS live,
       r.created, r.id, r.household_id, r.micro_grid_id,
       r.leader_id, r.visited_at, r.method, r.summary, r.acquainted, r.joined_group, r.created_at,
       r.task_id
FROM input i
LEFT JOIN scoped s ON s.ord = i.ord
LEFT JOIN (
    SELECT true AS created, n.* FROM ins n
    UNION ALL
    SELECT false, v.id, v.household_id, v.micro_grid_id, v.leader_id, v.visited_at, v.method,
           v.summary, v.acquainted, v.joined_group, v.created_at, v.task_id
    FROM visits v WHERE v.tenant_id = $tenant AND v.id IN (SELECT id FROM input)
      AND v.id NOT IN (SELECT id FROM ins)
) r ON r.id = i.id
ORDER BY i.ord
"#
        )
    };
}
use record_rest;

#[derive(QueryableByName)]
struct RecordRow {
    #[diesel(sql_type = Integer)]
    ord: i32,
    #[diesel(sql_type = Bool)]
    in_scope: bool,
    #[diesel(sql_type = Bool)]
    live: bool,
    #[diesel(sql_type = Nullable<Bool>)]
    created: Option<bool>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    household_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    micro_grid_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    leader_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    visited_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    method: Option<VisitMethod>,
    #[diesel(sql_type = Nullable<Text>)]
    summary: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    acquainted: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    joined_group: Option<bool>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    task_id: Option<Uuid>,
}

impl RecordRow {
    fn into_recorded(self) -> Recorded {
        if !self.live {
            return Recorded::SessionEnded;
        }
        let visit = (|| {
            Some(Visit {
                id: self.id?,
                household_id: self.household_id?,
                micro_grid_id: self.micro_grid_id?,
                leader_id: self.leader_id?,
                visited_at: self.visited_at?,
                method: self.method?,
                summary: self.summary?,
                acquainted: self.acquainted?,
                joined_group: self.joined_group?,
                created_at: self.created_at?,
                task_id: self.task_id,
            })
        })();
        match (self.created, visit) {
            (Some(true), Some(visit)) => Recorded::Created(visit),
            (Some(false), Some(visit)) => Recorded::Existing {
                visit,
                in_scope: self.in_scope,
            },
            _ if self.in_scope => Recorded::InFlight,
            _ => Recorded::OutOfScope,
        }
    }
}

/// Who records, for whom, from where.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    /// The token's version: nothing is stored unless it is still the user's.
    pub token_version: i32,
    pub scope: Scope,
    pub ip: Option<String>,
}

/// The columns of a `record` call, bound by name into `RECORD_MANY` (or `RECORD_ONE`).
struct RecordVisits<'a> {
    tenant_id: Uuid,
    recorders: Vec<Uuid>,
    token_versions: Vec<i32>,
    leader_scopes: Vec<Option<Uuid>>,
    grid_scopes: Vec<Option<Uuid>>,
    ips: Vec<Option<&'a str>>,
    ids: Vec<Uuid>,
    households: Vec<Uuid>,
    visited_at: Vec<DateTime<Utc>>,
    methods: Vec<&'a str>,
    summaries: Vec<&'a str>,
    acquainted: Vec<bool>,
    joined_group: Vec<bool>,
    audit_ids: Vec<Uuid>,
    ords: Vec<i32>,
    task_ids: Vec<Option<Uuid>>,
}

impl Prepared for RecordVisits<'_> {
    type Id = RecordVisits<'static>;
    const SQL: &'static str = RECORD_MANY;

    fn bind<'b>(&'b self, name: &str, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match name {
            // The scalars of `RecordOne`: the first (only) visit.
            "id" => out.push_bind_param::<SqlUuid, _>(&self.ids[0]),
            "household" => out.push_bind_param::<SqlUuid, _>(&self.households[0]),
            "one_visited_at" => out.push_bind_param::<Timestamptz, _>(&self.visited_at[0]),
            "method" => out.push_bind_param::<Text, _>(&self.methods[0]),
            "summary" => out.push_bind_param::<Text, _>(&self.summaries[0]),
            "one_acquainted" => out.push_bind_param::<Bool, _>(&self.acquainted[0]),
            "one_joined_group" => out.push_bind_param::<Bool, _>(&self.joined_group[0]),
            "audit_id" => out.push_bind_param::<SqlUuid, _>(&self.audit_ids[0]),
            "recorder" => out.push_bind_param::<SqlUuid, _>(&self.recorders[0]),
            "token_version" => out.push_bind_param::<Integer, _>(&self.token_versions[0]),
            "leader_scope" => out.push_bind_param::<Nullable<SqlUuid>, _>(&self.leader_scopes[0]),
            "grid_scope" => out.push_bind_param::<Nullable<SqlUuid>, _>(&self.grid_scopes[0]),
            "ip" => out.push_bind_param::<Nullable<Text>, _>(&self.ips[0]),
            "task_id" => out.push_bind_param::<Nullable<SqlUuid>, _>(&self.task_ids[0]),
            "tenant" => out.push_bind_param::<SqlUuid, _>(&self.tenant_id),
            "recorders" => out.push_bind_param::<Array<SqlUuid>, _>(&self.recorders),
            "token_versions" => out.push_bind_param::<Array<Integer>, _>(&self.token_versions),
            "leader_scopes" => {
                out.push_bind_param::<Array<Nullable<SqlUuid>>, _>(&self.leader_scopes)
            }
            "grid_scopes" => out.push_bind_param::<Array<Nullable<SqlUuid>>, _>(&self.grid_scopes),
            "ips" => out.push_bind_param::<Array<Nullable<Text>>, _>(&self.ips),
            "ids" => out.push_bind_param::<Array<SqlUuid>, _>(&self.ids),
            "households" => out.push_bind_param::<Array<SqlUuid>, _>(&self.households),
            "visited_at" => out.push_bind_param::<Array<Timestamptz>, _>(&self.visited_at),
            "methods" => out.push_bind_param::<Array<Text>, _>(&self.methods),
            "summaries" => out.push_bind_param::<Array<Text>, _>(&self.summaries),
            "acquainted" => out.push_bind_param::<Array<Bool>, _>(&self.acquainted),
            "joined_group" => out.push_bind_param::<Array<Bool>, _>(&self.joined_group),
            "audit_ids" => out.push_bind_param::<Array<SqlUuid>, _>(&self.audit_ids),
            "ords" => out.push_bind_param::<Array<Integer>, _>(&self.ords),
            "task_ids" => out.push_bind_param::<Array<Nullable<SqlUuid>>, _>(&self.task_ids),
            "action" => out.push_bind_param::<Text, _>(&AuditAction::VisitCreate),
            other => Err(unknown_placeholder(other)),
        }
    }
}

/// One visit: the same binds, the scalar opening.
struct RecordOne<'a>(RecordVisits<'a>);

impl Prepared for RecordOne<'_> {
    type Id = RecordOne<'static>;
    const SQL: &'static str = RECORD_ONE;

    fn bind<'b>(&'b self, name: &str, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.bind(name, out)
    }
}

/// Stores `items` (ids distinct, recorders all of `tenant_id`) in one statement; one answer
/// per item, in order.
pub async fn record(
    conn: &AsyncPgConnection,
    tenant_id: Uuid,
    items: &[(&Recorder, &NewVisit)],
) -> QueryResult<Vec<Recorded>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    debug_assert!(items.iter().all(|(who, _)| who.tenant_id == tenant_id));
    if crate::db::on_citus() {
        return crate::visits::routed::record(conn, tenant_id, items).await;
    }
    let (whos, items): (Vec<&Recorder>, Vec<&NewVisit>) = items.iter().copied().unzip();
    let columns = RecordVisits {
        tenant_id,
        recorders: whos.iter().map(|w| w.user_id).collect(),
        token_versions: whos.iter().map(|w| w.token_version).collect(),
        leader_scopes: whos.iter().map(|w| w.scope.leader_key()).collect(),
        grid_scopes: whos.iter().map(|w| w.scope.grid_key()).collect(),
        ips: whos.iter().map(|w| w.ip.as_deref()).collect(),
        ids: items.iter().map(|v| v.id).collect(),
        households: items.iter().map(|v| v.household_id).collect(),
        visited_at: items.iter().map(|v| v.visited_at).collect(),
        methods: items.iter().map(|v| v.method.as_str()).collect(),
        summaries: items.iter().map(|v| v.summary.as_str()).collect(),
        acquainted: items.iter().map(|v| v.acquainted).collect(),
        joined_group: items.iter().map(|v| v.joined_group).collect(),
        audit_ids: items.iter().map(|_| Uuid::now_v7()).collect(),
        ords: (0..items.len() as i32).collect(),
        task_ids: items.iter().map(|v| v.task_id).collect(),
    };
    let rows: Vec<RecordRow> = if items.len() == 1 {
        Statement(RecordOne(columns)).load(&mut &*conn).await?
    } else {
        Statement(columns).load(&mut &*conn).await?
    };
    debug_assert!(rows.iter().enumerate().all(|(i, r)| r.ord == i as i32));
    Ok(rows.into_iter().map(RecordRow::into_recorded).collect())
}

/// Of the (task, household) links sent with visits, those that name no household of that
/// task (the visit is 422 on `task_id`). A task's households are fixed when it is made and
/// tasks are never deleted, so what this finds cannot change before the visit is stored.
pub async fn unknown_task_links(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    links: &[(Uuid, Uuid)],
) -> QueryResult<HashSet<(Uuid, Uuid)>> {
    if links.is_empty() {
        return Ok(HashSet::new());
    }
    let tasks: Vec<Uuid> = links.iter().map(|(t, _)| *t).collect();
    let households: Vec<Uuid> = links.iter().map(|(_, h)| *h).collect();
    let found: HashSet<(Uuid, Uuid)> = task_households::table
        .filter(task_households::tenant_id.eq(tenant_id))
        .filter(task_households::task_id.eq_any(&tasks))
        .filter(task_households::household_id.eq_any(&households))
        .select((task_households::task_id, task_households::household_id))
        .load::<(Uuid, Uuid)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(links
        .iter()
        .filter(|link| !found.contains(link))
        .copied()
        .collect())
}

fn filtered<'a>(
    tenant_id: Uuid,
    scope: Scope,
    filter: &'a VisitFilter,
    range: Instants,
) -> visits::BoxedQuery<'a, Pg> {
    let mut query = visits::table
        .filter(visits::tenant_id.eq(tenant_id))
        .into_boxed();
    // Scope by where the household lives now, as its dossier and issues are: a household
    // that moved is its new leader's, with its history, and no longer its old leader's.
    if let Some(households) = crate::auth::scope::households_in(tenant_id, scope) {
        query = query.filter(visits::household_id.eq_any(households));
    }
    if let Some(household) = filter.household_id {
        query = query.filter(visits::household_id.eq(household));
    }
    if let Some(micro_grid) = filter.micro_grid_id {
        query = query.filter(visits::micro_grid_id.eq(micro_grid));
    }
    if let Some(leader) = filter.leader_id {
        query = query.filter(visits::leader_id.eq(leader));
    }
    if let Some(start) = range.start {
        query = query.filter(visits::visited_at.ge(start));
    }
    if let Some(end) = range.end {
        query = query.filter(visits::visited_at.lt(end));
    }
    query
}

/// A page of visits, newest first, and the number of all that match.
pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    scope: Scope,
    filter: &VisitFilter,
    range: Instants,
    page: Page,
) -> AppResult<(Vec<Visit>, i64)> {
    // Both go out pipelined on the one connection: one round trip.
    let shared: &AsyncPgConnection = conn;
    let items = filtered(tenant_id, scope, filter, range)
        .select(Visit::as_select())
        .order((visits::visited_at.desc(), visits::id.desc()))
        .offset(page.offset())
        .limit(page.limit())
        .load::<Visit>(&mut &*shared);
    let total = filtered(tenant_id, scope, filter, range)
        .count()
        .get_result::<i64>(&mut &*shared);
    // `join`, not `try_join`: every statement sent is awaited (src/db/mod.rs says why).
    let (items, total) = futures_util::join!(items, total);
    Ok((items?, total?))
}
