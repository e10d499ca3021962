//! The working-day calendar's endpoints: kept by the township admin, read by its staff, each
//! township its own. How time limits count it is in `workflow`.

use chrono::Datelike;
use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::TestApp;
use crate::workflow::{today, Audited};

#[tokio::test]
async fn the_calendar_is_kept_by_the_admin_and_read_by_the_staff() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let set = app
        .put(
            "/api/v1/calendar/2026-10-10",
            &t.admin.token,
            json!({"workday": true, "note": "国庆节调休上班"}),
        )
        .await
        .expect(200);
    assert_eq!(
        set,
        json!({"date": "2026-10-10", "workday": true, "note": "国庆节调休上班"})
    );
    app.put(
        "/api/v1/calendar/2026-10-01",
        &t.admin.token,
        json!({"workday": false}),
    )
    .await
    .expect(200);
    // Set again: the day's exception is replaced, not doubled.
    app.put(
        "/api/v1/calendar/2026-10-01",
        &t.admin.token,
        json!({"workday": false, "note": "国庆节"}),
    )
    .await
    .expect(200);
    app.put(
        "/api/v1/calendar/2027-01-01",
        &t.admin.token,
        json!({"workday": false, "note": "元旦"}),
    )
    .await
    .expect(200);

    let year = app
        .get("/api/v1/calendar?year=2026", &t.leader1.token)
        .await
        .expect(200);
    assert_eq!(
        year,
        json!({"year": 2026, "exceptions": [
            {"date": "2026-10-01", "workday": false, "note": "国庆节"},
            {"date": "2026-10-10", "workday": true, "note": "国庆节调休上班"},
        ]})
    );
    let rows: Vec<CalendarRow> = diesel::sql_query(
        "SELECT tenant_id, day::text AS day, workday FROM calendar_days ORDER BY day",
    )
    .load(&mut app.db().await)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.tenant_id == t.id));
    // Another township's calendar is its own.
    let theirs = app
        .get("/api/v1/calendar?year=2026", &beta.admin.token)
        .await
        .expect(200);
    assert_eq!(theirs["exceptions"], json!([]));

    app.delete("/api/v1/calendar/2026-10-10", &t.admin.token)
        .await
        .expect(204);
    app.delete("/api/v1/calendar/2026-10-10", &t.admin.token)
        .await
        .expect_error(404, "not_found");
    app.delete("/api/v1/calendar/2026-10-01", &beta.admin.token)
        .await
        .expect_error(404, "not_found");
    let year = app
        .get("/api/v1/calendar?year=2026", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(year["exceptions"].as_array().unwrap().len(), 1);

    for wrong in [&t.supervisor, &t.leader1] {
        app.put(
            "/api/v1/calendar/2026-10-02",
            &wrong.token,
            json!({"workday": false}),
        )
        .await
        .expect_error(403, "forbidden");
        app.delete("/api/v1/calendar/2026-10-01", &wrong.token)
            .await
            .expect_error(403, "forbidden");
    }
    app.put(
        "/api/v1/calendar/2026-13-01",
        &t.admin.token,
        json!({"workday": false}),
    )
    .await
    .expect_error(404, "not_found");
    app.put(
        "/api/v1/calendar/2026-10-02",
        &t.admin.token,
        json!({"workday": "no"}),
    )
    .await
    .expect_error(400, "bad_request");
    app.put(
        "/api/v1/calendar/2026-10-02",
        &t.admin.token,
        json!({"workday": false, "note": "长".repeat(101)}),
    )
    .await
    .expect_error(422, "validation_failed");
    app.get("/api/v1/calendar?year=1900", &t.admin.token)
        .await
        .expect_error(422, "validation_failed");
    app.get("/api/v1/calendar?year=abc", &t.admin.token)
        .await
        .expect_error(400, "bad_request");
    // Without a year: the township's current one.
    let current = app
        .get("/api/v1/calendar", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(current["year"], today().year());
    let audit: Vec<Audited> = diesel::sql_query(
        "SELECT action, actor_id FROM audit_log WHERE entity = 'calendar' AND tenant_id = $1",
    )
    .bind::<SqlUuid, _>(t.id)
    .load(&mut app.db().await)
    .await
    .unwrap();
    assert_eq!(audit.len(), 5);
    assert!(audit.iter().all(|a| a.actor_id == Some(t.admin.id)));
}

#[derive(QueryableByName)]
struct CalendarRow {
    #[diesel(sql_type = SqlUuid)]
    tenant_id: Uuid,
    #[diesel(sql_type = Text)]
    day: String,
    #[diesel(sql_type = Bool)]
    workday: bool,
}

#[tokio::test]
async fn a_year_imported_on_the_server_replaces_those_days_and_is_audited() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    app.put(
        "/api/v1/calendar/2026-10-10",
        &t.admin.token,
        json!({"workday": false, "note": "写错了"}),
    )
    .await
    .expect(200);
    let days = lianxin::calendar::import::china(2026).unwrap();
    let count = days.len();
    lianxin::calendar::import::run(&app.pool, "alpha", days, "national schedule 2026")
        .await
        .unwrap();
    let year = app
        .get("/api/v1/calendar?year=2026", &t.leader1.token)
        .await
        .expect(200);
    let exceptions = year["exceptions"].as_array().unwrap();
    assert_eq!(exceptions.len(), count);
    let corrected = exceptions
        .iter()
        .find(|d| d["date"] == "2026-10-10")
        .unwrap();
    assert_eq!(corrected["workday"], true);
    assert_eq!(corrected["note"], "国庆节调休上班");
    let audit: Vec<Audited> = diesel::sql_query(
        "SELECT action, actor_id FROM audit_log WHERE action = 'calendar.import' AND tenant_id = $1",
    )
    .bind::<SqlUuid, _>(t.id)
    .load(&mut app.db().await)
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        audit[0].actor_id, None,
        "the command line has no signed-in user"
    );
    assert!(
        lianxin::calendar::import::run(&app.pool, "nowhere", Vec::new(), "x")
            .await
            .is_err()
    );
}
