//! The second wall: row-level security. Even a query that forgets its tenant filter sees only
//! the tenant its transaction is set to, and nothing at all when none is set.

use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use lianxin::db::TenantConn;
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::TestApp;

const TENANT_TABLES: &[&str] = &[
    "grids",
    "users",
    "micro_grids",
    "leader_assignments",
    "households",
    "household_moves",
    "visits",
    "visit_days",
    "issues",
    "issue_events",
    "audit_log",
    "departments",
    "calendar_days",
    "tag_intervals",
    "tasks",
    "task_households",
];

#[derive(QueryableByName)]
struct TenantRow {
    #[diesel(sql_type = SqlUuid)]
    tenant_id: Uuid,
}

/// One row in each history table for `t`, so that every table has rows of both tenants.
async fn fill_history(conn: &mut AsyncPgConnection, t: &Township) {
    let visit = Uuid::now_v7();
    let issue = Uuid::now_v7();
    let statements = format!(
        "INSERT INTO household_moves (tenant_id, id, household_id, from_micro_grid_id, to_micro_grid_id)
             VALUES ('{tenant}', '{move_id}', '{h1}', '{m1}', '{m2}');
         INSERT INTO visits (tenant_id, id, household_id, micro_grid_id, leader_id, visited_at, method, summary)
             VALUES ('{tenant}', '{visit}', '{h1}', '{m1}', '{leader}', now(), 'door', '走访');
         INSERT INTO issues (tenant_id, id, household_id, micro_grid_id, category, description, raised_by)
             VALUES ('{tenant}', '{issue}', '{h1}', '{m1}', 'road', '道路设桩', '{leader}');
         INSERT INTO issue_events (tenant_id, id, issue_id, action, to_status, actor_id)
             VALUES ('{tenant}', '{event}', '{issue}', 'raise', 'open', '{leader}');
         INSERT INTO audit_log (tenant_id, id, actor_id, action, entity)
             VALUES ('{tenant}', '{audit}', '{leader}', 'visit.create', 'visit');
         INSERT INTO departments (tenant_id, id, name) VALUES ('{tenant}', '{department}', '国土所');
         INSERT INTO calendar_days (tenant_id, day, workday, note)
             VALUES ('{tenant}', '2026-10-01', false, '国庆节');
         INSERT INTO tag_intervals (tenant_id, tag, visit_interval_days)
             VALUES ('{tenant}', '独居老人', 3);
         INSERT INTO tasks (tenant_id, id, title, description, due_on, created_by)
             VALUES ('{tenant}', '{task}', '防汛通知', '通知到户', '2026-12-31', '{leader}');
         INSERT INTO task_households (tenant_id, task_id, household_id)
             VALUES ('{tenant}', '{task}', '{h1}');
         SELECT visit_days_rebuild('{tenant}');",
        tenant = t.id,
        move_id = Uuid::now_v7(),
        h1 = t.h1,
        m1 = t.m1,
        m2 = t.m2,
        leader = t.leader1.id,
        event = Uuid::now_v7(),
        audit = Uuid::now_v7(),
        department = Uuid::now_v7(),
        task = Uuid::now_v7(),
    );
    conn.batch_execute(&statements).await.unwrap();
}

/// The service's own way in: one of its pooled connections (as `lianxin_app`) in a
/// transaction set to `tenant` (`SET LOCAL`, which reaches Citus's workers too). Dropped
/// without `commit`, it rolls back.
async fn service_session(app: &TestApp, tenant: Option<Uuid>) -> TenantConn {
    TenantConn::begin(app.pool.get().await.unwrap(), tenant)
        .await
        .unwrap()
}

#[derive(QueryableByName)]
struct Walled {
    #[diesel(sql_type = Text)]
    table: String,
    #[diesel(sql_type = Bool)]
    enabled: bool,
    #[diesel(sql_type = Bool)]
    forced: bool,
}

