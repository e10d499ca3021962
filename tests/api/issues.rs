//! Issues: raising, every legal and illegal transition, races decided by the database, the
//! events of each issue, role scope and the lists (the township's escalated queue).

use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::{Resp, TestApp};

async fn raise(app: &TestApp, token: &str, household: Uuid, category: &str) -> Value {
    app.post(
        "/api/v1/issues",
        token,
        json!({ "household_id": household, "category": category, "description": "村口道路需要设桩" }),
    )
    .await
    .expect(201)
}

fn id_of(issue: &Value) -> String {
    issue["id"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, token: &str, issue: &str, action: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/issues/{issue}/{action}"), token, body)
        .await
}

fn body_for(action: &str) -> Value {
    match action {
        "resolve" => json!({ "resolution": "已协调交通部门设桩" }),
        "feedback" => json!({ "satisfied": true }),
        _ => json!({ "note": "需要镇里协调" }),
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    let mut conn = app.db().await;
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(id.parse::<Uuid>().unwrap())
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .n
}

async fn events_stored(app: &TestApp, issue: &str) -> i64 {
    count(
        app,
        "SELECT count(*) AS n FROM issue_events WHERE issue_id = $1",
        issue,
    )
    .await
}

async fn audit_records(app: &TestApp, issue: &str) -> i64 {
    count(
        app,
        "SELECT count(*) AS n FROM audit_log WHERE entity_id = $1 AND action LIKE 'issue.%'",
        issue,
    )
    .await
}

fn actions(issue: &Value) -> Vec<(String, Value, Value)> {
    issue["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["from_status"].clone(),
                e["to_status"].clone(),
            )
        })
        .collect()
}

fn ev(action: &str, from: Option<&str>, to: &str) -> (String, Value, Value) {
    (action.to_owned(), json!(from), json!(to))
}

#[tokio::test]
async fn raising_an_issue_stores_it_open_with_its_raise_event() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let visit = Uuid::now_v7();
    app.post(
        "/api/v1/visits",
        &t.leader1.token,
        json!({ "id": visit, "household_id": t.h1, "visited_at": "2026-03-02T09:00:00+08:00",
                "method": "door", "summary": "反映低保申请" }),
    )
    .await
    .expect(201);
    let issue = app
        .post(
            "/api/v1/issues",
            &t.leader1.token,
            json!({ "household_id": t.h1, "visit_id": visit, "category": "welfare",
                    "description": "  申请低保  " }),
        )
        .await
        .expect(201);
    assert_eq!(issue["status"], "open");
    assert_eq!(issue["category"], "welfare");
    assert_eq!(issue["description"], "申请低保");
    assert_eq!(issue["household_id"], t.h1.to_string());
    assert_eq!(issue["micro_grid_id"], t.m1.to_string());
    assert_eq!(issue["visit_id"], visit.to_string());
    assert_eq!(issue["raised_by"], t.leader1.id.to_string());
    assert!(issue["raised_at"].is_string());
    assert_eq!(issue["resolved_at"], Value::Null);
    assert_eq!(issue["resolution"], Value::Null);
    assert_eq!(issue["satisfied"], Value::Null);
    assert_eq!(actions(&issue), [ev("raise", None, "open")]);
    assert_eq!(issue["events"][0]["actor_id"], t.leader1.id.to_string());
    assert_eq!(audit_records(&app, &id_of(&issue)).await, 1);

    let shown = app
        .get(
            &format!("/api/v1/issues/{}", id_of(&issue)),
            &t.leader1.token,
        )
        .await
        .expect(200);
    assert_eq!(shown, issue);
}

