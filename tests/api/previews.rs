//! The console's previews: what a leader change or a move of households would do, answered
//! without doing it, and equal to what the API reports once the change is made.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::Township;
use crate::grids::count;
use crate::harness::TestApp;

async fn raise(app: &TestApp, token: &str, household: Uuid) -> String {
    let issue = app
        .post(
            "/api/v1/issues",
            token,
            json!({ "household_id": household, "category": "road", "description": "村口道路需要设桩" }),
        )
        .await
        .expect(201);
    issue["id"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, token: &str, issue: &str, action: &str, body: Value) {
    app.post(&format!("/api/v1/issues/{issue}/{action}"), token, body)
        .await
        .expect(200);
}

/// The total of a list the API answers.
async fn total(app: &TestApp, token: &str, path: &str) -> i64 {
    app.get(path, token).await.expect(200)["total"]
        .as_i64()
        .unwrap()
}

/// Issues not yet resolved of the micro-grid's households, as the issue list reports them.
async fn open_issues(app: &TestApp, token: &str, micro_grid: Uuid) -> i64 {
    let mut n = 0;
    for status in ["open", "escalated"] {
        n += total(
            app,
            token,
            &format!("/api/v1/issues?micro_grid_id={micro_grid}&status={status}"),
        )
        .await;
    }
    n
}

/// One issue open, one escalated, one resolved in m1 (two households), one open in m2.
async fn issues_in(app: &TestApp, a: &Township) {
    let leader = &a.leader1.token;
    raise(app, leader, a.h1).await;
    let escalated = raise(app, leader, a.h2).await;
    act(
        app,
        leader,
        &escalated,
        "escalate",
        json!({"note": "需要镇里协调"}),
    )
    .await;
    let resolved = raise(app, leader, a.h1).await;
    act(
        app,
        leader,
        &resolved,
        "resolve",
        json!({"resolution": "已协调交通部门设桩"}),
    )
    .await;
    raise(app, leader, a.h3).await;
}

#[tokio::test]
async fn leader_change_preview_equals_what_the_change_then_reports() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    issues_in(&app, &a).await;
    let path = format!("/api/v1/micro-grids/{}/leader", a.m1);
    let preview = app
        .get(
            &format!("{path}/preview?user_id={}", a.idle_leader.id),
            &a.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(
        preview,
        json!({
            "micro_grid_id": a.m1, "from_leader_id": a.leader1.id,
            "to_leader_id": a.idle_leader.id, "households": 2, "open_issues": 2,
        })
    );
    // Nothing changed and nothing was audited.
    let shown = app
        .get(&format!("/api/v1/micro-grids/{}", a.m1), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(shown["leader_id"], a.leader1.id.to_string());
    let audited = "SELECT count(*) AS n FROM audit_log WHERE action = 'micro_grid.assign_leader'";
    assert_eq!(count(&app, audited).await, 0);

    app.put(&path, &a.admin.token, json!({"user_id": a.idle_leader.id}))
        .await
        .expect(200);
    // The new leader now reaches exactly what the preview said would pass to them.
    let new = &a.idle_leader.token;
    let households = total(
        &app,
        new,
        &format!("/api/v1/households?micro_grid_id={}", a.m1),
    )
    .await;
    assert_eq!(households, preview["households"].as_i64().unwrap());
    assert_eq!(
        open_issues(&app, new, a.m1).await,
        preview["open_issues"].as_i64().unwrap()
    );
    assert_eq!(count(&app, audited).await, 1);
    // Previewing the leader it has now: nothing would pass.
    let again = app
        .get(
            &format!("{path}/preview?user_id={}", a.idle_leader.id),
            &a.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(again["from_leader_id"], again["to_leader_id"]);
    assert_eq!(
        (again["households"].as_i64(), again["open_issues"].as_i64()),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn leader_change_preview_follows_the_change_rules() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let path =
        |m: Uuid, user: Uuid| format!("/api/v1/micro-grids/{m}/leader/preview?user_id={user}");
    // A user who is not a leader cannot be given a micro-grid.
    let refused = app.get(&path(a.m1, a.supervisor.id), &a.admin.token).await;
    refused.expect_error(422, "validation_failed");
    assert!(refused.body["error"]["fields"]["user_id"].is_array());
    // Nor another township's leader; another township's micro-grid does not exist here.
    app.get(&path(a.m1, b.leader1.id), &a.admin.token)
        .await
        .expect_error(422, "validation_failed");
    app.get(&path(b.m1, a.leader2.id), &a.admin.token)
        .await
        .expect_error(404, "not_found");
    // Only a tenant admin changes leaders, so only they preview it.
    for token in [
        &a.supervisor.token,
        &a.grid_supervisor.token,
        &a.leader1.token,
    ] {
        app.get(&path(a.m1, a.leader2.id), token)
            .await
            .expect_error(403, "forbidden");
    }
    // The user to assign is required, and must be an id.
    app.get(
        &format!("/api/v1/micro-grids/{}/leader/preview", a.m1),
        &a.admin.token,
    )
    .await
    .expect_error(400, "bad_request");
    app.get(
        &format!("/api/v1/micro-grids/{}/leader/preview?user_id=x", a.m1),
        &a.admin.token,
    )
    .await
    .expect_error(400, "bad_request");
    // A micro-grid without a leader: from is null.
    app.delete(
        &format!("/api/v1/micro-grids/{}/leader", a.m3),
        &a.admin.token,
    )
    .await
    .expect(204);
    let preview = app
        .get(&path(a.m3, a.leader1.id), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(preview["from_leader_id"], Value::Null);
    assert_eq!(preview["households"], 1);
}

#[tokio::test]
async fn household_move_preview_equals_what_the_move_then_reports() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    issues_in(&app, &a).await;
    let admin = &a.admin.token;
    // h1 and h2 from m1, h3 from m2, h4 already in m3 (stays).
    let body = json!({"household_ids": [a.h1, a.h2, a.h3, a.h4, a.h1], "micro_grid_id": a.m3});
    let preview = app
        .post("/api/v1/households/assign/preview", admin, body.clone())
        .await
        .expect(200);
    assert_eq!(
        preview,
        json!({
            "households": 3, "open_issues": 3,
            "from": [{"micro_grid_id": a.m1, "households": 2}, {"micro_grid_id": a.m2, "households": 1}],
            "to_micro_grid_id": a.m3, "to_leader_id": a.leader2.id,
        })
    );
    // Nothing moved, nothing recorded, nothing audited.
    let in_m3 = format!("/api/v1/households?micro_grid_id={}", a.m3);
    assert_eq!(total(&app, admin, &in_m3).await, 1);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM household_moves").await,
        0
    );
    let audited = "SELECT count(*) AS n FROM audit_log WHERE action = 'household.assign'";
    assert_eq!(count(&app, audited).await, 0);

    let issues_before = open_issues(&app, admin, a.m3).await;
    app.post("/api/v1/households/assign", admin, body)
        .await
        .expect(200);
    assert_eq!(total(&app, admin, &in_m3).await, 1 + 3);
    assert_eq!(
        open_issues(&app, admin, a.m3).await - issues_before,
        preview["open_issues"].as_i64().unwrap()
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM household_moves").await,
        3
    );
    assert_eq!(count(&app, audited).await, 1);
}

#[tokio::test]
async fn household_move_preview_follows_the_move_rules() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let path = "/api/v1/households/assign/preview";
    let admin = &a.admin.token;
    // All or nothing: one household of another township makes the whole move unknown.
    app.post(
        path,
        admin,
        json!({"household_ids": [a.h1, b.h1], "micro_grid_id": a.m3}),
    )
    .await
    .expect_error(404, "not_found");
    app.post(
        path,
        admin,
        json!({"household_ids": [a.h1], "micro_grid_id": b.m1}),
    )
    .await
    .expect_error(404, "not_found");
    let empty = app
        .post(
            path,
            admin,
            json!({"household_ids": [], "micro_grid_id": a.m3}),
        )
        .await;
    empty.expect_error(422, "validation_failed");
    assert!(empty.body["error"]["fields"]["household_ids"].is_array());
    app.post(path, admin, json!({"household_ids": [a.h1]}))
        .await
        .expect_error(400, "bad_request");
    for token in [&a.supervisor.token, &a.leader1.token] {
        app.post(
            path,
            token,
            json!({"household_ids": [a.h1], "micro_grid_id": a.m3}),
        )
        .await
        .expect_error(403, "forbidden");
    }
    // Households already in the target: nothing would move.
    let none = app
        .post(
            path,
            admin,
            json!({"household_ids": [a.h4], "micro_grid_id": a.m3}),
        )
        .await
        .expect(200);
    assert_eq!(
        (none["households"].as_i64(), none["open_issues"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(none["from"], json!([]));
}
