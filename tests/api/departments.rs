//! Departments (the township's offices) and their staff, the role `handler`: who names them,
//! who a handler is, and how little of the township a handler reaches.

use chrono::Utc;
use diesel::sql_types::{Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use lianxin::domain::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{platform_admin, Township, MASKED};
use crate::harness::TestApp;
use crate::workflow::{office, raise, step, Audited};

#[tokio::test]
async fn departments_are_named_once_per_township_by_its_admin() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let land = app
        .post(
            "/api/v1/departments",
            &t.admin.token,
            json!({"name": " 国土所 "}),
        )
        .await
        .expect(201);
    assert_eq!(land["name"], "国土所");
    let land_id = land["id"].as_str().unwrap();
    let name: Vec<Stored2> =
        diesel::sql_query("SELECT name, tenant_id FROM departments WHERE id = $1::text::uuid")
            .bind::<Text, _>(land_id)
            .load(&mut app.db().await)
            .await
            .unwrap();
    assert_eq!(
        name,
        [Stored2 {
            name: "国土所".into(),
            tenant_id: t.id
        }]
    );

    app.post(
        "/api/v1/departments",
        &t.admin.token,
        json!({"name": "国土所"}),
    )
    .await
    .expect_error(409, "conflict");
    // The same name in another township is that township's own.
    app.post(
        "/api/v1/departments",
        &beta.admin.token,
        json!({"name": "国土所"}),
    )
    .await
    .expect(201);
    app.post("/api/v1/departments", &t.admin.token, json!({"name": "  "}))
        .await
        .expect_error(422, "validation_failed");
    app.post(
        "/api/v1/departments",
        &t.admin.token,
        json!({"name": "民政办", "kind": "x"}),
    )
    .await
    .expect_error(400, "bad_request");
    for wrong in [&t.supervisor, &t.leader1] {
        app.post(
            "/api/v1/departments",
            &wrong.token,
            json!({"name": "民政办"}),
        )
        .await
        .expect_error(403, "forbidden");
    }
    let operator = platform_admin(&app).await;
    app.get("/api/v1/departments", &operator.token)
        .await
        .expect_error(403, "forbidden");

    let civil = app
        .post(
            "/api/v1/departments",
            &t.admin.token,
            json!({"name": "民政办"}),
        )
        .await
        .expect(201);
    let civil_id = civil["id"].as_str().unwrap();
    let renamed = app
        .patch(
            &format!("/api/v1/departments/{civil_id}"),
            &t.admin.token,
            json!({"name": "社会事务办"}),
        )
        .await
        .expect(200);
    assert_eq!(renamed["name"], "社会事务办");
    app.patch(
        &format!("/api/v1/departments/{civil_id}"),
        &t.admin.token,
        json!({"name": "国土所"}),
    )
    .await
    .expect_error(409, "conflict");
    app.patch(
        &format!("/api/v1/departments/{civil_id}"),
        &beta.admin.token,
        json!({"name": "抢过来"}),
    )
    .await
    .expect_error(404, "not_found");
    app.patch(
        &format!("/api/v1/departments/{civil_id}"),
        &t.supervisor.token,
        json!({"name": "督导改名"}),
    )
    .await
    .expect_error(403, "forbidden");

    // Every member of the staff reads the township's list, by name, and only its own.
    for reader in [&t.leader1, &t.supervisor, &t.admin] {
        let list = app
            .get("/api/v1/departments", &reader.token)
            .await
            .expect(200);
        assert_eq!(list["total"], 2);
        assert_eq!(list["items"][0]["name"], "国土所");
        assert_eq!(list["items"][1]["name"], "社会事务办");
        assert_eq!(list["items"][0]["id"], land_id);
    }
    let audit: Vec<Audited> = diesel::sql_query(
        "SELECT action, actor_id FROM audit_log WHERE entity = 'department' AND tenant_id = $1 \
         ORDER BY at",
    )
    .bind::<SqlUuid, _>(t.id)
    .load(&mut app.db().await)
    .await
    .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "department.create",
            "department.create",
            "department.update"
        ]
    );
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Stored2 {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = SqlUuid)]
    tenant_id: Uuid,
}