#[tokio::test]
async fn invalid_issues_are_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let r = app
        .post(
            "/api/v1/issues",
            &t.leader1.token,
            json!({ "household_id": t.h1, "category": "roads", "description": "  " }),
        )
        .await;
    r.expect_error(422, "validation_failed");
    assert!(r.body["error"]["fields"]["category"].is_array());
    assert!(r.body["error"]["fields"]["description"].is_array());
    let long = "路".repeat(2001);
    app.post(
        "/api/v1/issues",
        &t.leader1.token,
        json!({ "household_id": t.h1, "category": "road", "description": long }),
    )
    .await
    .expect_error(422, "validation_failed");
    app.post(
        "/api/v1/issues",
        &t.leader1.token,
        json!({ "household_id": t.h1, "category": "road", "description": "x", "status": "resolved" }),
    )
    .await
    .expect_error(400, "bad_request");
    // A visit to another household, or to none that exists.
    let other_visit = Uuid::now_v7();
    app.post(
        "/api/v1/visits",
        &t.leader1.token,
        json!({ "id": other_visit, "household_id": t.h2, "visited_at": "2026-03-02T09:00:00+08:00",
                "method": "door", "summary": "" }),
    )
    .await
    .expect(201);
    for visit in [other_visit, Uuid::now_v7()] {
        let r = app
            .post(
                "/api/v1/issues",
                &t.leader1.token,
                json!({ "household_id": t.h1, "visit_id": visit, "category": "road", "description": "设桩" }),
            )
            .await;
        r.expect_error(422, "validation_failed");
        assert!(r.body["error"]["fields"]["visit_id"].is_array());
    }
    // Households out of scope do not exist for the caller.
    for (token, household) in [
        (&t.leader1.token, t.h4),
        (&t.leader2.token, t.h1),
        (&t.grid_supervisor.token, t.h4),
        (&t.admin.token, beta.h1),
        (&t.leader1.token, Uuid::now_v7()),
    ] {
        app.post(
            "/api/v1/issues",
            token,
            json!({ "household_id": household, "category": "road", "description": "设桩" }),
        )
        .await
        .expect_error(404, "not_found");
    }
    let operator = crate::fixtures::platform_admin(&app).await;
    app.post(
        "/api/v1/issues",
        &operator.token,
        json!({ "household_id": t.h1, "category": "road", "description": "设桩" }),
    )
    .await
    .expect_error(403, "forbidden");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM issues WHERE tenant_id = $1",
            &t.id.to_string()
        )
        .await,
        0
    );
}

#[tokio::test]
async fn every_transition_from_every_state() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let leader = &t.leader1.token;
    let all = ["escalate", "resolve", "reopen", "feedback"];
    let legal = |status: &str, action: &str, fed_back: bool| {
        matches!(
            (status, action),
            ("open", "escalate")
                | ("open", "resolve")
                | ("escalated", "resolve")
                | ("resolved", "reopen")
        ) || (status == "resolved" && action == "feedback" && !fed_back)
    };
    // Drive an issue into each state, then try every action there.
    let paths: &[&[&str]] = &[
        &[],
        &["escalate"],
        &["resolve"],
        &["escalate", "resolve"],
        &["resolve", "feedback"],
        &["resolve", "reopen"],
    ];
    for path in paths {
        for action in all {
            let issue = id_of(&raise(&app, leader, t.h1, "road").await);
            let mut status = "open".to_owned();
            let mut fed_back = false;
            for step in *path {
                let after = act(&app, leader, &issue, step, body_for(step))
                    .await
                    .expect(200);
                status = after["status"].as_str().unwrap().to_owned();
                fed_back = !after["satisfied"].is_null();
            }
            let events_before = events_stored(&app, &issue).await;
            let r = act(&app, leader, &issue, action, body_for(action)).await;
            if legal(&status, action, fed_back) {
                assert_eq!(
                    r.status, 200,
                    "{action} from {status} after {path:?}: {}",
                    r.body
                );
                assert_eq!(events_stored(&app, &issue).await, events_before + 1);
            } else {
                r.expect_error(409, "conflict");
                assert_eq!(
                    events_stored(&app, &issue).await,
                    events_before,
                    "no event for a refusal"
                );
            }
        }
    }
}