/// A table added later with a `tenant_id` but no policy would be the hole in the wall; the
/// catalog, not this file's list, says which tables hold township data.
#[tokio::test]
async fn every_table_with_a_tenant_is_behind_the_wall_and_tested_above() {
    let app = TestApp::spawn().await;
    let mut conn = app.db().await;
    let tables: Vec<Walled> = diesel::sql_query(
        "SELECT c.relname::text AS table, c.relrowsecurity AS enabled,
                c.relforcerowsecurity AS forced
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
         WHERE c.relkind IN ('r', 'p')
         ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .unwrap();
    // Refresh tokens are found by their hash before anyone's tenant is known, and hold
    // nothing but hashes (docs/security.md); that is the one deliberate exception.
    let tables: Vec<Walled> = tables
        .into_iter()
        .filter(|t| t.table != "refresh_tokens")
        .collect();
    let mut names: Vec<&str> = tables.iter().map(|t| t.table.as_str()).collect();
    let mut expected = TENANT_TABLES.to_vec();
    names.sort_unstable();
    expected.sort_unstable();
    assert_eq!(names, expected, "tables with a tenant_id");
    for t in &tables {
        assert!(
            t.enabled && t.forced,
            "{}: row-level security forced",
            t.table
        );
    }
}

/// The township is set per transaction (`SET LOCAL`), so a pooled connection carries nothing
/// from one request to the next: checked out after another township's requests, without a
/// tenant of its own, it sees no township's rows.
#[tokio::test]
async fn a_pooled_connection_keeps_no_township_from_the_request_before() {
    let app = TestApp::spawn_with(&[("LIANXIN_POOL_SIZE", "1")]).await;
    let alpha = Township::create(&app, "alpha").await;
    let mut owner = app.db().await;
    fill_history(&mut owner, &alpha).await;
    for path in ["/api/v1/households", "/api/v1/visits", "/api/v1/users"] {
        app.get(path, &alpha.admin.token).await.expect(200);
    }
    // The pool has one connection: the one alpha's requests just used.
    let mut conn = app.pool.get().await.unwrap();
    for table in TENANT_TABLES {
        let rows: Vec<TenantRow> = diesel::sql_query(format!("SELECT tenant_id FROM {table}"))
            .load(&mut *conn)
            .await
            .unwrap();
        assert!(rows.is_empty(), "{table}: no rows without a tenant");
    }
}

#[tokio::test]
async fn a_query_without_tenant_filter_sees_only_the_sessions_tenant() {
    let app = TestApp::spawn().await;
    let alpha = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let mut owner = app.db().await;
    fill_history(&mut owner, &alpha).await;
    fill_history(&mut owner, &beta).await;

    let mut conn = service_session(&app, Some(alpha.id)).await;
    for table in TENANT_TABLES {
        let rows: Vec<TenantRow> = diesel::sql_query(format!("SELECT tenant_id FROM {table}"))
            .load(&mut *conn)
            .await
            .unwrap();
        assert!(!rows.is_empty(), "{table}: alpha's own rows are visible");
        assert!(
            rows.iter().all(|r| r.tenant_id == alpha.id),
            "{table}: only alpha's rows"
        );
    }

    let mut unset = service_session(&app, None).await;
    for table in TENANT_TABLES {
        let rows: Vec<TenantRow> = diesel::sql_query(format!("SELECT tenant_id FROM {table}"))
            .load(&mut *unset)
            .await
            .unwrap();
        assert!(rows.is_empty(), "{table}: no tenant set, no rows");
    }
}

#[tokio::test]
async fn the_service_role_cannot_write_into_another_tenant_or_rewrite_the_audit_log() {
    let app = TestApp::spawn().await;
    let alpha = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let mut conn = service_session(&app, Some(alpha.id)).await;
    let foreign = diesel::sql_query(
        "INSERT INTO grids (tenant_id, id, name, kind) VALUES ($1, $2, 'x', 'village')",
    )
    .bind::<SqlUuid, _>(beta.id)
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .execute(&mut *conn)
    .await;
    assert!(foreign.is_err(), "a row for another tenant is refused");

    // Each attempt in a transaction of its own: a refused statement ends the one it is in.
    let mut conn = service_session(&app, Some(alpha.id)).await;
    let moved = diesel::sql_query("UPDATE households SET name = 'x' WHERE id = $1")
        .bind::<SqlUuid, _>(beta.h1)
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(
        moved, 0,
        "another tenant's household is invisible to an update"
    );

    conn.batch_execute(&format!(
        "INSERT INTO audit_log (tenant_id, id, action, entity) VALUES ('{}', '{}', 'test', 'test')",
        alpha.id,
        Uuid::now_v7()
    ))
    .await
    .unwrap();
    conn.commit().await.unwrap();
    let mut conn = service_session(&app, Some(alpha.id)).await;
    assert!(conn
        .batch_execute("UPDATE audit_log SET action = 'forged'")
        .await
        .is_err());
    let mut conn = service_session(&app, Some(alpha.id)).await;
    assert!(conn.batch_execute("DELETE FROM audit_log").await.is_err());
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

#[tokio::test]
async fn the_service_pool_runs_as_a_role_that_cannot_bypass_security() {
    let app = TestApp::spawn().await;
    let pool = lianxin::db::pool(&app.db_url, 1, std::time::Duration::from_secs(2)).unwrap();
    let mut conn = pool.get().await.unwrap();
    let row: Flag = diesel::sql_query(
        "SELECT current_user = 'lianxin_app' AND NOT (rolsuper OR rolbypassrls) AS flag FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert!(
        row.flag,
        "pooled connections run as lianxin_app, even from a superuser URL"
    );
}
