//! Visits: idempotent recording (single, concurrent, batch), validation, scope, the
//! household's acquaintance/group/last-visit fields, and the visit log's filters.

use chrono::{Duration, SecondsFormat, Utc};
use diesel::sql_types::{BigInt, Bool, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::TestApp;

fn ago(minutes: i64) -> String {
    (Utc::now() - Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Millis, false)
}

fn visit(id: Uuid, household: Uuid, summary: &str) -> Value {
    json!({
        "id": id,
        "household_id": household,
        "visited_at": ago(60),
        "method": "door",
        "summary": summary,
    })
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str, id: Uuid) -> i64 {
    let mut conn = app.db().await;
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(id)
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .n
}

async fn stored_visits(app: &TestApp, id: Uuid) -> i64 {
    count(app, "SELECT count(*) AS n FROM visits WHERE id = $1", id).await
}

async fn audit_records(app: &TestApp, id: Uuid) -> i64 {
    count(
        app,
        "SELECT count(*) AS n FROM audit_log WHERE entity_id = $1 AND action = 'visit.create'",
        id,
    )
    .await
}

#[derive(QueryableByName, Debug)]
struct HouseholdRow {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    acquainted_at: Option<chrono::DateTime<Utc>>,
    #[diesel(sql_type = Bool)]
    in_group: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_visited_at: Option<chrono::DateTime<Utc>>,
}

async fn household(app: &TestApp, id: Uuid) -> HouseholdRow {
    let mut conn = app.db().await;
    diesel::sql_query(
        "SELECT acquainted_at, in_group, last_visited_at FROM households WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .get_result(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_visit_sent_again_is_stored_once_and_changed_content_conflicts() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let id = Uuid::now_v7();
    let body = visit(id, t.h1, "家里都好，老人身体硬朗");
    let first = app
        .post("/api/v1/visits", &t.leader1.token, body.clone())
        .await
        .expect(201);
    assert_eq!(first["id"], id.to_string());
    assert_eq!(first["household_id"], t.h1.to_string());
    assert_eq!(first["micro_grid_id"], t.m1.to_string());
    assert_eq!(first["leader_id"], t.leader1.id.to_string());
    assert_eq!(first["method"], "door");
    assert_eq!(first["acquainted"], false);
    assert!(first["created_at"].is_string());

    let again = app
        .post("/api/v1/visits", &t.leader1.token, body.clone())
        .await
        .expect(200);
    assert_eq!(again, first, "a replay answers with the stored visit");
    assert_eq!(stored_visits(&app, id).await, 1);
    assert_eq!(
        audit_records(&app, id).await,
        1,
        "a replay writes no audit record"
    );

    let mut changed = body.clone();
    changed["summary"] = json!("另一段内容");
    app.post("/api/v1/visits", &t.leader1.token, changed)
        .await
        .expect_error(409, "conflict");
    let mut other_household = body.clone();
    other_household["household_id"] = json!(t.h2);
    app.post("/api/v1/visits", &t.leader1.token, other_household)
        .await
        .expect_error(409, "conflict");
    // The admin sending the leader's visit id is not the same visit: a different recorder.
    app.post("/api/v1/visits", &t.admin.token, body.clone())
        .await
        .expect_error(409, "conflict");
    assert_eq!(stored_visits(&app, id).await, 1);
}

#[tokio::test]
async fn the_same_time_written_in_another_offset_is_the_same_visit() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let id = Uuid::now_v7();
    let mut body = visit(id, t.h1, "");
    body["visited_at"] = json!("2026-03-02T09:30:00.1234567+08:00");
    app.post("/api/v1/visits", &t.leader1.token, body.clone())
        .await
        .expect(201);
    body["visited_at"] = json!("2026-03-02T01:30:00.123456Z");
    app.post("/api/v1/visits", &t.leader1.token, body)
        .await
        .expect(200);
}

#[tokio::test]
async fn without_an_id_the_server_makes_a_v7_one() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let mut body = visit(Uuid::nil(), t.h1, "电话回访");
    body.as_object_mut().unwrap().remove("id");
    body["method"] = json!("phone");
    let stored = app
        .post("/api/v1/visits", &t.leader1.token, body)
        .await
        .expect(201);
    let id: Uuid = stored["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id.get_version_num(), 7);
    assert_eq!(stored["method"], "phone");
}

#[tokio::test]
async fn twenty_identical_requests_racing_store_one_visit() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let id = Uuid::now_v7();
    let body = visit(id, t.h1, "同时提交二十次");
    let requests = (0..20).map(|_| app.post("/api/v1/visits", &t.leader1.token, body.clone()));
    let answers = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    let bodies: Vec<&Value> = answers.iter().map(|r| &r.body).collect();
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every answer shows the one visit"
    );
    assert_eq!(stored_visits(&app, id).await, 1);
    assert_eq!(audit_records(&app, id).await, 1);
}