#[tokio::test]
async fn an_issue_lives_from_raise_to_feedback_and_keeps_its_history() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let issue = id_of(&raise(&app, &t.leader1.token, t.h1, "housing").await);

    let escalated = act(
        &app,
        &t.leader1.token,
        &issue,
        "escalate",
        json!({ "note": "建房审批需镇里办理" }),
    )
    .await
    .expect(200);
    assert_eq!(escalated["status"], "escalated");
    assert_eq!(escalated["events"][1]["note"], "建房审批需镇里办理");

    let resolved = act(
        &app,
        &t.supervisor.token,
        &issue,
        "resolve",
        json!({ "resolution": "审批已通过" }),
    )
    .await
    .expect(200);
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution"], "审批已通过");
    assert!(resolved["resolved_at"].is_string());
    // One moment: the issue's resolved_at is its resolve event's time.
    assert_eq!(resolved["resolved_at"], resolved["events"][2]["at"]);
    assert_eq!(
        resolved["events"][2]["actor_id"],
        t.supervisor.id.to_string()
    );

    let reopened = act(
        &app,
        &t.leader1.token,
        &issue,
        "reopen",
        json!({ "note": "群众不满意" }),
    )
    .await
    .expect(200);
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["resolved_at"], Value::Null);
    assert_eq!(reopened["resolution"], Value::Null);

    act(
        &app,
        &t.admin.token,
        &issue,
        "resolve",
        json!({ "resolution": "证已在办" }),
    )
    .await
    .expect(200);
    // Not satisfied: the feedback is an event, and the issue is open again (api.md).
    let unhappy = act(
        &app,
        &t.leader1.token,
        &issue,
        "feedback",
        json!({ "satisfied": false, "comment": "还没拿到证" }),
    )
    .await
    .expect(200);
    assert_eq!(unhappy["status"], "open");
    assert_eq!(unhappy["resolution"], Value::Null);
    assert_eq!(
        unhappy["satisfied"],
        Value::Null,
        "the next resolution gets its own feedback"
    );
    assert_eq!(unhappy["events"][5]["note"], "还没拿到证");
    act(
        &app,
        &t.leader1.token,
        &issue,
        "feedback",
        json!({ "satisfied": true }),
    )
    .await
    .expect_error(409, "conflict");

    act(
        &app,
        &t.admin.token,
        &issue,
        "resolve",
        json!({ "resolution": "证已送到" }),
    )
    .await
    .expect(200);
    let happy = act(
        &app,
        &t.leader1.token,
        &issue,
        "feedback",
        json!({ "satisfied": true }),
    )
    .await
    .expect(200);
    assert_eq!(happy["satisfied"], true);
    assert_eq!(happy["resolution"], "证已送到");
    act(
        &app,
        &t.leader1.token,
        &issue,
        "feedback",
        json!({ "satisfied": false }),
    )
    .await
    .expect_error(409, "conflict");
    assert_eq!(
        actions(&happy),
        [
            ev("raise", None, "open"),
            ev("escalate", Some("open"), "escalated"),
            ev("resolve", Some("escalated"), "resolved"),
            ev("reopen", Some("resolved"), "open"),
            ev("resolve", Some("open"), "resolved"),
            ev("feedback", Some("resolved"), "open"),
            ev("resolve", Some("open"), "resolved"),
            ev("feedback", Some("resolved"), "resolved"),
        ]
    );
    assert_eq!(happy["events"][6]["note"], "证已送到");
    assert_eq!(audit_records(&app, &issue).await, 8);

    // Bodies are checked: a resolution is required, notes are bounded, fields are known.
    act(
        &app,
        &t.leader1.token,
        &issue,
        "reopen",
        json!({ "note": "长".repeat(2001) }),
    )
    .await
    .expect_error(422, "validation_failed");
    act(
        &app,
        &t.leader1.token,
        &issue,
        "resolve",
        json!({ "resolution": "" }),
    )
    .await
    .expect_error(422, "validation_failed");
    act(
        &app,
        &t.leader1.token,
        &issue,
        "escalate",
        json!({ "reason": "x" }),
    )
    .await
    .expect_error(400, "bad_request");
    act(
        &app,
        &t.leader1.token,
        &Uuid::now_v7().to_string(),
        "escalate",
        json!({}),
    )
    .await
    .expect_error(404, "not_found");
    act(&app, &t.leader1.token, "not-an-id", "escalate", json!({}))
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn racing_transitions_cannot_both_win() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let token = &t.leader1.token;

    // Ten identical transitions at once: one wins, nine see its result.
    for (setup, action) in [
        (&[][..], "resolve"),
        (&[][..], "escalate"),
        (&["resolve"][..], "feedback"),
        (&["resolve"][..], "reopen"),
    ] {
        let issue = id_of(&raise(&app, token, t.h1, "land").await);
        for step in setup {
            act(&app, token, &issue, step, body_for(step))
                .await
                .expect(200);
        }
        let before = events_stored(&app, &issue).await;
        let racers = (0..10).map(|_| act(&app, token, &issue, action, body_for(action)));
        let statuses: Vec<u16> = futures_util::future::join_all(racers)
            .await
            .iter()
            .map(|r| r.status)
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{action}: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            9,
            "{action}: {statuses:?}"
        );
        assert_eq!(events_stored(&app, &issue).await, before + 1);
    }

    // Resolve and escalate at once on an open issue: escalate after resolve is refused,
    // resolve after escalate is legal; either way the events tell what happened.
    for _ in 0..5 {
        let issue = id_of(&raise(&app, token, t.h1, "land").await);
        let (resolve, escalate) = tokio::join!(
            act(&app, token, &issue, "resolve", body_for("resolve")),
            act(
                &app,
                &t.supervisor.token,
                &issue,
                "escalate",
                body_for("escalate")
            ),
        );
        assert_eq!(
            resolve.status, 200,
            "resolve is legal from open and from escalated"
        );
        let shown = app
            .get(&format!("/api/v1/issues/{issue}"), token)
            .await
            .expect(200);
        assert_eq!(shown["status"], "resolved");
        match escalate.status {
            409 => assert_eq!(
                actions(&shown),
                [
                    ev("raise", None, "open"),
                    ev("resolve", Some("open"), "resolved")
                ]
            ),
            200 => assert_eq!(
                actions(&shown),
                [
                    ev("raise", None, "open"),
                    ev("escalate", Some("open"), "escalated"),
                    ev("resolve", Some("escalated"), "resolved"),
                ]
            ),
            other => panic!("escalate answered {other}: {}", escalate.body),
        }
    }
}

