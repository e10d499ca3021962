//! Households: dossiers, scope per role, masking, validation, the due list and moves.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::db::schema::{households, issues, visits};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{Township, CONTACTS, ID_NUMBER, MASKED, PHONE};
use crate::grids::count;
use crate::harness::TestApp;

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn strings(ids: &[Uuid]) -> Vec<String> {
    sorted(ids.iter().map(Uuid::to_string).collect())
}

fn fields(resp: &crate::harness::Resp) -> Vec<String> {
    resp.body["error"]["fields"]
        .as_object()
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn admin_adds_a_household_with_every_field() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let created = app
        .post(
            "/api/v1/households",
            &a.admin.token,
            json!({
                "micro_grid_id": a.m1, "kind": "village", "name": " 陈阿婆 ",
                "address": "新埭村5组8号", "phone": "139 1234 5678",
                "id_number": "11010519491231002x", "members": 1,
                "tags": [" 独居老人", "低保户", "独居老人 ", ""], "note": "腿脚不便\n上午在家"
            }),
        )
        .await
        .expect(201);
    assert_eq!(created["micro_grid_id"], a.m1.to_string());
    assert_eq!(created["name"], "陈阿婆");
    assert_eq!(created["phone"], "13912345678");
    assert_eq!(created["id_number"], "11010519491231002X");
    assert_eq!(created["members"], 1);
    assert_eq!(created["tags"], json!(["独居老人", "低保户"]));
    assert_eq!(created["note"], "腿脚不便\n上午在家");
    assert_eq!(created["in_group"], false);
    assert_eq!(created["acquainted_at"], Value::Null);
    assert_eq!(created["last_visited_at"], Value::Null);
    assert!(created["created_at"].is_string());
    let id = created["id"].as_str().unwrap();
    let dossier = app
        .get(&format!("/api/v1/households/{id}"), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(dossier["name"], "陈阿婆");
    assert_eq!(dossier["recent_visits"], json!([]));
    assert_eq!(dossier["open_issues"], json!([]));
    let sql = format!(
        "SELECT count(*) AS n FROM audit_log WHERE entity = 'household' AND entity_id = '{id}'"
    );
    assert_eq!(count(&app, &sql).await, 1);
}

#[tokio::test]
async fn a_leader_adds_households_to_their_own_micro_grids_only() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let body = |micro_grid: Uuid| json!({"micro_grid_id": micro_grid, "kind": "village", "name": "周家", "address": "新埭村2组"});
    let created = app
        .post("/api/v1/households", &a.leader1.token, body(a.m2))
        .await
        .expect(201);
    assert_eq!(created["phone"], Value::Null);
    assert_eq!(created["tags"], json!([]));
    app.post("/api/v1/households", &a.leader1.token, body(a.m3))
        .await
        .expect_error(404, "not_found");
    app.post("/api/v1/households", &a.admin.token, body(b.m1))
        .await
        .expect_error(404, "not_found");
    for token in [&a.supervisor.token, &a.grid_supervisor.token] {
        app.post("/api/v1/households", token, body(a.m1))
            .await
            .expect_error(403, "forbidden");
    }
    assert_eq!(count(&app, "SELECT count(*) AS n FROM households").await, 9);
}

#[tokio::test]
async fn every_bad_field_is_named_in_one_answer() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let bad = app
        .post(
            "/api/v1/households",
            &a.admin.token,
            json!({
                "micro_grid_id": a.m1, "kind": "village", "name": "", "address": "地".repeat(201),
                "phone": "12812345678", "id_number": "110105194912310021", "members": 0,
                "tags": (0..21).map(|i| format!("标签{i}")).collect::<Vec<_>>()
            }),
        )
        .await;
    bad.expect_error(422, "validation_failed");
    assert_eq!(
        fields(&bad),
        ["address", "id_number", "members", "name", "phone", "tags"]
    );
    let base = json!({"micro_grid_id": a.m1, "kind": "village", "name": "周家", "address": "2组"});
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    for (key, value, status) in [
        ("members", json!(100), 422),
        ("members", json!(-1), 422),
        ("members", json!(99), 201),
        ("members", json!("4"), 400),
        ("members", json!(2.5), 400),
        ("id_number", json!("11010519491231002"), 422),
        ("phone", json!("0573-85123456"), 201),
        ("phone", json!("+8613812345678"), 422),
        ("kind", json!("farm"), 400),
        ("tags", json!(["x".repeat(21)]), 422),
        ("note", json!("n".repeat(2001)), 422),
        ("colour", json!("red"), 400),
    ] {
        let resp = app
            .post(
                "/api/v1/households",
                &a.admin.token,
                with(key, value.clone()),
            )
            .await;
        assert_eq!(resp.status, status, "{key}={value}: {}", resp.body);
        if status == 422 {
            assert_eq!(fields(&resp), [key], "{key}={value}");
        }
    }
    app.raw(
        reqwest::Method::POST,
        "/api/v1/households",
        Some(&a.admin.token),
        "application/json",
        b"{\"name\": ".to_vec(),
    )
    .await
    .expect_error(400, "bad_request");
}