#[tokio::test]
async fn a_batch_answers_each_item_in_order_and_keeps_the_good_ones() {
    let app = TestApp::spawn().await;
    let beta = Township::create(&app, "beta").await;
    let t = Township::create(&app, "alpha").await;
    let (stored, conflicting) = (Uuid::now_v7(), Uuid::now_v7());
    let stored_body = visit(stored, t.h1, "已上传");
    app.post("/api/v1/visits", &t.leader1.token, stored_body.clone())
        .await
        .expect(201);
    app.post(
        "/api/v1/visits",
        &t.leader1.token,
        visit(conflicting, t.h2, "原来的"),
    )
    .await
    .expect(201);
    let new1 = Uuid::now_v7();
    let new2 = Uuid::now_v7();
    let foreign = Uuid::now_v7();
    let other_tenant = Uuid::now_v7();
    let future = Uuid::now_v7();
    let mut future_item = visit(future, t.h1, "明天的");
    future_item["visited_at"] = json!((Utc::now() + Duration::hours(1)).to_rfc3339());
    let mut no_id = visit(Uuid::nil(), t.h1, "没有编号");
    no_id.as_object_mut().unwrap().remove("id");
    let bad_method = Uuid::now_v7();
    let mut bad_method_item = visit(bad_method, t.h1, "");
    bad_method_item["method"] = json!("letter");
    let new1_body = visit(new1, t.h1, "新的一次");
    let new2_body = visit(new2, t.h3, "第二个新的");
    let items = json!([
        new1_body,
        stored_body,
        visit(foreign, t.h4, "别人的户"),
        visit(conflicting, t.h2, "改过的"),
        future_item,
        no_id,
        new2_body,
        visit(other_tenant, beta.h1, "别的镇"),
        bad_method_item,
        {"id": Uuid::now_v7(), "household_id": t.h1},
        new1_body,
        visit(new2, t.h3, "同一编号不同内容"),
    ]);
    let answer = app
        .post(
            "/api/v1/visits/batch",
            &t.leader1.token,
            json!({ "visits": items }),
        )
        .await
        .expect(200);
    let results = answer["results"].as_array().unwrap();
    let statuses: Vec<u64> = results
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [201, 200, 404, 409, 422, 422, 201, 404, 422, 422, 200, 409]
    );
    assert_eq!(results[0]["id"], new1.to_string());
    assert_eq!(results[2]["id"], foreign.to_string());
    assert_eq!(results[2]["error"]["code"], "not_found");
    assert_eq!(results[3]["error"]["code"], "conflict");
    assert_eq!(
        results[4]["error"]["fields"]["visited_at"][0],
        "is in the future"
    );
    assert_eq!(results[5]["id"], Value::Null);
    assert!(results[5]["error"]["fields"]["id"].is_array());
    assert!(results[8]["error"]["fields"]["method"].is_array());
    assert!(results[0].get("error").is_none());

    assert_eq!(stored_visits(&app, new1).await, 1);
    assert_eq!(stored_visits(&app, new2).await, 1);
    for missing in [foreign, future, other_tenant, bad_method] {
        assert_eq!(stored_visits(&app, missing).await, 0);
    }
    assert!(household(&app, t.h3).await.last_visited_at.is_some());

    // The whole queue sent again: everything stored answers 200, nothing new is stored.
    let again = app
        .post(
            "/api/v1/visits/batch",
            &t.leader1.token,
            json!({ "visits": [new1_body, new2_body] }),
        )
        .await
        .expect(200);
    assert_eq!(again["results"][0]["status"], 200);
    assert_eq!(again["results"][1]["status"], 200);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM visits WHERE tenant_id = $1",
            t.id
        )
        .await,
        4
    );
}