#[tokio::test]
async fn each_role_sees_and_acts_on_its_own_scope() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let on_h1 = id_of(&raise(&app, &t.leader1.token, t.h1, "road").await);
    let on_h4 = id_of(&raise(&app, &t.leader2.token, t.h4, "other").await);
    let on_beta = id_of(&raise(&app, &beta.leader1.token, beta.h1, "road").await);

    let show = |token: &str, issue: &str| {
        let path = format!("/api/v1/issues/{issue}");
        let token = token.to_owned();
        let app = &app;
        async move { app.get(&path, &token).await.status }
    };
    for (token, issue, status) in [
        (&t.leader1.token, &on_h1, 200),
        (&t.leader1.token, &on_h4, 404),
        (&t.leader2.token, &on_h1, 404),
        (&t.idle_leader.token, &on_h1, 404),
        (&t.grid_supervisor.token, &on_h1, 200),
        (&t.grid_supervisor.token, &on_h4, 404),
        (&t.supervisor.token, &on_h4, 200),
        (&t.admin.token, &on_h4, 200),
        (&t.admin.token, &on_beta, 404),
        (&beta.admin.token, &on_h1, 404),
    ] {
        assert_eq!(show(token, issue).await, status);
    }
    // Acting follows the same scope.
    act(&app, &t.leader2.token, &on_h1, "escalate", json!({}))
        .await
        .expect_error(404, "not_found");
    act(
        &app,
        &t.grid_supervisor.token,
        &on_h4,
        "resolve",
        body_for("resolve"),
    )
    .await
    .expect_error(404, "not_found");
    act(
        &app,
        &t.admin.token,
        &on_beta,
        "resolve",
        body_for("resolve"),
    )
    .await
    .expect_error(404, "not_found");
    act(
        &app,
        &t.grid_supervisor.token,
        &on_h1,
        "escalate",
        json!({}),
    )
    .await
    .expect(200);
    act(&app, &t.supervisor.token, &on_h4, "escalate", json!({}))
        .await
        .expect(200);
    let operator = crate::fixtures::platform_admin(&app).await;
    act(
        &app,
        &operator.token,
        &on_h1,
        "resolve",
        body_for("resolve"),
    )
    .await
    .expect_error(403, "forbidden");
    app.get("/api/v1/issues", &operator.token)
        .await
        .expect_error(403, "forbidden");

    // A household moved to another micro-grid: its issues follow it to the new leader.
    let mut conn = app.db().await;
    diesel::sql_query("UPDATE households SET micro_grid_id = $1 WHERE id = $2")
        .bind::<SqlUuid, _>(t.m3)
        .bind::<SqlUuid, _>(t.h1)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(show(&t.leader2.token, &on_h1).await, 200);
    assert_eq!(show(&t.leader1.token, &on_h1).await, 404);
}

