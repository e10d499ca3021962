//! Tasks sent down to the leaders (api.md "Township workflow", 任务下发): which households a
//! task covers, a visit linked to it marking one done, progress per micro-grid in each
//! caller's scope, rounds of a repeating task, closing, and the wrong roles and values.

use chrono::{Days, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::db::schema::{audit_log, households, task_households, tasks};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::TestApp;
use crate::workflow::office;

fn today() -> String {
    // The fixtures' townships keep the default zone, Asia/Shanghai.
    (Utc::now() + Duration::hours(8)).date_naive().to_string()
}

fn id(value: &Value) -> Uuid {
    value["id"].as_str().unwrap().parse().unwrap()
}

async fn send(app: &TestApp, t: &Township, body: Value) -> Value {
    app.post("/api/v1/tasks", &t.admin.token, body)
        .await
        .expect(201)
}

fn visit(household: Uuid, task: Option<Uuid>) -> Value {
    json!({
        "id": Uuid::now_v7(), "household_id": household, "visited_at": Utc::now().to_rfc3339(),
        "method": "door", "summary": "已通知防汛", "task_id": task,
    })
}

fn households_of(page: &Value) -> Vec<(String, bool)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["done"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_task_covers_its_grid_and_a_linked_visit_marks_a_household_done() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let task = send(
        &app,
        &t,
        json!({"title": "防汛通知", "description": "通知每户汛期注意事项", "due_on": today(),
               "grid_ids": [t.g1]}),
    )
    .await;
    let task_id = id(&task);
    assert_eq!(task["households"], 3, "g1 holds h1, h2 (m1) and h3 (m2)");
    assert_eq!(task["done"], 0);
    assert_eq!(task["overdue"], false);
    assert_eq!(task["repeat"], Value::Null);
    assert_eq!(task["grid_ids"], json!([t.g1]));
    let stored: Vec<Uuid> = task_households::table
        .filter(task_households::task_id.eq(task_id))
        .select(task_households::household_id)
        .order(task_households::household_id)
        .load(&mut app.db().await)
        .await
        .unwrap();
    let mut expected = vec![t.h1, t.h2, t.h3];
    expected.sort();
    assert_eq!(stored, expected);

    // The leader of g1 sees it with their households; the leader of g2 does not.
    let mine = app.get("/api/v1/tasks", &t.leader1.token).await.expect(200);
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["households"], 3);
    let theirs = app.get("/api/v1/tasks", &t.leader2.token).await.expect(200);
    assert_eq!(theirs["total"], 0);
    let path = format!("/api/v1/tasks/{task_id}");
    app.get(&path, &t.leader2.token)
        .await
        .expect_error(404, "not_found");
    app.get(&format!("{path}/households"), &t.leader2.token)
        .await
        .expect_error(404, "not_found");

    // One visit serves both: stored with its task, and h1 is done.
    let recorded = app
        .post(
            "/api/v1/visits",
            &t.leader1.token,
            visit(t.h1, Some(task_id)),
        )
        .await
        .expect(201);
    assert_eq!(recorded["task_id"], task_id.to_string());
    let shown = app.get(&path, &t.admin.token).await.expect(200);
    assert_eq!(
        (shown["households"].clone(), shown["done"].clone()),
        (json!(3), json!(1))
    );
    let rows: Vec<(String, i64, i64, String)> = shown["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["micro_grid_name"].as_str().unwrap().to_owned(),
                p["households"].as_i64().unwrap(),
                p["done"].as_i64().unwrap(),
                p["leader_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("新埭村第1微网格".into(), 2, 1, "leader1的名字".into()),
            ("新埭村第2微网格".into(), 1, 0, "leader1的名字".into()),
        ]
    );
    assert_eq!(shown["progress"][0]["grid_name"], "新埭村网格");

    let undone = app
        .get(&format!("{path}/households?done=false"), &t.leader1.token)
        .await
        .expect(200);
    assert_eq!(undone["total"], 2);
    assert_eq!(
        households_of(&undone),
        [("李秀英".to_owned(), false), ("王德明".to_owned(), false)]
    );
    let done = app
        .get(&format!("{path}/households?done=true"), &t.leader1.token)
        .await
        .expect(200);
    assert_eq!(households_of(&done), [("张建国".to_owned(), true)]);
    assert!(done["items"][0]["visited_at"].is_string());

    // A phone's queue, synced later, finishes the task.
    let batch = app
        .post(
            "/api/v1/visits/batch",
            &t.leader1.token,
            json!({"visits": [visit(t.h2, Some(task_id)), visit(t.h3, Some(task_id))]}),
        )
        .await
        .expect(200);
    assert_eq!(batch["results"][0]["status"], 201);
    assert_eq!(batch["results"][1]["status"], 201);
    let finished = app.get("/api/v1/tasks", &t.leader1.token).await.expect(200);
    assert_eq!(finished["items"][0]["done"], 3);

    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("task.create"))
        .filter(audit_log::entity_id.eq(task_id))
        .count()
        .get_result(&mut app.db().await)
        .await
        .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn tags_choose_the_households_and_a_task_covering_none_is_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    diesel::update(households::table.filter(households::id.eq_any([t.h1, t.h4])))
        .set(households::tags.eq(vec!["独居老人".to_owned()]))
        .execute(&mut app.db().await)
        .await
        .unwrap();
    let task = send(
        &app,
        &t,
        json!({"title": "独居老人冬季探访", "description": "", "due_on": today(),
               "tags": ["独居老人"]}),
    )
    .await;
    assert_eq!(
        task["households"], 2,
        "the whole township's 独居老人: h1 and h4"
    );
    let refused = app
        .post(
            "/api/v1/tasks",
            &t.admin.token,
            json!({"title": "残疾人补贴核查", "description": "", "due_on": today(),
                   "grid_ids": [t.g1], "tags": ["残疾人"]}),
        )
        .await;
    refused.expect_error(422, "validation_failed");
    assert!(refused.body["error"]["fields"]["tags"].is_array());
    let stored: i64 = tasks::table
        .filter(tasks::tenant_id.eq(t.id))
        .count()
        .get_result(&mut app.db().await)
        .await
        .unwrap();
    assert_eq!(stored, 1, "a refused task leaves nothing behind");
}