#[tokio::test]
async fn batch_limits_and_roles() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let many: Vec<Value> = (0..501).map(|_| visit(Uuid::now_v7(), t.h1, "")).collect();
    let r = app
        .post(
            "/api/v1/visits/batch",
            &t.leader1.token,
            json!({ "visits": many }),
        )
        .await;
    r.expect_error(422, "validation_failed");
    assert!(r.body["error"]["fields"]["visits"].is_array());
    let empty = app
        .post(
            "/api/v1/visits/batch",
            &t.leader1.token,
            json!({ "visits": [] }),
        )
        .await
        .expect(200);
    assert_eq!(empty["results"], json!([]));
    app.post(
        "/api/v1/visits/batch",
        &t.leader1.token,
        json!({ "items": [] }),
    )
    .await
    .expect_error(400, "bad_request");
    app.post(
        "/api/v1/visits/batch",
        &t.supervisor.token,
        json!({ "visits": [visit(Uuid::now_v7(), t.h1, "")] }),
    )
    .await
    .expect_error(403, "forbidden");
    let full: Vec<Value> = (0..500)
        .map(|i| visit(Uuid::now_v7(), [t.h1, t.h2, t.h3][i % 3], "例行走访"))
        .collect();
    let answer = app
        .post(
            "/api/v1/visits/batch",
            &t.leader1.token,
            json!({ "visits": full }),
        )
        .await
        .expect(200);
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 500);
    assert!(results.iter().all(|r| r["status"] == 201));
}

#[tokio::test]
async fn visited_at_may_be_four_minutes_ahead_but_not_six() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let mut body = visit(Uuid::now_v7(), t.h1, "");
    body["visited_at"] = json!((Utc::now() + Duration::minutes(4)).to_rfc3339());
    app.post("/api/v1/visits", &t.leader1.token, body)
        .await
        .expect(201);
    let id = Uuid::now_v7();
    let mut body = visit(id, t.h1, "");
    body["visited_at"] = json!((Utc::now() + Duration::minutes(6)).to_rfc3339());
    let r = app.post("/api/v1/visits", &t.leader1.token, body).await;
    r.expect_error(422, "validation_failed");
    assert_eq!(
        r.body["error"]["fields"]["visited_at"][0],
        "is in the future"
    );
    assert_eq!(stored_visits(&app, id).await, 0);
}