#[tokio::test]
async fn each_role_sees_only_its_households() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let cases = [
        (&a.admin.token, vec![a.h1, a.h2, a.h3, a.h4]),
        (&a.supervisor.token, vec![a.h1, a.h2, a.h3, a.h4]),
        (&a.grid_supervisor.token, vec![a.h1, a.h2, a.h3]),
        (&a.leader1.token, vec![a.h1, a.h2, a.h3]),
        (&a.leader2.token, vec![a.h4]),
        (&a.idle_leader.token, vec![]),
    ];
    let all = [a.h1, a.h2, a.h3, a.h4];
    for (token, visible) in cases {
        let list = app.get("/api/v1/households", token).await.expect(200);
        assert_eq!(list["total"], visible.len());
        assert_eq!(sorted(ids(&list)), strings(&visible));
        for household in all {
            let resp = app
                .get(&format!("/api/v1/households/{household}"), token)
                .await;
            if visible.contains(&household) {
                assert_eq!(resp.status, 200);
            } else {
                resp.expect_error(404, "not_found");
            }
        }
        // Filters cannot reach past the scope.
        let list = app
            .get(&format!("/api/v1/households?micro_grid_id={}", b.m1), token)
            .await
            .expect(200);
        assert_eq!(list["total"], 0);
        app.get(&format!("/api/v1/households/{}", b.h1), token)
            .await
            .expect_error(404, "not_found");
    }
}

#[tokio::test]
async fn contact_data_is_masked_for_supervisors() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    // Every household has its own phone and ID number, so each row is compared with its own
    // values: a row showing another row's contact data, masked or whole, fails here.
    let row = |household: &Value| {
        let id: Uuid = household["id"].as_str().unwrap().parse().unwrap();
        a.index_of(id)
    };
    let path = format!("/api/v1/households/{}", a.h1);
    for token in [&a.admin.token, &a.leader1.token] {
        let dossier = app.get(&path, token).await.expect(200);
        assert_eq!(dossier["phone"], PHONE);
        assert_eq!(dossier["id_number"], ID_NUMBER);
        let list = app.get("/api/v1/households", token).await.expect(200);
        for household in list["items"].as_array().unwrap() {
            let (phone, id_number) = CONTACTS[row(household)];
            assert_eq!(household["phone"], phone, "{household}");
            assert_eq!(household["id_number"], id_number, "{household}");
        }
    }
    for token in [&a.supervisor.token, &a.grid_supervisor.token] {
        for household in [a.h1, a.h2, a.h3] {
            let dossier = app
                .get(&format!("/api/v1/households/{household}"), token)
                .await
                .expect(200);
            let (phone, id_number) = MASKED[a.index_of(household)];
            assert_eq!(dossier["phone"], phone);
            assert_eq!(dossier["id_number"], id_number);
        }
        let list = app.get("/api/v1/households", token).await.expect(200);
        let items = list["items"].as_array().unwrap();
        assert!(items.len() >= 3);
        for household in items {
            let (phone, id_number) = MASKED[row(household)];
            assert_eq!(household["phone"], phone, "{household}");
            assert_eq!(household["id_number"], id_number, "{household}");
        }
        // No full number of any household in anything a supervisor reads.
        let text = list.to_string();
        for (phone, id_number) in CONTACTS {
            assert!(!text.contains(phone) && !text.contains(id_number), "{text}");
        }
        // Nor can the hidden digits be found by searching for them.
        let found = app
            .get("/api/v1/households?q=1234", token)
            .await
            .expect(200);
        assert_eq!(found["total"], 0);
    }
    let list = app
        .get("/api/v1/households?q=1234", &a.leader1.token)
        .await
        .expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], a.h1.to_string());
    assert_eq!(list["items"][0]["phone"], PHONE);
}

