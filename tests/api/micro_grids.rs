//! Micro-grids and leader assignment (定亲) with its history.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::db::schema::users;
use serde_json::{json, Value};

use crate::fixtures::Township;
use crate::grids::count;
use crate::harness::TestApp;

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn admin_creates_a_micro_grid_of_the_grids_kind() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let created = app
        .post(
            &format!("/api/v1/grids/{}/micro-grids", a.g2),
            &a.admin.token,
            json!({"name": "工业园区第2微网格", "group_name": "园区二群"}),
        )
        .await
        .expect(201);
    assert_eq!(created["grid_id"], a.g2.to_string());
    assert_eq!(created["kind"], "enterprise");
    assert_eq!(created["group_name"], "园区二群");
    assert_eq!(created["leader_id"], Value::Null);
    assert_eq!(created["households"], 0);
    let id = created["id"].as_str().unwrap();
    let shown = app
        .get(&format!("/api/v1/micro-grids/{id}"), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(shown, created);
    let grid = app
        .get(&format!("/api/v1/grids/{}", a.g2), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(grid["micro_grids"], 2);
    // Names are unique in the township, across grids (rosters name micro-grids).
    app.post(
        &format!("/api/v1/grids/{}/micro-grids", a.g1),
        &a.admin.token,
        json!({"name": "工业园区第2微网格"}),
    )
    .await
    .expect_error(409, "conflict");
    let bad = app
        .post(
            &format!("/api/v1/grids/{}/micro-grids", a.g1),
            &a.admin.token,
            json!({"name": "", "group_name": " "}),
        )
        .await;
    bad.expect_error(422, "validation_failed");
    assert!(bad.body["error"]["fields"]["name"].is_array());
    assert!(bad.body["error"]["fields"]["group_name"].is_array());
    app.post(
        &format!("/api/v1/grids/{}/micro-grids", a.g1),
        &a.admin.token,
        json!({"name": "x", "kind": "village"}),
    )
    .await
    .expect_error(400, "bad_request");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE entity = 'micro_grid'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn micro_grid_writes_are_for_the_tenant_admin() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    for token in [
        &a.supervisor.token,
        &a.grid_supervisor.token,
        &a.leader1.token,
    ] {
        app.post(
            &format!("/api/v1/grids/{}/micro-grids", a.g1),
            token,
            json!({"name": "新微网格"}),
        )
        .await
        .expect_error(403, "forbidden");
        let path = format!("/api/v1/micro-grids/{}", a.m1);
        app.patch(&path, token, json!({"name": "改名"}))
            .await
            .expect_error(403, "forbidden");
        app.put(
            &format!("{path}/leader"),
            token,
            json!({"user_id": a.leader2.id}),
        )
        .await
        .expect_error(403, "forbidden");
        app.delete(&format!("{path}/leader"), token)
            .await
            .expect_error(403, "forbidden");
    }
}

#[tokio::test]
async fn patch_renames_and_clears_the_group() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let path = format!("/api/v1/micro-grids/{}", a.m1);
    let renamed = app
        .patch(&path, &a.admin.token, json!({"name": "新埭村一组"}))
        .await
        .expect(200);
    assert_eq!(renamed["name"], "新埭村一组");
    assert_eq!(
        renamed["group_name"], "新埭村1组群",
        "absent field unchanged"
    );
    assert_eq!(renamed["households"], 2);
    let cleared = app
        .patch(&path, &a.admin.token, json!({"group_name": null}))
        .await
        .expect(200);
    assert_eq!(cleared["group_name"], Value::Null);
    assert_eq!(cleared["name"], "新埭村一组");
    app.patch(&path, &a.admin.token, json!({"name": "新埭村第2微网格"}))
        .await
        .expect_error(409, "conflict");
    let null_name = app
        .patch(&path, &a.admin.token, json!({"name": null}))
        .await;
    null_name.expect_error(422, "validation_failed");
    assert!(null_name.body["error"]["fields"]["name"].is_array());
    app.patch(&path, &a.admin.token, json!({"leader_id": a.leader2.id}))
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn each_role_sees_the_micro_grids_of_its_scope() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let list = app
        .get("/api/v1/micro-grids", &a.supervisor.token)
        .await
        .expect(200);
    assert_eq!(list["total"], 3);
    let list = app
        .get("/api/v1/micro-grids", &a.grid_supervisor.token)
        .await
        .expect(200);
    assert_eq!(ids(&list), [a.m1.to_string(), a.m2.to_string()]);
    app.get(
        &format!("/api/v1/micro-grids/{}", a.m3),
        &a.grid_supervisor.token,
    )
    .await
    .expect_error(404, "not_found");
    let list = app
        .get("/api/v1/micro-grids", &a.leader2.token)
        .await
        .expect(200);
    assert_eq!(ids(&list), [a.m3.to_string()]);
    assert_eq!(list["items"][0]["households"], 1);
    // A leader asking for someone else's micro-grids still gets only their own: none.
    let list = app
        .get(
            &format!("/api/v1/micro-grids?leader_id={}", a.leader1.id),
            &a.leader2.token,
        )
        .await
        .expect(200);
    assert_eq!(list["total"], 0);
    for other in [a.m1, a.m2] {
        app.get(&format!("/api/v1/micro-grids/{other}"), &a.leader2.token)
            .await
            .expect_error(404, "not_found");
        app.get(
            &format!("/api/v1/micro-grids/{other}/leaders"),
            &a.leader2.token,
        )
        .await
        .expect_error(404, "not_found");
    }
}