#[tokio::test]
async fn a_visit_linked_to_a_task_not_covering_its_household_is_refused_on_its_own() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let park = id(&send(
        &app,
        &t,
        json!({"title": "企业消防检查", "description": "", "due_on": today(), "grid_ids": [t.g2]}),
    )
    .await);
    let alone = app
        .post("/api/v1/visits", &t.leader1.token, visit(t.h1, Some(park)))
        .await;
    alone.expect_error(422, "validation_failed");
    assert!(alone.body["error"]["fields"]["task_id"].is_array());
    let unknown = app
        .post(
            "/api/v1/visits",
            &t.leader1.token,
            visit(t.h1, Some(Uuid::now_v7())),
        )
        .await;
    unknown.expect_error(422, "validation_failed");
    let good = visit(t.h1, None);
    let batch = app
        .post(
            "/api/v1/visits/batch",
            &t.leader1.token,
            json!({"visits": [good.clone(), visit(t.h2, Some(park))]}),
        )
        .await
        .expect(200);
    assert_eq!(batch["results"][0]["status"], 201);
    assert_eq!(batch["results"][1]["status"], 422);
    assert!(batch["results"][1]["error"]["fields"]["task_id"].is_array());

    // The same visit sent again with a task link is not the same visit.
    let mut changed = good.clone();
    changed["task_id"] = json!(park);
    let answer = app.post("/api/v1/visits", &t.leader1.token, changed).await;
    assert_eq!(
        answer.status, 422,
        "the link is checked first: {}",
        answer.body
    );
    let park_visit = visit(t.h4, Some(park));
    app.post("/api/v1/visits", &t.leader2.token, park_visit.clone())
        .await
        .expect(201);
    app.post("/api/v1/visits", &t.leader2.token, park_visit)
        .await
        .expect(200);
}