fn listed(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

#[tokio::test]
async fn issue_lists_filter_and_scope_and_the_escalated_queue() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let today = || {
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive()
    };
    // The township's day before the first issue is raised: the day they were all raised on,
    // unless local midnight falls during the test (then the range below spans both days).
    let first_day = today();
    let a = id_of(&raise(&app, &t.leader1.token, t.h1, "road").await);
    let b = id_of(&raise(&app, &t.leader1.token, t.h3, "welfare").await);
    let c = id_of(&raise(&app, &t.leader2.token, t.h4, "land").await);
    let d = id_of(&raise(&app, &t.leader1.token, t.h2, "road").await);
    raise(&app, &beta.leader1.token, beta.h1, "road").await;
    act(&app, &t.leader1.token, &b, "escalate", json!({}))
        .await
        .expect(200);
    act(&app, &t.leader2.token, &c, "escalate", json!({}))
        .await
        .expect(200);
    act(&app, &t.leader1.token, &d, "resolve", body_for("resolve"))
        .await
        .expect(200);

    let list = |token: &str, query: &str| {
        let path = format!("/api/v1/issues?{query}");
        let token = token.to_owned();
        let app = &app;
        async move { app.get(&path, &token).await.expect(200) }
    };
    let all = list(&t.admin.token, "").await;
    assert_eq!(
        listed(&all),
        [d.as_str(), c.as_str(), b.as_str(), a.as_str()],
        "newest first"
    );
    assert_eq!(all["total"], 4);
    let queue = list(&t.supervisor.token, "status=escalated").await;
    assert_eq!(listed(&queue), [c.as_str(), b.as_str()]);
    assert_eq!(
        listed(&list(&t.grid_supervisor.token, "status=escalated").await),
        [b.as_str()]
    );
    assert_eq!(
        listed(&list(&t.leader1.token, "").await),
        [d.as_str(), b.as_str(), a.as_str()]
    );
    assert_eq!(listed(&list(&t.leader2.token, "").await), [c.as_str()]);
    assert_eq!(list(&t.idle_leader.token, "").await["total"], 0);
    assert_eq!(
        listed(&list(&t.admin.token, "category=road").await),
        [d.as_str(), a.as_str()]
    );
    assert_eq!(
        listed(&list(&t.admin.token, "status=resolved").await),
        [d.as_str()]
    );
    assert_eq!(
        listed(&list(&t.admin.token, &format!("household_id={}", t.h3)).await),
        [b.as_str()]
    );
    assert_eq!(
        listed(&list(&t.admin.token, &format!("micro_grid_id={}", t.m1)).await),
        [d.as_str(), a.as_str()]
    );
    assert_eq!(
        listed(&list(&t.admin.token, &format!("grid_id={}", t.g2)).await),
        [c.as_str()]
    );
    assert_eq!(
        list(&t.leader1.token, &format!("grid_id={}", t.g2)).await["total"],
        0
    );
    let last_day = today();
    assert_eq!(
        list(&t.admin.token, &format!("from={first_day}&to={last_day}")).await["total"],
        4
    );
    let yesterday = first_day.pred_opt().unwrap();
    assert_eq!(
        list(&t.admin.token, &format!("to={yesterday}")).await["total"],
        0
    );
    let paged = list(&t.admin.token, "per_page=3&page=2").await;
    assert_eq!(listed(&paged), [a.as_str()]);
    assert_eq!(paged["total"], 4);
    for bad in [
        "status=closed",
        "category=roads",
        "grid_id=1",
        "from=2026-13-01",
        "page=0",
    ] {
        app.get(&format!("/api/v1/issues?{bad}"), &t.admin.token)
            .await
            .expect_error(400, "bad_request");
    }
}