#[tokio::test]
async fn invalid_values_are_all_named_in_one_answer() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let long = "访".repeat(2001);
    let body = json!({
        "household_id": t.h1, "visited_at": "yesterday", "method": "letter", "summary": long,
    });
    let r = app.post("/api/v1/visits", &t.leader1.token, body).await;
    r.expect_error(422, "validation_failed");
    for field in ["visited_at", "method", "summary"] {
        assert!(
            r.body["error"]["fields"][field].is_array(),
            "{field}: {}",
            r.body
        );
    }
    let mut ok = visit(Uuid::now_v7(), t.h1, &"访".repeat(2000));
    app.post("/api/v1/visits", &t.leader1.token, ok.clone())
        .await
        .expect(201);
    ok["id"] = json!(Uuid::now_v7());
    ok["colour"] = json!("red");
    app.post("/api/v1/visits", &t.leader1.token, ok.clone())
        .await
        .expect_error(400, "bad_request");
    let mut no_time = visit(Uuid::now_v7(), t.h1, "");
    no_time["visited_at"] = json!("2026-03-02T09:30:00");
    app.post("/api/v1/visits", &t.leader1.token, no_time)
        .await
        .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn only_households_in_scope_can_be_visited() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    for (token, household) in [
        (&t.leader1.token, t.h4),
        (&t.leader2.token, t.h1),
        (&t.idle_leader.token, t.h1),
        (&t.leader1.token, beta.h1),
        (&t.admin.token, beta.h1),
        (&t.leader1.token, Uuid::now_v7()),
    ] {
        app.post(
            "/api/v1/visits",
            token,
            visit(Uuid::now_v7(), household, ""),
        )
        .await
        .expect_error(404, "not_found");
    }
    for token in [&t.supervisor.token, &t.grid_supervisor.token] {
        app.post("/api/v1/visits", token, visit(Uuid::now_v7(), t.h1, ""))
            .await
            .expect_error(403, "forbidden");
    }
    let operator = crate::fixtures::platform_admin(&app).await;
    app.post(
        "/api/v1/visits",
        &operator.token,
        visit(Uuid::now_v7(), t.h1, ""),
    )
    .await
    .expect_error(403, "forbidden");
    app.send(
        reqwest::Method::POST,
        "/api/v1/visits",
        None,
        Some(&visit(Uuid::now_v7(), t.h1, "")),
    )
    .await
    .expect_error(401, "unauthenticated");
    // A tenant admin records for any household of the township, and is the recorder.
    let by_admin = app
        .post(
            "/api/v1/visits",
            &t.admin.token,
            visit(Uuid::now_v7(), t.h4, "镇里走访"),
        )
        .await
        .expect(201);
    assert_eq!(by_admin["leader_id"], t.admin.id.to_string());
    assert_eq!(by_admin["micro_grid_id"], t.m3.to_string());
    // A beta leader sending an alpha visit id sees nothing of it.
    let id = Uuid::now_v7();
    app.post("/api/v1/visits", &t.leader1.token, visit(id, t.h1, ""))
        .await
        .expect(201);
    app.post(
        "/api/v1/visits",
        &beta.leader1.token,
        visit(id, beta.h1, ""),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn visits_keep_the_household_acquainted_in_group_and_last_visited() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let before = household(&app, t.h1).await;
    assert!(before.acquainted_at.is_none() && !before.in_group && before.last_visited_at.is_none());

    let mut first = visit(Uuid::now_v7(), t.h1, "认亲，填写信息采集表");
    first["visited_at"] = json!("2026-03-02T09:30:00+08:00");
    first["acquainted"] = json!(true);
    app.post("/api/v1/visits", &t.leader1.token, first)
        .await
        .expect(201);
    let h = household(&app, t.h1).await;
    assert_eq!(
        h.acquainted_at.unwrap().to_rfc3339(),
        "2026-03-02T01:30:00+00:00"
    );
    assert_eq!(h.last_visited_at, h.acquainted_at);
    assert!(!h.in_group);

    let mut later = visit(Uuid::now_v7(), t.h1, "加入微网格群");
    later["visited_at"] = json!("2026-03-09T10:00:00+08:00");
    later["acquainted"] = json!(true);
    later["joined_group"] = json!(true);
    app.post("/api/v1/visits", &t.leader1.token, later)
        .await
        .expect(201);
    let h = household(&app, t.h1).await;
    assert_eq!(
        h.acquainted_at.unwrap().to_rfc3339(),
        "2026-03-02T01:30:00+00:00",
        "the first acquaintance stays"
    );
    assert!(h.in_group);
    assert_eq!(
        h.last_visited_at.unwrap().to_rfc3339(),
        "2026-03-09T02:00:00+00:00"
    );

    // A late upload of an older visit does not move last_visited_at back.
    let mut older = visit(Uuid::now_v7(), t.h1, "补传");
    older["visited_at"] = json!("2026-03-05T10:00:00+08:00");
    app.post("/api/v1/visits", &t.leader1.token, older)
        .await
        .expect(201);
    let h = household(&app, t.h1).await;
    assert_eq!(
        h.last_visited_at.unwrap().to_rfc3339(),
        "2026-03-09T02:00:00+00:00"
    );
    assert!(
        h.in_group,
        "a visit without joined_group leaves in_group alone"
    );
    // Other households are untouched.
    assert!(household(&app, t.h2).await.last_visited_at.is_none());
}