#[tokio::test]
async fn micro_grids_filter_by_grid_and_leader_and_page() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let list = app
        .get(
            &format!("/api/v1/micro-grids?grid_id={}", a.g1),
            &a.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(ids(&list), [a.m1.to_string(), a.m2.to_string()]);
    let list = app
        .get(
            &format!("/api/v1/micro-grids?leader_id={}", a.leader2.id),
            &a.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(ids(&list), [a.m3.to_string()]);
    let page = app
        .get("/api/v1/micro-grids?per_page=1&page=3", &a.admin.token)
        .await
        .expect(200);
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/micro-grids?per_page=500", &a.admin.token)
        .await
        .expect_error(400, "bad_request");
    app.get("/api/v1/micro-grids?grid_id=nope", &a.admin.token)
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn another_townships_micro_grid_does_not_exist() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let path = format!("/api/v1/micro-grids/{}", b.m1);
    app.get(&path, &a.admin.token)
        .await
        .expect_error(404, "not_found");
    app.patch(&path, &a.admin.token, json!({"name": "抢来的"}))
        .await
        .expect_error(404, "not_found");
    app.put(
        &format!("{path}/leader"),
        &a.admin.token,
        json!({"user_id": a.leader2.id}),
    )
    .await
    .expect_error(404, "not_found");
    app.delete(&format!("{path}/leader"), &a.admin.token)
        .await
        .expect_error(404, "not_found");
    app.get(&format!("{path}/leaders"), &a.admin.token)
        .await
        .expect_error(404, "not_found");
    // Nor may a township's micro-grid be given another township's leader.
    let assign = app
        .put(
            &format!("/api/v1/micro-grids/{}/leader", a.m1),
            &a.admin.token,
            json!({"user_id": b.leader1.id}),
        )
        .await;
    assign.expect_error(422, "validation_failed");
    assert!(assign.body["error"]["fields"]["user_id"].is_array());
    let list = app
        .get(
            &format!("/api/v1/micro-grids?grid_id={}", b.g1),
            &a.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn reassignment_keeps_the_leader_history() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let path = format!("/api/v1/micro-grids/{}", a.m1);
    let assigned = app
        .put(
            &format!("{path}/leader"),
            &a.admin.token,
            json!({"user_id": a.idle_leader.id}),
        )
        .await
        .expect(200);
    assert_eq!(assigned["leader_id"], a.idle_leader.id.to_string());
    assert_eq!(assigned["households"], 2);
    let history = app
        .get(&format!("{path}/leaders"), &a.admin.token)
        .await
        .expect(200);
    let terms = history.as_array().unwrap();
    assert_eq!(terms.len(), 2);
    assert_eq!(terms[0]["user_id"], a.leader1.id.to_string());
    assert!(terms[0]["to"].is_string(), "the first term is closed");
    assert_eq!(terms[1]["user_id"], a.idle_leader.id.to_string());
    assert_eq!(terms[1]["to"], Value::Null);
    assert_eq!(terms[0]["to"], terms[1]["from"]);
    // The new leader now reaches the micro-grid and its households; the old one does not.
    app.get(&path, &a.idle_leader.token).await.expect(200);
    app.get(&path, &a.leader1.token)
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/v1/households/{}", a.h1), &a.leader1.token)
        .await
        .expect_error(404, "not_found");
    app.get(
        &format!("/api/v1/households/{}", a.h1),
        &a.idle_leader.token,
    )
    .await
    .expect(200);
    // Assigning the same leader again changes nothing.
    app.put(
        &format!("{path}/leader"),
        &a.admin.token,
        json!({"user_id": a.idle_leader.id}),
    )
    .await
    .expect(200);
    let history = app
        .get(&format!("{path}/leaders"), &a.idle_leader.token)
        .await
        .expect(200);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'micro_grid.assign_leader'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn removing_the_leader_closes_the_term() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let path = format!("/api/v1/micro-grids/{}", a.m3);
    let gone = app.delete(&format!("{path}/leader"), &a.admin.token).await;
    assert_eq!(gone.status, 204);
    let shown = app.get(&path, &a.admin.token).await.expect(200);
    assert_eq!(shown["leader_id"], Value::Null);
    let history = app
        .get(&format!("{path}/leaders"), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert!(history[0]["to"].is_string());
    app.get(&path, &a.leader2.token)
        .await
        .expect_error(404, "not_found");
    // Removing again is harmless.
    assert_eq!(
        app.delete(&format!("{path}/leader"), &a.admin.token)
            .await
            .status,
        204
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM leader_assignments WHERE to_at IS NULL"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn only_active_leaders_can_be_assigned() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let path = format!("/api/v1/micro-grids/{}/leader", a.m1);
    for not_a_leader in [a.admin.id, a.supervisor.id, uuid::Uuid::now_v7()] {
        let refused = app
            .put(&path, &a.admin.token, json!({"user_id": not_a_leader}))
            .await;
        refused.expect_error(422, "validation_failed");
        assert!(refused.body["error"]["fields"]["user_id"].is_array());
    }
    let mut conn = app.db().await;
    diesel::update(users::table.filter(users::id.eq(a.idle_leader.id)))
        .set(users::active.eq(false))
        .execute(&mut conn)
        .await
        .unwrap();
    app.put(&path, &a.admin.token, json!({"user_id": a.idle_leader.id}))
        .await
        .expect_error(422, "validation_failed");
    app.put(&path, &a.admin.token, json!({"user_id": "someone"}))
        .await
        .expect_error(400, "bad_request");
    app.put(
        &path,
        &a.admin.token,
        json!({"user_id": a.leader2.id, "note": 1}),
    )
    .await
    .expect_error(400, "bad_request");
    let shown = app
        .get(&format!("/api/v1/micro-grids/{}", a.m1), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(shown["leader_id"], a.leader1.id.to_string());
}

#[tokio::test]
async fn concurrent_assignments_leave_one_open_term() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let path = format!("/api/v1/micro-grids/{}/leader", a.m1);
    let mut requests = Vec::new();
    for round in 0..6 {
        let user = if round % 2 == 0 {
            a.leader2.id
        } else {
            a.idle_leader.id
        };
        requests.push(app.put(&path, &a.admin.token, json!({"user_id": user})));
    }
    for response in futures_util::future::join_all(requests).await {
        assert_eq!(response.status, 200, "{}", response.body);
    }
    let sql = format!(
        "SELECT count(*) AS n FROM leader_assignments WHERE micro_grid_id = '{}' AND to_at IS NULL",
        a.m1
    );
    assert_eq!(count(&app, &sql).await, 1);
    let shown = app
        .get(&format!("/api/v1/micro-grids/{}", a.m1), &a.admin.token)
        .await
        .expect(200);
    let history = app
        .get(
            &format!("/api/v1/micro-grids/{}/leaders", a.m1),
            &a.admin.token,
        )
        .await
        .expect(200);
    let terms = history.as_array().unwrap();
    let last = terms.last().unwrap();
    assert_eq!(last["user_id"], shown["leader_id"]);
    assert_eq!(last["to"], Value::Null);
    // The terms follow each other without gaps or overlaps, each ending after it began.
    let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    for pair in terms.windows(2) {
        assert_eq!(pair[0]["to"], pair[1]["from"], "{history}");
        assert!(time(&pair[0]["from"]) <= time(&pair[0]["to"]), "{history}");
    }
}

#[tokio::test]
async fn a_deactivated_leader_leaves_their_micro_grids_with_the_history_kept() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    app.patch(
        &format!("/api/v1/users/{}", a.leader1.id),
        &a.admin.token,
        json!({"active": false}),
    )
    .await
    .expect(200);
    for micro_grid in [a.m1, a.m2] {
        let path = format!("/api/v1/micro-grids/{micro_grid}");
        let shown = app.get(&path, &a.admin.token).await.expect(200);
        assert_eq!(shown["leader_id"], Value::Null, "{shown}");
        let history = app
            .get(&format!("{path}/leaders"), &a.admin.token)
            .await
            .expect(200);
        let terms = history.as_array().unwrap();
        assert_eq!(terms.len(), 1, "{history}");
        assert_eq!(terms[0]["user_id"], a.leader1.id.to_string());
        assert!(terms[0]["to"].is_string(), "the term has ended: {history}");
    }
    // Another leader's micro-grid is untouched.
    let m3 = app
        .get(&format!("/api/v1/micro-grids/{}", a.m3), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(m3["leader_id"], a.leader2.id.to_string());
    let removals = count(
        &app,
        "SELECT count(*) AS n FROM audit_log WHERE action = 'micro_grid.remove_leader' \
         AND detail->>'reason' = 'deactivated'",
    )
    .await;
    assert_eq!(removals, 2);
    // Activated again, they lead nothing until assigned.
    app.patch(
        &format!("/api/v1/users/{}", a.leader1.id),
        &a.admin.token,
        json!({"active": true}),
    )
    .await
    .expect(200);
    let led = app
        .get(
            &format!("/api/v1/micro-grids?leader_id={}", a.leader1.id),
            &a.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(led["total"], 0, "{led}");
}