#[tokio::test]
async fn the_served_document_describes_visits_and_issues() {
    let app = TestApp::spawn().await;
    let spec = app
        .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    for path in [
        "/api/v1/visits",
        "/api/v1/visits/batch",
        "/api/v1/issues",
        "/api/v1/issues/{id}",
        "/api/v1/issues/{id}/escalate",
        "/api/v1/issues/{id}/resolve",
        "/api/v1/issues/{id}/reopen",
        "/api/v1/issues/{id}/feedback",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing");
    }
    let record = &spec["paths"]["/api/v1/visits"]["post"]["responses"];
    for status in ["200", "201", "404", "409", "422"] {
        assert!(
            record[status].is_object(),
            "POST /visits {status} undocumented"
        );
    }
    for schema in [
        "Visit",
        "VisitInput",
        "BatchResult",
        "Issue",
        "IssueEvent",
        "IssueDetail",
    ] {
        assert!(
            spec["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}

#[tokio::test]
async fn an_issue_sent_again_by_a_phone_is_stored_once_and_changed_content_conflicts() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let id = Uuid::now_v7();
    let body = json!({
        "id": id, "household_id": t.h1, "category": "welfare", "description": "申请低保",
    });
    // The phone retries on a weak network, several copies at once.
    let answers = futures_util::future::join_all(
        (0..8).map(|_| app.post("/api/v1/issues", &t.leader1.token, body.clone())),
    )
    .await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    assert!(answers.iter().all(|r| r.body["id"] == id.to_string()));
    let stored = id.to_string();
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM issues WHERE id = $1",
            &stored
        )
        .await,
        1
    );
    assert_eq!(events_stored(&app, &stored).await, 1);
    assert_eq!(audit_records(&app, &stored).await, 1);

    // Later, the same copy again: 200 with the issue as it is now (escalated meanwhile).
    act(
        &app,
        &t.leader1.token,
        &stored,
        "escalate",
        body_for("escalate"),
    )
    .await
    .expect(200);
    let replay = app
        .post("/api/v1/issues", &t.leader1.token, body.clone())
        .await
        .expect(200);
    assert_eq!(replay["status"], "escalated");

    // The same id with other content, or from another leader: a sync conflict.
    let mut changed = body.clone();
    changed["description"] = json!("申请危房改造");
    app.post("/api/v1/issues", &t.leader1.token, changed)
        .await
        .expect(409);
    app.post("/api/v1/issues", &t.admin.token, body.clone())
        .await
        .expect(409);
    // A household out of the caller's scope is still 404, whatever the id.
    let mut foreign = body;
    foreign["household_id"] = json!(t.h4);
    app.post("/api/v1/issues", &t.leader1.token, foreign.clone())
        .await
        .expect(404);
    // Another leader's own household with this id: the stored issue is not theirs to know
    // of, so 404, not a 409 that would confirm it exists.
    app.post("/api/v1/issues", &t.leader2.token, foreign)
        .await
        .expect_error(404, "not_found");
    assert_eq!(events_stored(&app, &stored).await, 2);
}

/// A family moves to another micro-grid: its new leader takes over its history and what it
/// still waits for; its old leader no longer sees it; lists filter by the issue's own field.
#[tokio::test]
async fn a_household_that_moves_takes_its_waiting_issues_and_history_to_its_new_leader() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let visited_at = (chrono::Utc::now() - chrono::Duration::minutes(30)).to_rfc3339();
    app.post(
        "/api/v1/visits",
        &t.leader1.token,
        json!({"household_id": t.h1, "visited_at": visited_at, "method": "door", "summary": "认亲走访"}),
    )
    .await
    .expect(201);
    let waiting = id_of(&raise(&app, &t.leader1.token, t.h1, "road").await);
    let done = id_of(&raise(&app, &t.leader1.token, t.h1, "welfare").await);
    act(
        &app,
        &t.leader1.token,
        &done,
        "resolve",
        body_for("resolve"),
    )
    .await
    .expect(200);

    app.post(
        "/api/v1/households/assign",
        &t.admin.token,
        json!({"household_ids": [t.h1], "micro_grid_id": t.m3}),
    )
    .await
    .expect(200);

    let of_h1 = |what: &str| format!("/api/v1/{what}?household_id={}", t.h1);
    for what in ["visits", "issues"] {
        let old = app.get(&of_h1(what), &t.leader1.token).await.expect(200);
        assert_eq!(old["total"], 0, "the old leader's {what}");
    }
    let visits = app
        .get(&of_h1("visits"), &t.leader2.token)
        .await
        .expect(200);
    assert_eq!(
        visits["total"], 1,
        "the new leader sees the family's visits"
    );
    let issues = app
        .get(&of_h1("issues"), &t.leader2.token)
        .await
        .expect(200);
    let place = |id: &str| {
        issues["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .map(|i| i["micro_grid_id"].clone())
    };
    assert_eq!(
        place(&waiting),
        Some(json!(t.m3)),
        "the waiting issue moved"
    );
    assert_eq!(place(&done), Some(json!(t.m1)), "the resolved one stays");

    // The filter is the field: what a list shows under a micro-grid is of that micro-grid.
    for (micro_grid, expected) in [(t.m3, &waiting), (t.m1, &done)] {
        let page = app
            .get(
                &format!("/api/v1/issues?micro_grid_id={micro_grid}"),
                &t.admin.token,
            )
            .await
            .expect(200);
        assert_eq!(listed(&page), [expected.as_str()], "{micro_grid}");
    }
    act(
        &app,
        &t.leader2.token,
        &waiting,
        "resolve",
        body_for("resolve"),
    )
    .await
    .expect(200);
    act(&app, &t.leader1.token, &done, "reopen", body_for("reopen"))
        .await
        .expect_error(404, "not_found");
}