#[tokio::test]
async fn a_batch_with_several_visits_to_one_household_updates_it_once_correctly() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let at = |s: &str, acq: bool, group: bool| {
        let mut v = visit(Uuid::now_v7(), t.h2, "");
        v["visited_at"] = json!(s);
        v["acquainted"] = json!(acq);
        v["joined_group"] = json!(group);
        v
    };
    let items = json!([
        at("2026-03-09T10:00:00+08:00", true, false),
        at("2026-03-02T10:00:00+08:00", true, false),
        at("2026-03-16T10:00:00+08:00", false, true),
    ]);
    app.post(
        "/api/v1/visits/batch",
        &t.leader1.token,
        json!({ "visits": items }),
    )
    .await
    .expect(200);
    let h = household(&app, t.h2).await;
    assert_eq!(
        h.acquainted_at.unwrap().to_rfc3339(),
        "2026-03-02T02:00:00+00:00"
    );
    assert_eq!(
        h.last_visited_at.unwrap().to_rfc3339(),
        "2026-03-16T02:00:00+00:00"
    );
    assert!(h.in_group);
}

async fn record_at(app: &TestApp, token: &str, household: Uuid, at: &str) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = visit(id, household, "");
    body["visited_at"] = json!(at);
    app.post("/api/v1/visits", token, body).await.expect(201);
    id
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_visit_log_is_newest_first_filtered_and_scoped() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    // 2026-03-02 07:00 in Shanghai is still 2026-03-01 in UTC.
    let a = record_at(&app, &t.leader1.token, t.h1, "2026-03-02T07:00:00+08:00").await;
    let b = record_at(&app, &t.leader1.token, t.h3, "2026-03-03T10:00:00+08:00").await;
    let c = record_at(&app, &t.leader2.token, t.h4, "2026-03-04T10:00:00+08:00").await;
    let d = record_at(&app, &t.admin.token, t.h1, "2026-03-05T23:59:00+08:00").await;
    record_at(
        &app,
        &beta.leader1.token,
        beta.h1,
        "2026-03-05T10:00:00+08:00",
    )
    .await;
    let s = |id: Uuid| id.to_string();

    let all = app.get("/api/v1/visits", &t.admin.token).await.expect(200);
    assert_eq!(ids(&all), [s(d), s(c), s(b), s(a)]);
    assert_eq!(all["total"], 4);
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 50);
    let township = app
        .get("/api/v1/visits", &t.supervisor.token)
        .await
        .expect(200);
    assert_eq!(township["total"], 4);
    let leader1 = app
        .get("/api/v1/visits", &t.leader1.token)
        .await
        .expect(200);
    assert_eq!(
        ids(&leader1),
        [s(d), s(b), s(a)],
        "m1 and m2, whoever recorded"
    );
    let leader2 = app
        .get("/api/v1/visits", &t.leader2.token)
        .await
        .expect(200);
    assert_eq!(ids(&leader2), [s(c)]);
    let idle = app
        .get("/api/v1/visits", &t.idle_leader.token)
        .await
        .expect(200);
    assert_eq!(idle["total"], 0);
    let grid = app
        .get("/api/v1/visits", &t.grid_supervisor.token)
        .await
        .expect(200);
    assert_eq!(ids(&grid), [s(d), s(b), s(a)]);

    let q = |query: &str| format!("/api/v1/visits?{query}");
    let by_household = app
        .get(&q(&format!("household_id={}", t.h1)), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&by_household), [s(d), s(a)]);
    let by_micro_grid = app
        .get(&q(&format!("micro_grid_id={}", t.m2)), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&by_micro_grid), [s(b)]);
    let by_leader = app
        .get(&q(&format!("leader_id={}", t.leader1.id)), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&by_leader), [s(b), s(a)]);
    let out_of_scope = app
        .get(&q(&format!("micro_grid_id={}", t.m3)), &t.leader1.token)
        .await
        .expect(200);
    assert_eq!(out_of_scope["total"], 0);

    let day = app
        .get(&q("from=2026-03-02&to=2026-03-02"), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&day), [s(a)], "days are the township's, not UTC's");
    let range = app
        .get(&q("from=2026-03-03&to=2026-03-05"), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(
        ids(&range),
        [s(d), s(c), s(b)],
        "to is inclusive up to 23:59"
    );
    let since = app
        .get(&q("from=2026-03-04"), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&since), [s(d), s(c)]);

    let paged = app
        .get(&q("per_page=2&page=2"), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&paged), [s(b), s(a)]);
    assert_eq!(paged["total"], 4);
    // Well-formed dates in the wrong order are invalid values, as in the statistics.
    app.get(&q("from=2026-03-05&to=2026-03-01"), &t.admin.token)
        .await
        .expect_error(422, "validation_failed");
    for bad in [
        "from=03/01/2026",
        "household_id=x",
        "per_page=500",
        "colour=red",
    ] {
        app.get(&q(bad), &t.admin.token)
            .await
            .expect_error(400, "bad_request");
    }
}

