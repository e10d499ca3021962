//! The audit log list: township admins only, newest first, filtered by local dates, actor
//! and action, never showing another township's records.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::db::schema::audit_log;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{platform_admin, Township};
use crate::harness::TestApp;

fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

async fn insert(app: &TestApp, tenant: Uuid, actor: Uuid, action: &str, at: DateTime<Utc>) -> Uuid {
    let id = Uuid::now_v7();
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::tenant_id.eq(tenant),
            audit_log::id.eq(id),
            audit_log::at.eq(at),
            audit_log::actor_id.eq(Some(actor)),
            audit_log::action.eq(action),
            audit_log::entity.eq("household"),
            audit_log::entity_id.eq(Some(id)),
            audit_log::ip.eq(Some("10.0.0.7")),
        ))
        .execute(&mut app.db().await)
        .await
        .unwrap();
    id
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["entity_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn admins_read_the_log_newest_first_with_filters() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let (l1, l2) = (t.leader1.id, t.leader2.id);
    let a = insert(
        &app,
        t.id,
        l1,
        "household.create",
        local(2026, 3, 3, 23, 59),
    )
    .await;
    let b = insert(&app, t.id, l1, "visit.create", local(2026, 3, 4, 0, 1)).await;
    let c = insert(&app, t.id, l2, "visit.create", local(2026, 3, 10, 12, 0)).await;
    let d = insert(
        &app,
        t.id,
        l2,
        "household.create",
        local(2026, 3, 17, 23, 59),
    )
    .await;
    let e = insert(&app, t.id, l1, "visit.create", local(2026, 3, 18, 0, 1)).await;
    insert(
        &app,
        beta.id,
        beta.leader1.id,
        "visit.create",
        local(2026, 3, 10, 12, 0),
    )
    .await;
    let list = |query: String| {
        let app = &app;
        let token = t.admin.token.clone();
        async move {
            app.get(&format!("/api/v1/audit{query}"), &token)
                .await
                .expect(200)
        }
    };

    let all = list(String::new()).await;
    assert_eq!(all["total"], 5);
    assert_eq!(ids(&all), [e, d, c, b, a].map(|id| id.to_string()));
    let first = &all["items"][0];
    assert_eq!(
        first,
        &json!({
            "at": first["at"],
            "actor_id": l1.to_string(),
            "action": "visit.create",
            "entity": "household",
            "entity_id": e.to_string(),
            "ip": "10.0.0.7",
            "detail": null,
        })
    );
    assert_eq!(
        DateTime::parse_from_rfc3339(first["at"].as_str().unwrap()).unwrap(),
        local(2026, 3, 18, 0, 1)
    );

    // Inclusive local dates: 03-04 00:01 to 03-17 23:59 are in, the minutes around are not.
    let range = list("?from=2026-03-04&to=2026-03-17".into()).await;
    assert_eq!(ids(&range), [d, c, b].map(|id| id.to_string()));
    let from_only = list("?from=2026-03-10".into()).await;
    assert_eq!(ids(&from_only), [e, d, c].map(|id| id.to_string()));
    let to_only = list("?to=2026-03-03".into()).await;
    assert_eq!(ids(&to_only), [a.to_string()]);

    let by_actor = list(format!("?actor_id={l2}")).await;
    assert_eq!(ids(&by_actor), [d, c].map(|id| id.to_string()));
    let by_action = list("?action=visit.create".into()).await;
    assert_eq!(ids(&by_action), [e, c, b].map(|id| id.to_string()));
    let both = list(format!(
        "?action=visit.create&actor_id={l1}&from=2026-03-04&to=2026-03-17"
    ))
    .await;
    assert_eq!(ids(&both), [b.to_string()]);
    let nobody = list(format!("?actor_id={}", beta.leader1.id)).await;
    assert_eq!(nobody["total"], 0);

    let page2 = list("?per_page=2&page=2".into()).await;
    assert_eq!(page2["total"], 5);
    assert_eq!(page2["page"], 2);
    assert_eq!(page2["per_page"], 2);
    assert_eq!(ids(&page2), [c, b].map(|id| id.to_string()));
}

#[tokio::test]
async fn only_township_admins_read_the_log() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let operator = platform_admin(&app).await;
    for token in [
        &t.supervisor.token,
        &t.grid_supervisor.token,
        &t.leader1.token,
        &operator.token,
    ] {
        app.get("/api/v1/audit", token)
            .await
            .expect_error(403, "forbidden");
    }
    app.send(reqwest::Method::GET, "/api/v1/audit", None, None)
        .await
        .expect_error(401, "unauthenticated");
    let admin = &t.admin.token;
    app.get("/api/v1/audit?from=2026-03-05&to=2026-03-04", admin)
        .await
        .expect_error(422, "validation_failed");
    for bad in [
        "?from=2026-13-01",
        "?actor_id=nobody",
        "?per_page=201",
        "?page=0",
        "?colour=red",
    ] {
        app.get(&format!("/api/v1/audit{bad}"), admin)
            .await
            .expect_error(400, "bad_request");
    }
}

#[tokio::test]
async fn an_export_is_logged_with_who_what_and_where_from() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let resp = app
        .get(
            &format!(
                "/api/v1/stats/export?format=xlsx&by=micro_grid&from=2026-01-01&to=2026-01-31&micro_grid_id={}",
                t.m1
            ),
            &t.grid_supervisor.token,
        )
        .await;
    assert_eq!(resp.status, 200);
    let log = app
        .get(
            &format!("/api/v1/audit?actor_id={}", t.grid_supervisor.id),
            &t.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(log["total"], 1);
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "stats.export");
    assert_eq!(entry["entity_id"], t.m1.to_string());
    assert_eq!(entry["ip"], "127.0.0.1");
    assert_eq!(
        entry["detail"],
        json!({
            "by": "micro_grid",
            "format": "xlsx",
            "lang": "zh",
            "from": "2026-01-01",
            "to": "2026-01-31",
            "scope": {"micro_grid_id": t.m1.to_string()},
            "rows": 1,
        })
    );
}