#[tokio::test]
async fn households_filter_by_place_text_and_tag() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let get = |query: String| {
        let token = a.admin.token.clone();
        let app = &app;
        async move {
            app.get(&format!("/api/v1/households?{query}"), &token)
                .await
                .expect(200)
        }
    };
    let list = get(format!("micro_grid_id={}", a.m1)).await;
    assert_eq!(sorted(ids(&list)), strings(&[a.h1, a.h2]));
    let list = get(format!("grid_id={}", a.g2)).await;
    assert_eq!(ids(&list), strings(&[a.h4]));
    let list = get("q=%E7%8E%8B".into()).await; // 王
    assert_eq!(ids(&list), strings(&[a.h3]));
    let list = get("q=%25".into()).await; // a literal %, in no name
    assert_eq!(list["total"], 0);
    app.patch(
        &format!("/api/v1/households/{}", a.h2),
        &a.admin.token,
        json!({"tags": ["低保户"]}),
    )
    .await
    .expect(200);
    let list = get("tag=%E4%BD%8E%E4%BF%9D%E6%88%B7".into()).await; // 低保户
    assert_eq!(ids(&list), strings(&[a.h2]));
    for bad in [
        "due=maybe",
        "page=0",
        "per_page=201",
        "micro_grid_id=1",
        "sort=name",
    ] {
        app.get(&format!("/api/v1/households?{bad}"), &a.admin.token)
            .await
            .expect_error(400, "bad_request");
    }
    let page = get("per_page=3&page=2".into()).await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["per_page"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_due_list_puts_never_visited_then_longest_unvisited_first() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let mut conn = app.db().await;
    let now = Utc::now();
    for (household, last) in [
        (a.h1, Some(now - Duration::days(30))),
        (a.h2, Some(now - Duration::days(8))),
        (a.h3, None),
        (a.h4, Some(now - Duration::days(2))),
    ] {
        diesel::update(households::table.filter(households::id.eq(household)))
            .set(households::last_visited_at.eq(last))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let due = app
        .get("/api/v1/households?due=true", &a.admin.token)
        .await
        .expect(200);
    let order: Vec<String> = [a.h3, a.h1, a.h2].iter().map(Uuid::to_string).collect();
    assert_eq!(ids(&due), order);
    assert_eq!(due["total"], 3);
    let due = app
        .get("/api/v1/households?due=true", &a.leader1.token)
        .await
        .expect(200);
    assert_eq!(ids(&due), order);
    let due = app
        .get("/api/v1/households?due=true", &a.leader2.token)
        .await
        .expect(200);
    assert_eq!(due["total"], 0, "h4 was visited within the week");
    // A longer interval makes h2 not due any more.
    diesel::sql_query("UPDATE tenants SET visit_interval_days = 14")
        .execute(&mut conn)
        .await
        .unwrap();
    let due = app
        .get("/api/v1/households?due=true&per_page=1", &a.admin.token)
        .await
        .expect(200);
    assert_eq!(due["total"], 2);
    assert_eq!(ids(&due), [a.h3.to_string()]);
    let all = app
        .get("/api/v1/households?due=false", &a.admin.token)
        .await
        .expect(200);
    assert_eq!(all["total"], 4);
}

/// Due is counted in the township's days: with a week's interval, a family visited at any
/// hour seven local days ago is due all day today; one visited six days ago is not, even
/// at the first second of that day. (Shanghai time, whatever the server's zone.)
#[tokio::test]
async fn the_due_list_counts_the_townships_days_not_hours() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let mut conn = app.db().await;
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let today = || Utc::now().with_timezone(&shanghai).date_naive();
    // The answer is checked against the day the request was made on: when local midnight
    // falls between setting the visits up and the answer, the day moved and it runs again.
    loop {
        let day_before = today();
        let at = |days_ago: i64, time: &str| {
            let day = day_before - Duration::days(days_ago);
            let local = day.and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M:%S").unwrap());
            local
                .and_local_timezone(shanghai)
                .unwrap()
                .with_timezone(&Utc)
        };
        for (household, last) in [(a.h1, at(7, "23:59:59")), (a.h2, at(6, "00:00:01"))] {
            diesel::update(households::table.filter(households::id.eq(household)))
                .set(households::last_visited_at.eq(Some(last)))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let due = app
            .get(
                &format!("/api/v1/households?due=true&micro_grid_id={}", a.m1),
                &a.admin.token,
            )
            .await
            .expect(200);
        if today() == day_before {
            assert_eq!(ids(&due), [a.h1.to_string()]);
            break;
        }
    }
}

#[tokio::test]
async fn the_dossier_holds_the_newest_visits_and_open_issues() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let mut conn = app.db().await;
    let now = Utc::now();
    let mut visit_ids = Vec::new();
    for day in 0..25 {
        let id = Uuid::now_v7();
        visit_ids.push(id);
        diesel::insert_into(visits::table)
            .values((
                visits::tenant_id.eq(a.id),
                visits::id.eq(id),
                visits::household_id.eq(a.h1),
                visits::micro_grid_id.eq(a.m1),
                visits::leader_id.eq(a.leader1.id),
                visits::visited_at.eq(now - Duration::days(30 - day)),
                visits::method.eq("door"),
                visits::summary.eq(format!("第{day}次走访")),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    // Another household's visit stays out of this dossier.
    diesel::insert_into(visits::table)
        .values((
            visits::tenant_id.eq(a.id),
            visits::id.eq(Uuid::now_v7()),
            visits::household_id.eq(a.h2),
            visits::micro_grid_id.eq(a.m1),
            visits::leader_id.eq(a.leader1.id),
            visits::visited_at.eq(now),
            visits::method.eq("phone"),
            visits::summary.eq("电话"),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    for (status, category) in [
        ("open", "road"),
        ("escalated", "land"),
        ("resolved", "welfare"),
    ] {
        diesel::insert_into(issues::table)
            .values((
                issues::tenant_id.eq(a.id),
                issues::id.eq(Uuid::now_v7()),
                issues::household_id.eq(a.h1),
                issues::micro_grid_id.eq(a.m1),
                issues::category.eq(category),
                issues::description.eq("需要帮助"),
                issues::status.eq(status),
                issues::raised_by.eq(a.leader1.id),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let dossier = app
        .get(&format!("/api/v1/households/{}", a.h1), &a.leader1.token)
        .await
        .expect(200);
    let visits = dossier["recent_visits"].as_array().unwrap();
    assert_eq!(visits.len(), 20);
    assert_eq!(visits[0]["id"], visit_ids[24].to_string(), "newest first");
    assert_eq!(visits[19]["id"], visit_ids[5].to_string());
    assert_eq!(visits[0]["summary"], "第24次走访");
    assert_eq!(visits[0]["method"], "door");
    let issues = dossier["open_issues"].as_array().unwrap();
    let mut statuses: Vec<&str> = issues
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["escalated", "open"]);
    assert!(issues.iter().all(|i| i["household_id"] == a.h1.to_string()));
    assert_eq!(dossier["id"], a.h1.to_string());
    assert_eq!(dossier["name"], "张建国");
}

#[tokio::test]
async fn patch_changes_fields_and_null_clears_optional_ones() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let path = format!("/api/v1/households/{}", a.h1);
    let changed = app
        .patch(
            &path,
            &a.leader1.token,
            json!({"name": "张建国（户主）", "phone": null, "members": 5, "tags": ["党员", "党员"], "note": "新装修"}),
        )
        .await
        .expect(200);
    assert_eq!(changed["name"], "张建国（户主）");
    assert_eq!(changed["phone"], Value::Null);
    assert_eq!(changed["id_number"], ID_NUMBER, "absent fields stay");
    assert_eq!(changed["members"], 5);
    assert_eq!(changed["tags"], json!(["党员"]));
    assert_eq!(changed["micro_grid_id"], a.m1.to_string());
    let cleared = app
        .patch(
            &path,
            &a.admin.token,
            json!({"id_number": null, "members": null, "tags": null, "note": null}),
        )
        .await
        .expect(200);
    assert_eq!(cleared["id_number"], Value::Null);
    assert_eq!(cleared["members"], Value::Null);
    assert_eq!(cleared["tags"], json!([]));
    assert_eq!(cleared["note"], Value::Null);
    let bad = app
        .patch(
            &path,
            &a.admin.token,
            json!({"name": null, "address": " ", "members": 100, "phone": "123", "id_number": "110105194912310021"}),
        )
        .await;
    bad.expect_error(422, "validation_failed");
    assert_eq!(
        fields(&bad),
        ["address", "id_number", "members", "name", "phone"]
    );
    app.patch(&path, &a.admin.token, json!({"micro_grid_id": a.m3}))
        .await
        .expect_error(400, "bad_request");
    let unchanged = app.get(&path, &a.admin.token).await.expect(200);
    assert_eq!(unchanged["name"], "张建国（户主）");
    let sql = format!(
        "SELECT count(*) AS n FROM audit_log WHERE entity = 'household' AND action = 'household.update' AND entity_id = '{}'",
        a.h1
    );
    assert_eq!(count(&app, &sql).await, 2);
}

#[tokio::test]
async fn patch_is_held_to_role_scope_and_tenant() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let body = json!({"note": "改"});
    for token in [&a.supervisor.token, &a.grid_supervisor.token] {
        app.patch(&format!("/api/v1/households/{}", a.h1), token, body.clone())
            .await
            .expect_error(403, "forbidden");
    }
    app.patch(
        &format!("/api/v1/households/{}", a.h4),
        &a.leader1.token,
        body.clone(),
    )
    .await
    .expect_error(404, "not_found");
    app.patch(
        &format!("/api/v1/households/{}", b.h1),
        &a.admin.token,
        body.clone(),
    )
    .await
    .expect_error(404, "not_found");
    let untouched = app
        .get(&format!("/api/v1/households/{}", b.h1), &b.admin.token)
        .await
        .expect(200);
    assert_eq!(untouched["note"], Value::Null);
}

#[tokio::test]
async fn assign_moves_households_and_keeps_the_moves() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let moved = app
        .post(
            "/api/v1/households/assign",
            &a.admin.token,
            json!({"household_ids": [a.h1, a.h2, a.h1, a.h4], "micro_grid_id": a.m3}),
        )
        .await
        .expect(200);
    assert_eq!(moved["assigned"], 3);
    for household in [a.h1, a.h2] {
        let shown = app
            .get(&format!("/api/v1/households/{household}"), &a.leader2.token)
            .await
            .expect(200);
        assert_eq!(shown["micro_grid_id"], a.m3.to_string());
        app.get(&format!("/api/v1/households/{household}"), &a.leader1.token)
            .await
            .expect_error(404, "not_found");
    }
    let sql = format!(
        "SELECT count(*) AS n FROM household_moves WHERE from_micro_grid_id = '{}' AND to_micro_grid_id = '{}'",
        a.m1, a.m3
    );
    assert_eq!(count(&app, &sql).await, 2);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM household_moves").await,
        2,
        "h4 was already there: no move"
    );
    let micro_grid = app
        .get(&format!("/api/v1/micro-grids/{}", a.m3), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(micro_grid["households"], 3);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'household.assign'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn assign_is_all_or_nothing() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let assign = |body: Value| app.post("/api/v1/households/assign", &a.admin.token, body);
    assign(json!({"household_ids": [a.h1, b.h1], "micro_grid_id": a.m3}))
        .await
        .expect_error(404, "not_found");
    assign(json!({"household_ids": [a.h1, Uuid::now_v7()], "micro_grid_id": a.m3}))
        .await
        .expect_error(404, "not_found");
    assign(json!({"household_ids": [a.h1], "micro_grid_id": b.m1}))
        .await
        .expect_error(404, "not_found");
    assign(json!({"household_ids": [], "micro_grid_id": a.m3}))
        .await
        .expect_error(422, "validation_failed");
    assign(json!({"household_ids": ["h1"], "micro_grid_id": a.m3}))
        .await
        .expect_error(400, "bad_request");
    assign(json!({"household_ids": [a.h1], "micro_grid_id": a.m3, "why": "x"}))
        .await
        .expect_error(400, "bad_request");
    for token in [&a.supervisor.token, &a.leader1.token] {
        app.post(
            "/api/v1/households/assign",
            token,
            json!({"household_ids": [a.h1], "micro_grid_id": a.m3}),
        )
        .await
        .expect_error(403, "forbidden");
    }
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM household_moves").await,
        0
    );
    let shown = app
        .get(&format!("/api/v1/households/{}", a.h1), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(shown["micro_grid_id"], a.m1.to_string());
    let other = app
        .get(&format!("/api/v1/households/{}", b.h1), &b.admin.token)
        .await
        .expect(200);
    assert_eq!(other["micro_grid_id"], b.m1.to_string());
}

#[tokio::test]
async fn concurrent_moves_of_the_same_households_all_succeed_in_turn() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let mut requests = Vec::new();
    for round in 0..6 {
        // Opposite orders: the rows are locked in id order, so these cannot deadlock.
        let (ids, target) = if round % 2 == 0 {
            (json!([a.h1, a.h2, a.h3]), a.m3)
        } else {
            (json!([a.h3, a.h2, a.h1]), a.m2)
        };
        requests.push(app.post(
            "/api/v1/households/assign",
            &a.admin.token,
            json!({"household_ids": ids, "micro_grid_id": target}),
        ));
    }
    for response in futures_util::future::join_all(requests).await {
        assert_eq!(response.status, 200, "{}", response.body);
    }
    // Each household's moves chain: every move starts where the one before it ended.
    #[derive(diesel::QueryableByName)]
    struct Broken {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db().await;
    let broken: Broken = diesel::sql_query(
        "SELECT count(*) AS n FROM (SELECT from_micro_grid_id, lag(to_micro_grid_id) OVER \
         (PARTITION BY household_id ORDER BY moved_at) AS previous FROM household_moves) m \
         WHERE previous IS NOT NULL AND previous <> from_micro_grid_id",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(broken.n, 0);
}