#[tokio::test]
async fn a_handler_is_staff_of_one_department_and_sees_only_its_issues() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let land = office(&app, &t, "国土所", "land_clerk").await;
    let roads = office(&app, &t, "城建办", "road_clerk").await;
    let theirs = office(&app, &beta, "国土所", "beta_clerk").await;

    let stored_department: Option<Uuid> =
        diesel::sql_query("SELECT department_id AS id FROM users WHERE id = $1")
            .bind::<SqlUuid, _>(land.handler.id)
            .get_result::<MaybeId>(&mut app.db().await)
            .await
            .unwrap()
            .id;
    assert_eq!(stored_department, Some(land.id));
    let shown = app
        .get(
            &format!("/api/v1/users/{}", land.handler.id),
            &t.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(shown["role"], "handler");
    assert_eq!(shown["department_id"], land.id.to_string());

    let user = |role: &str, department: Option<Uuid>| {
        let mut body = json!({
            "username": "someone", "display_name": "某人", "role": role,
            "password": "someone-pass-2026",
        });
        if let Some(department) = department {
            body["department_id"] = json!(department);
        }
        body
    };
    for (what, body) in [
        ("a handler without a department", user("handler", None)),
        (
            "another township's department",
            user("handler", Some(theirs.id)),
        ),
        ("a leader with a department", user("leader", Some(land.id))),
    ] {
        let answer = app.post("/api/v1/users", &t.admin.token, body).await;
        answer.expect_error(422, "validation_failed");
        assert!(
            answer.body["error"]["fields"]["department_id"].is_array(),
            "{what}: {}",
            answer.body
        );
    }

    // What a handler is refused: the township's places, people, figures and the grid's work.
    let h = &land.handler.token;
    for path in [
        "/api/v1/sync/households",
        "/api/v1/households",
        "/api/v1/grids",
        "/api/v1/micro-grids",
        "/api/v1/visits",
        "/api/v1/users",
        "/api/v1/stats/summary",
        "/api/v1/audit",
    ] {
        app.get(path, h).await.expect_error(403, "forbidden");
    }
    app.post(
        "/api/v1/issues",
        h,
        json!({"household_id": t.h1, "category": "land", "description": "征地补偿"}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(
        "/api/v1/visits",
        h,
        json!({"household_id": t.h1, "visited_at": Utc::now().to_rfc3339(), "method": "door", "summary": "走访"}),
    )
    .await
    .expect_error(403, "forbidden");

    // Issues: only those routed to their department, whatever the household.
    let mine = raise(&app, &t, t.h1, "land").await;
    let other = raise(&app, &t, t.h3, "road").await;
    let waiting = raise(&app, &t, t.h2, "land").await;
    for (issue, department) in [(&mine, land.id), (&other, roads.id)] {
        step(
            &app,
            &t.admin,
            issue,
            "assign",
            json!({"department_id": department}),
        )
        .await
        .expect(200);
    }
    let list = app.get("/api/v1/issues", h).await.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], mine.as_str());
    // The household of a routed issue, to go and solve it: its contact data masked as for
    // anyone but its leader, none of its visits, only the department's issues.
    let dossier = app
        .get(&format!("/api/v1/households/{}", t.h1), h)
        .await
        .expect(200);
    assert_eq!(dossier["phone"], MASKED[0].0);
    assert_eq!(dossier["id_number"], MASKED[0].1);
    assert_eq!(dossier["recent_visits"], json!([]));
    let shown: Vec<&Value> = dossier["open_issues"].as_array().unwrap().iter().collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["id"], mine.as_str());
    for household in [t.h2, t.h3, t.h4, beta.h1] {
        app.get(&format!("/api/v1/households/{household}"), h)
            .await
            .expect_error(404, "not_found");
    }
    app.get(&format!("/api/v1/issues/{mine}"), h)
        .await
        .expect(200);
    for issue in [&other, &waiting] {
        app.get(&format!("/api/v1/issues/{issue}"), h)
            .await
            .expect_error(404, "not_found");
        step(&app, &land.handler, issue, "accept", json!({}))
            .await
            .expect_error(404, "not_found");
    }
    // The grid's own steps are not a handler's.
    step(&app, &land.handler, &mine, "escalate", json!({}))
        .await
        .expect_error(403, "forbidden");
    step(
        &app,
        &land.handler,
        &mine,
        "resolve",
        json!({"resolution": "办好了"}),
    )
    .await
    .expect_error(403, "forbidden");
    step(
        &app,
        &land.handler,
        &mine,
        "assign",
        json!({"department_id": land.id}),
    )
    .await
    .expect_error(403, "forbidden");
    // Another township's handler reaches nothing here.
    step(&app, &theirs.handler, &mine, "accept", json!({}))
        .await
        .expect_error(404, "not_found");

    // Moved to another department, a handler reaches that one's issues at once.
    app.patch(
        &format!("/api/v1/users/{}", land.handler.id),
        &t.admin.token,
        json!({"department_id": roads.id}),
    )
    .await
    .expect(200);
    // The change ended the handler's sessions; their next login carries the new version.
    let version: Version = diesel::sql_query("SELECT token_version FROM users WHERE id = $1")
        .bind::<SqlUuid, _>(land.handler.id)
        .get_result(&mut app.db().await)
        .await
        .unwrap();
    let moved = lianxin::auth::tokens::TokenKeys::new(
        &secrecy::SecretString::from(crate::harness::JWT_SECRET),
        900,
    )
    .issue(
        land.handler.id,
        Some(t.id),
        Role::Handler,
        None,
        version.token_version,
    );
    let list = app.get("/api/v1/issues", &moved).await.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], other.as_str());
    // A handler made a leader loses the department.
    let leader = app
        .patch(
            &format!("/api/v1/users/{}", roads.handler.id),
            &t.admin.token,
            json!({"role": "leader"}),
        )
        .await
        .expect(200);
    assert_eq!(leader["department_id"], Value::Null);
    app.patch(
        &format!("/api/v1/users/{}", t.idle_leader.id),
        &t.admin.token,
        json!({"role": "handler"}),
    )
    .await
    .expect_error(422, "validation_failed");
}

#[derive(QueryableByName)]
struct MaybeId {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    id: Option<Uuid>,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Integer)]
    token_version: i32,
}
