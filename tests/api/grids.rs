//! Grids: created and renamed by the tenant admin, seen by each role within its scope.

use serde_json::json;

use crate::fixtures::{platform_admin, Township};
use crate::harness::TestApp;

#[tokio::test]
async fn admin_creates_a_grid_and_duplicate_names_conflict() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let grid = app
        .post(
            "/api/v1/grids",
            &a.admin.token,
            json!({"name": " 东港社区网格 ", "kind": "village"}),
        )
        .await
        .expect(201);
    assert_eq!(grid["name"], "东港社区网格");
    assert_eq!(grid["kind"], "village");
    assert_eq!(grid["micro_grids"], 0);
    let id = grid["id"].as_str().unwrap();
    let shown = app
        .get(&format!("/api/v1/grids/{id}"), &a.admin.token)
        .await
        .expect(200);
    assert_eq!(shown, grid);
    app.post(
        "/api/v1/grids",
        &a.admin.token,
        json!({"name": "东港社区网格", "kind": "enterprise"}),
    )
    .await
    .expect_error(409, "conflict");
    // The same name in another township is fine: names are unique per tenant.
    let b = Township::create(&app, "beta").await;
    app.post(
        "/api/v1/grids",
        &b.admin.token,
        json!({"name": "东港社区网格", "kind": "village"}),
    )
    .await
    .expect(201);
    let audit: i64 = count(
        &app,
        "SELECT count(*) AS n FROM audit_log WHERE entity = 'grid' AND action = 'grid.create'",
    )
    .await;
    assert_eq!(audit, 2);
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db().await;
    diesel::sql_query(sql)
        .get_result::<Row>(&mut conn)
        .await
        .unwrap()
        .n
}

#[tokio::test]
async fn bad_grid_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let post = |body| app.post("/api/v1/grids", &a.admin.token, body);
    post(json!({"name": "x", "kind": "farm"}))
        .await
        .expect_error(400, "bad_request");
    post(json!({"name": "x", "kind": "village", "extra": 1}))
        .await
        .expect_error(400, "bad_request");
    post(json!({"kind": "village"}))
        .await
        .expect_error(400, "bad_request");
    let blank = post(json!({"name": "  ", "kind": "village"})).await;
    blank.expect_error(422, "validation_failed");
    assert!(blank.body["error"]["fields"]["name"].is_array());
    let long = post(json!({"name": "网".repeat(101), "kind": "village"})).await;
    long.expect_error(422, "validation_failed");
}

#[tokio::test]
async fn only_the_tenant_admin_creates_and_renames_grids() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let operator = platform_admin(&app).await;
    for token in [
        &a.supervisor.token,
        &a.grid_supervisor.token,
        &a.leader1.token,
        &operator.token,
    ] {
        app.post(
            "/api/v1/grids",
            token,
            json!({"name": "新网格", "kind": "village"}),
        )
        .await
        .expect_error(403, "forbidden");
        app.patch(
            &format!("/api/v1/grids/{}", a.g1),
            token,
            json!({"name": "改名"}),
        )
        .await
        .expect_error(403, "forbidden");
    }
    app.get("/api/v1/grids", &operator.token)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn renaming_a_grid_keeps_names_unique() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let path = format!("/api/v1/grids/{}", a.g1);
    let grid = app
        .patch(&path, &a.admin.token, json!({"name": "新埭村"}))
        .await
        .expect(200);
    assert_eq!(grid["name"], "新埭村");
    assert_eq!(grid["micro_grids"], 2);
    app.patch(&path, &a.admin.token, json!({"name": "工业园区网格"}))
        .await
        .expect_error(409, "conflict");
    app.patch(&path, &a.admin.token, json!({"kind": "enterprise"}))
        .await
        .expect_error(400, "bad_request");
    app.patch(&path, &a.admin.token, json!({"name": ""}))
        .await
        .expect_error(422, "validation_failed");
    app.patch(&path, &a.admin.token, json!({"name": null}))
        .await
        .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn another_townships_grid_does_not_exist() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let path = format!("/api/v1/grids/{}", b.g1);
    app.get(&path, &a.admin.token)
        .await
        .expect_error(404, "not_found");
    app.patch(&path, &a.admin.token, json!({"name": "抢来的"}))
        .await
        .expect_error(404, "not_found");
    app.post(
        &format!("/api/v1/grids/{}/micro-grids", b.g1),
        &a.admin.token,
        json!({"name": "抢来的微网格"}),
    )
    .await
    .expect_error(404, "not_found");
    app.get("/api/v1/grids/not-a-uuid", &a.admin.token)
        .await
        .expect_error(404, "not_found");
    let list = app.get("/api/v1/grids", &a.admin.token).await.expect(200);
    assert_eq!(list["total"], 2);
}

#[tokio::test]
async fn each_role_sees_the_grids_of_its_scope() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let names = |body: serde_json::Value| -> Vec<(String, i64)> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["name"].as_str().unwrap().to_owned(),
                    g["micro_grids"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    for token in [&a.admin.token, &a.supervisor.token] {
        let list = app.get("/api/v1/grids", token).await.expect(200);
        assert_eq!(list["total"], 2);
        assert_eq!(
            names(list),
            [("工业园区网格".into(), 1), ("新埭村网格".into(), 2)]
        );
    }
    let list = app
        .get("/api/v1/grids", &a.grid_supervisor.token)
        .await
        .expect(200);
    assert_eq!(names(list), [("新埭村网格".to_owned(), 2)]);
    app.get(&format!("/api/v1/grids/{}", a.g2), &a.grid_supervisor.token)
        .await
        .expect_error(404, "not_found");
    // A leader sees the grids holding their micro-grids, counting only their own.
    let list = app.get("/api/v1/grids", &a.leader2.token).await.expect(200);
    assert_eq!(names(list), [("工业园区网格".to_owned(), 1)]);
    app.get(&format!("/api/v1/grids/{}", a.g1), &a.leader2.token)
        .await
        .expect_error(404, "not_found");
    let list = app
        .get("/api/v1/grids", &a.idle_leader.token)
        .await
        .expect(200);
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn grid_lists_are_paged() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    for i in 0..3 {
        app.post(
            "/api/v1/grids",
            &a.admin.token,
            json!({"name": format!("网格{i}"), "kind": "village"}),
        )
        .await
        .expect(201);
    }
    let page = app
        .get("/api/v1/grids?page=2&per_page=2", &a.admin.token)
        .await
        .expect(200);
    assert_eq!(page["total"], 5);
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    app.get("/api/v1/grids?per_page=201", &a.admin.token)
        .await
        .expect_error(400, "bad_request");
    app.get("/api/v1/grids?page=0", &a.admin.token)
        .await
        .expect_error(400, "bad_request");
    app.get("/api/v1/grids?colour=red", &a.admin.token)
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn the_openapi_document_describes_grids_and_households() {
    let app = TestApp::spawn().await;
    let spec = app
        .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    for path in [
        "/api/v1/grids",
        "/api/v1/grids/{id}",
        "/api/v1/grids/{grid_id}/micro-grids",
        "/api/v1/micro-grids",
        "/api/v1/micro-grids/{id}",
        "/api/v1/micro-grids/{id}/leader",
        "/api/v1/micro-grids/{id}/leaders",
        "/api/v1/households",
        "/api/v1/households/{id}",
        "/api/v1/households/assign",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is not documented");
    }
    // Every schema the document refers to is in it.
    let text = spec.to_string();
    let schemas = &spec["components"]["schemas"];
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas[name].is_object(), "schema {name} is missing");
    }
}