#[tokio::test]
async fn bad_values_are_named_and_wrong_roles_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let yesterday = (Utc::now() + Duration::hours(8))
        .date_naive()
        .checked_sub_days(Days::new(1))
        .unwrap()
        .to_string();
    for (body, field) in [
        (
            json!({"title": "", "description": "", "due_on": today()}),
            "title",
        ),
        (
            json!({"title": "a\u{200b}b", "description": "", "due_on": today()}),
            "title",
        ),
        (
            json!({"title": "x", "description": "", "due_on": yesterday}),
            "due_on",
        ),
        (
            json!({"title": "x", "description": "", "due_on": "2026-13-01"}),
            "due_on",
        ),
        (
            json!({"title": "x", "description": "", "due_on": today(), "repeat": "daily"}),
            "repeat",
        ),
        (
            json!({"title": "x", "description": "", "due_on": today(), "grid_ids": [beta.g1]}),
            "grid_ids",
        ),
        (
            json!({"title": "x", "description": "", "due_on": today(), "micro_grid_ids": [Uuid::now_v7()]}),
            "micro_grid_ids",
        ),
        (
            json!({"title": "x", "description": "长".repeat(2001), "due_on": today()}),
            "description",
        ),
        (
            json!({"title": "x", "description": "", "due_on": today(), "tags": [" "]}),
            "tags",
        ),
    ] {
        let answer = app
            .post("/api/v1/tasks", &t.admin.token, body.clone())
            .await;
        answer.expect_error(422, "validation_failed");
        assert!(
            answer.body["error"]["fields"][field].is_array(),
            "{body}: {}",
            answer.body
        );
    }
    let body = json!({"title": "x", "description": "", "due_on": today()});
    app.post("/api/v1/tasks", &t.leader1.token, body.clone())
        .await
        .expect_error(403, "forbidden");
    let clerk = office(&app, &t, "民政办", "welfare_clerk").await;
    app.post("/api/v1/tasks", &clerk.handler.token, body.clone())
        .await
        .expect_error(403, "forbidden");
    app.get("/api/v1/tasks", &clerk.handler.token)
        .await
        .expect_error(403, "forbidden");
    let task = id(&send(&app, &t, body).await);
    for path in [
        format!("/api/v1/tasks/{task}"),
        format!("/api/v1/tasks/{task}/households"),
    ] {
        app.get(&path, &beta.admin.token)
            .await
            .expect_error(404, "not_found");
        app.get(&path, &clerk.handler.token)
            .await
            .expect_error(403, "forbidden");
    }
    app.post(
        &format!("/api/v1/tasks/{task}/close"),
        &beta.admin.token,
        json!({}),
    )
    .await
    .expect_error(404, "not_found");
    app.post(
        &format!("/api/v1/tasks/{task}/close"),
        &t.leader1.token,
        json!({}),
    )
    .await
    .expect_error(403, "forbidden");
    app.get("/api/v1/tasks?closed=maybe", &t.admin.token)
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn a_grid_supervisor_sends_to_their_grid_and_closes_only_their_own() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let theirs = app
        .post(
            "/api/v1/tasks",
            &t.grid_supervisor.token,
            json!({"title": "低保户入户核查", "description": "", "due_on": today()}),
        )
        .await
        .expect(201);
    assert_eq!(theirs["households"], 3, "their grid only, not h4 of g2");
    app.post(
        "/api/v1/tasks",
        &t.grid_supervisor.token,
        json!({"title": "x", "description": "", "due_on": today(), "grid_ids": [t.g2]}),
    )
    .await
    .expect_error(422, "validation_failed");
    let township = send(
        &app,
        &t,
        json!({"title": "全镇人口普查", "description": "", "due_on": today()}),
    )
    .await;
    assert_eq!(township["households"], 4);
    let seen = app
        .get(
            &format!("/api/v1/tasks/{}", id(&township)),
            &t.grid_supervisor.token,
        )
        .await
        .expect(200);
    assert_eq!(
        seen["households"], 3,
        "counted in the grid supervisor's scope"
    );
    app.post(
        &format!("/api/v1/tasks/{}/close", id(&township)),
        &t.grid_supervisor.token,
        json!({}),
    )
    .await
    .expect_error(403, "forbidden");

    let close = format!("/api/v1/tasks/{}/close", id(&theirs));
    let closed = app
        .post(&close, &t.grid_supervisor.token, json!({}))
        .await
        .expect(200);
    assert_eq!(closed["closed"], true);
    app.post(&close, &t.admin.token, json!({}))
        .await
        .expect_error(409, "conflict");
    let open = app
        .get("/api/v1/tasks?closed=false", &t.leader1.token)
        .await
        .expect(200);
    assert_eq!(open["total"], 1);
    assert_eq!(open["items"][0]["title"], "全镇人口普查");
    let closed_list = app
        .get("/api/v1/tasks?closed=true", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(closed_list["items"][0]["id"], theirs["id"]);
}

#[tokio::test]
async fn a_weekly_task_counts_only_this_rounds_visits_and_a_late_one_off_is_overdue() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let weekly = id(&send(
        &app,
        &t,
        json!({"title": "独居老人每周探视", "description": "", "due_on": today(),
               "micro_grid_ids": [t.m1], "repeat": "weekly"}),
    )
    .await);
    let once = id(&send(
        &app,
        &t,
        json!({"title": "防汛通知", "description": "", "due_on": today(), "micro_grid_ids": [t.m1]}),
    )
    .await);
    // As if sent a week ago: the weekly task's first round ended a week ago, the one-off
    // task's day was yesterday.
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let week_ago = today.checked_sub_days(Days::new(7)).unwrap();
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap();
    let mut conn = app.db().await;
    diesel::update(tasks::table.filter(tasks::id.eq(weekly)))
        .set(tasks::due_on.eq(week_ago))
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::update(tasks::table.filter(tasks::id.eq(once)))
        .set(tasks::due_on.eq(yesterday))
        .execute(&mut conn)
        .await
        .unwrap();
    // Done in the last round (eight days ago), not in this one.
    let mut old = visit(t.h1, Some(weekly));
    old["visited_at"] = json!((Utc::now() - Duration::days(8)).to_rfc3339());
    app.post("/api/v1/visits", &t.leader1.token, old)
        .await
        .expect(201);
    let path = format!("/api/v1/tasks/{weekly}");
    let shown = app.get(&path, &t.leader1.token).await.expect(200);
    assert_eq!(shown["due_on"], today.to_string(), "this round ends today");
    assert_eq!(
        shown["round_start"],
        week_ago.checked_add_days(Days::new(1)).unwrap().to_string()
    );
    assert_eq!(shown["done"], 0, "last round's visit does not count");
    assert_eq!(shown["overdue"], false);
    app.post(
        "/api/v1/visits",
        &t.leader1.token,
        visit(t.h2, Some(weekly)),
    )
    .await
    .expect(201);
    let shown = app.get(&path, &t.leader1.token).await.expect(200);
    assert_eq!(shown["done"], 1);

    let late = app
        .get(&format!("/api/v1/tasks/{once}"), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(
        late["overdue"], true,
        "past its day with households not done"
    );
}