#[tokio::test]
async fn a_stored_visit_still_replays_after_its_household_moved_away() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let body = visit(Uuid::now_v7(), t.h1, "搬走前的走访");
    app.post("/api/v1/visits", &t.leader1.token, body.clone())
        .await
        .expect(201);
    let mut conn = app.db().await;
    diesel::sql_query("UPDATE households SET micro_grid_id = $1 WHERE id = $2")
        .bind::<SqlUuid, _>(t.m3)
        .bind::<SqlUuid, _>(t.h1)
        .execute(&mut conn)
        .await
        .unwrap();
    // The phone's late retry is recognised; a new visit there is not the leader's to record.
    app.post("/api/v1/visits", &t.leader1.token, body.clone())
        .await
        .expect(200);
    let mut changed = body;
    changed["summary"] = json!("改过");
    app.post("/api/v1/visits", &t.leader1.token, changed)
        .await
        .expect_error(404, "not_found");
    app.post(
        "/api/v1/visits",
        &t.leader1.token,
        visit(Uuid::now_v7(), t.h1, ""),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn an_ended_session_stores_nothing_though_the_visit_goes_out_with_the_check() {
    // `POST /visits` sends the recording statement pipelined with the session check; the
    // statement itself must refuse a token whose version is stale or whose user is inactive.
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let stored = Uuid::now_v7();
    let body = visit(stored, t.h1, "第一次");
    app.post("/api/v1/visits", &t.leader1.token, body.clone())
        .await
        .expect(201);

    let mut conn = app.db().await;
    diesel::sql_query("UPDATE users SET token_version = token_version + 1 WHERE id = $1")
        .bind::<SqlUuid, _>(t.leader1.id)
        .execute(&mut conn)
        .await
        .unwrap();
    let fresh = Uuid::now_v7();
    app.post(
        "/api/v1/visits",
        &t.leader1.token,
        visit(fresh, t.h2, "旧令牌"),
    )
    .await
    .expect_error(401, "unauthenticated");
    assert_eq!(stored_visits(&app, fresh).await, 0);
    assert_eq!(audit_records(&app, fresh).await, 0);
    assert!(household(&app, t.h2).await.last_visited_at.is_none());
    // A replay of a stored visit is no way around it either.
    app.post("/api/v1/visits", &t.leader1.token, body)
        .await
        .expect_error(401, "unauthenticated");

    crate::auth::deactivate(&app, &t, t.leader2.id).await;
    let other = Uuid::now_v7();
    app.post(
        "/api/v1/visits",
        &t.leader2.token,
        visit(other, t.h4, "已停用"),
    )
    .await
    .expect_error(401, "unauthenticated");
    assert_eq!(stored_visits(&app, other).await, 0);
}

#[tokio::test]
async fn visits_of_many_phones_sharing_commits_each_get_their_own_answer() {
    // One writer: whatever arrives while it stores a group goes into the next one, so the
    // requests below share statements across leaders and townships.
    let app = TestApp::spawn_with(&[("LIANXIN_VISIT_WRITERS", "1")]).await;
    let alpha = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let (replayed, conflicting) = (Uuid::now_v7(), Uuid::now_v7());
    let replay_body = visit(replayed, alpha.h1, "上周已上传");
    for (id, body) in [
        (replayed, replay_body.clone()),
        (conflicting, visit(conflicting, alpha.h2, "原来的")),
    ] {
        app.post("/api/v1/visits", &alpha.leader1.token, body)
            .await
            .expect(201);
        assert_eq!(stored_visits(&app, id).await, 1);
    }

    // (token, body, expected status, whether the id must end up stored exactly once)
    let mut cases: Vec<(&str, Value, u16, bool)> = Vec::new();
    for i in 0..12 {
        let (t, own, other_leader) = if i % 2 == 0 {
            (&alpha, [alpha.h1, alpha.h2, alpha.h3], &alpha.leader2)
        } else {
            (&beta, [beta.h1, beta.h2, beta.h3], &beta.leader2)
        };
        let mine = visit(Uuid::now_v7(), own[i % 3], &format!("第{i}户"));
        cases.push((&t.leader1.token, mine, 201, true));
        cases.push((
            &other_leader.token,
            visit(Uuid::now_v7(), t.h4, "园区"),
            201,
            true,
        ));
        // Another leader's household, and another township's: not theirs to record.
        cases.push((
            &other_leader.token,
            visit(Uuid::now_v7(), own[0], "不是我的"),
            404,
            false,
        ));
        cases.push((
            &beta.leader1.token,
            visit(Uuid::now_v7(), alpha.h1, "别的镇"),
            404,
            false,
        ));
    }
    cases.push((&alpha.leader1.token, replay_body, 200, true));
    cases.push((
        &alpha.leader1.token,
        visit(conflicting, alpha.h2, "改过了"),
        409,
        true,
    ));

    let answers = futures_util::future::join_all(
        cases
            .iter()
            .map(|(token, body, _, _)| app.post("/api/v1/visits", token, body.clone())),
    )
    .await;
    for ((_, body, expected, _), answer) in cases.iter().zip(&answers) {
        assert_eq!(answer.status, *expected, "{body} → {}", answer.body);
    }
    for (_, body, _, stored) in &cases {
        let id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
        let expected = i64::from(*stored);
        assert_eq!(stored_visits(&app, id).await, expected, "{body}");
        assert_eq!(audit_records(&app, id).await, expected, "{body}");
    }
    // Every single visit went through the writer, one group count per visit.
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sum = metrics
        .lines()
        .find_map(|l| l.strip_prefix("lianxin_visit_group_size_sum "))
        .expect("the group size metric");
    assert_eq!(sum.parse::<f64>().unwrap(), (cases.len() + 2) as f64);
}
