//! Every write endpoint, as tables: each write that succeeds leaves its audit record (what,
//! on which entity, by whom, from where) and nothing else in the log; each refusal (401, 403,
//! 404, 409, 422) leaves the whole database as it was. The first table is checked against
//! the served OpenAPI document, so a write endpoint added without a row here fails the test.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Utc};
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{platform_admin, Township, PASSWORD};
use crate::harness::{Resp, TestApp};
use crate::import::upload;

/// Write endpoints that leave no record, and why.
const NOT_AUDITED: &[(&str, &str, &str)] = &[
    (
        "POST",
        "/api/v1/auth/refresh",
        "a session going on (every 15 minutes); a copied token's replay is audited \
         (auth.refresh_reuse, tests/api/auth.rs)",
    ),
    (
        "POST",
        "/api/v1/households/assign/preview",
        "a preview: it changes nothing",
    ),
];

/// What a request sends.
enum Body {
    None,
    Json(Value),
    /// A roster file for the import.
    Csv(String),
}

/// The entity an audit record must name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Entity {
    Id(Uuid),
    /// The `id` of the answer: what the request created.
    Created,
    None,
}

struct Write {
    what: &'static str,
    method: Method,
    path: String,
    token: String,
    body: Body,
    status: u16,
    actor: Uuid,
    /// (action, entity kind, entity): the records it must leave, and no others.
    records: Vec<(&'static str, &'static str, Entity)>,
}

fn write(
    what: &'static str,
    method: Method,
    path: impl Into<String>,
    by: &crate::fixtures::User,
    body: Body,
    status: u16,
    records: Vec<(&'static str, &'static str, Entity)>,
) -> Write {
    Write {
        what,
        method,
        path: path.into(),
        token: by.token.clone(),
        body,
        status,
        actor: by.id,
        records,
    }
}

#[derive(QueryableByName, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Record {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Text)]
    entity: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    entity_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    ip: Option<String>,
}

/// Every audit record of every township (the test's connection is not held by row security).
async fn audit_log(app: &TestApp) -> Vec<Record> {
    diesel::sql_query("SELECT id, action, entity, entity_id, actor_id, ip FROM audit_log")
        .load(&mut app.db().await)
        .await
        .unwrap()
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: &Body) -> Resp {
    match body {
        Body::None => app.send(method, path, Some(token), None).await,
        Body::Json(json) => app.send(method, path, Some(token), Some(json)).await,
        Body::Csv(text) => upload(app, token, "roster.csv", text.clone().into_bytes()).await,
    }
}

fn visit(id: Uuid, household: Uuid, minutes_ago: i64) -> Value {
    json!({
        "id": id, "household_id": household,
        "visited_at": (Utc::now() - Duration::minutes(minutes_ago)).to_rfc3339(),
        "method": "door", "summary": "走访了解近况",
    })
}

/// Logs in through the API; the refresh token.
async fn refresh_token(app: &TestApp, username: &str) -> String {
    let body = json!({"tenant": "alpha", "username": username, "password": PASSWORD});
    app.send(Method::POST, "/api/v1/auth/login", None, Some(&body))
        .await
        .expect(200)["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_write_leaves_its_audit_record() {
    use Entity::{Created, Id};
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let operator = platform_admin(&app).await;
    let supervisors_session = refresh_token(&app, "supervisor").await;
    let (v1, v2, v3, issue) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let issue_path = |verb: &str| format!("/api/v1/issues/{issue}/{verb}");
    let routed = Uuid::now_v7();
    let routed_path = |verb: &str| format!("/api/v1/issues/{routed}/{verb}");
    let (department, handler) = t.department(&app, "城建办").await;
    let (admin, leader1) = (&t.admin, &t.leader1);
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let task = app
        .post(
            "/api/v1/tasks",
            &admin.token,
            json!({"title": "防汛通知", "description": "", "due_on": today}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    // In order: later rows use what earlier ones made. Rows that end a user's sessions come
    // after that user's last row.
    let table = vec![
        write(
            "a township created",
            Method::POST,
            "/api/v1/tenants",
            &operator,
            Body::Json(json!({
                "code": "beta", "name": "贝塔镇",
                "admin": {"username": "admin", "display_name": "管理员", "password": "beta-admin-2026"},
            })),
            201,
            vec![("tenant.create", "tenant", Created)],
        ),
        write(
            "a staff member created",
            Method::POST,
            "/api/v1/users",
            admin,
            Body::Json(json!({
                "username": "new_leader", "display_name": "新网格长", "role": "leader",
                "password": "new-leader-2026",
            })),
            201,
            vec![("user.create", "user", Created)],
        ),
        write(
            "a staff member renamed",
            Method::PATCH,
            format!("/api/v1/users/{}", t.supervisor.id),
            admin,
            Body::Json(json!({"display_name": "镇督导员"})),
            200,
            vec![("user.update", "user", Id(t.supervisor.id))],
        ),
        write(
            "a password reset by the admin",
            Method::PATCH,
            format!("/api/v1/users/{}", t.grid_supervisor.id),
            admin,
            Body::Json(json!({"password": "a-new-pass-2026"})),
            200,
            vec![("user.update", "user", Id(t.grid_supervisor.id))],
        ),
        write(
            "a leader deactivated, leaving their micro-grid",
            Method::PATCH,
            format!("/api/v1/users/{}", t.leader2.id),
            admin,
            Body::Json(json!({"active": false})),
            200,
            vec![
                ("micro_grid.remove_leader", "micro_grid", Id(t.m3)),
                ("user.update", "user", Id(t.leader2.id)),
            ],
        ),
        write(
            "a grid created",
            Method::POST,
            "/api/v1/grids",
            admin,
            Body::Json(json!({"name": "北湖网格", "kind": "village"})),
            201,
            vec![("grid.create", "grid", Created)],
        ),
        write(
            "a grid renamed",
            Method::PATCH,
            format!("/api/v1/grids/{}", t.g1),
            admin,
            Body::Json(json!({"name": "新埭村网格（一）"})),
            200,
            vec![("grid.update", "grid", Id(t.g1))],
        ),
        write(
            "a micro-grid created",
            Method::POST,
            format!("/api/v1/grids/{}/micro-grids", t.g1),
            admin,
            Body::Json(json!({"name": "新埭村第3微网格"})),
            201,
            vec![("micro_grid.create", "micro_grid", Created)],
        ),
        write(
            "a micro-grid's group named",
            Method::PATCH,
            format!("/api/v1/micro-grids/{}", t.m2),
            admin,
            Body::Json(json!({"group_name": "新埭村2组群"})),
            200,
            vec![("micro_grid.update", "micro_grid", Id(t.m2))],
        ),
        write(
            "a leader assigned",
            Method::PUT,
            format!("/api/v1/micro-grids/{}/leader", t.m2),
            admin,
            Body::Json(json!({"user_id": t.idle_leader.id})),
            200,
            vec![("micro_grid.assign_leader", "micro_grid", Id(t.m2))],
        ),
        write(
            "a leader removed",
            Method::DELETE,
            format!("/api/v1/micro-grids/{}/leader", t.m2),
            admin,
            Body::None,
            204,
            vec![("micro_grid.remove_leader", "micro_grid", Id(t.m2))],
        ),
        write(
            "a household created by its leader",
            Method::POST,
            "/api/v1/households",
            leader1,
            Body::Json(json!({
                "micro_grid_id": t.m1, "kind": "village", "name": "赵桂兰",
                "address": "新埭村1组9号",
            })),
            201,
            vec![("household.create", "household", Created)],
        ),
        write(
            "a household changed",
            Method::PATCH,
            format!("/api/v1/households/{}", t.h1),
            admin,
            Body::Json(json!({"note": "独居，子女在外地"})),
            200,
            vec![("household.update", "household", Id(t.h1))],
        ),
        write(
            "a priority group given its own visit interval",
            Method::PUT,
            "/api/v1/tags/%E7%8B%AC%E5%B1%85%E8%80%81%E4%BA%BA",
            admin,
            Body::Json(json!({"visit_interval_days": 3})),
            200,
            vec![("tag.update", "tag", Entity::None)],
        ),
        write(
            "a household moved to another micro-grid",
            Method::POST,
            "/api/v1/households/assign",
            admin,
            Body::Json(json!({"household_ids": [t.h2], "micro_grid_id": t.m2})),
            200,
            vec![("household.assign", "micro_grid", Id(t.m2))],
        ),
        write(
            "a roster imported",
            Method::POST,
            "/api/v1/households/import",
            admin,
            Body::Csv(
                "micro_grid,kind,name,address,phone,id_number,members,tags\r\n\
                 新埭村第1微网格,village,沈金根,新埭村3组12号,,,2,\r\n"
                    .to_owned(),
            ),
            201,
            vec![("household.import", "household", Entity::None)],
        ),
        write(
            "a visit recorded",
            Method::POST,
            "/api/v1/visits",
            leader1,
            Body::Json(visit(v1, t.h1, 60)),
            201,
            vec![("visit.create", "visit", Id(v1))],
        ),
        write(
            "visits recorded in a batch",
            Method::POST,
            "/api/v1/visits/batch",
            leader1,
            Body::Json(json!({"visits": [visit(v2, t.h1, 30), visit(v3, t.h1, 20)]})),
            200,
            vec![
                ("visit.create", "visit", Id(v2)),
                ("visit.create", "visit", Id(v3)),
            ],
        ),
        write(
            "an issue raised",
            Method::POST,
            "/api/v1/issues",
            leader1,
            Body::Json(json!({
                "id": issue, "household_id": t.h1, "visit_id": v1, "category": "road",
                "description": "路灯不亮",
            })),
            201,
            vec![("issue.raise", "issue", Id(issue))],
        ),
        write(
            "an issue escalated",
            Method::POST,
            issue_path("escalate"),
            leader1,
            Body::Json(json!({"note": "需要镇里协调"})),
            200,
            vec![("issue.escalate", "issue", Id(issue))],
        ),
        write(
            "an issue resolved",
            Method::POST,
            issue_path("resolve"),
            admin,
            Body::Json(json!({"resolution": "已修好"})),
            200,
            vec![("issue.resolve", "issue", Id(issue))],
        ),
        write(
            "an issue reopened",
            Method::POST,
            issue_path("reopen"),
            admin,
            Body::Json(json!({"note": "又不亮了"})),
            200,
            vec![("issue.reopen", "issue", Id(issue))],
        ),
        write(
            "an issue resolved again",
            Method::POST,
            issue_path("resolve"),
            leader1,
            Body::Json(json!({"resolution": "换了灯泡"})),
            200,
            vec![("issue.resolve", "issue", Id(issue))],
        ),
        write(
            "a resident's feedback",
            Method::POST,
            issue_path("feedback"),
            leader1,
            Body::Json(json!({"satisfied": true})),
            200,
            vec![("issue.feedback", "issue", Id(issue))],
        ),
        write(
            "a task sent down",
            Method::POST,
            "/api/v1/tasks",
            admin,
            Body::Json(json!({"title": "冬季防火", "description": "检查用火", "due_on": today})),
            201,
            vec![("task.create", "task", Created)],
        ),
        write(
            "a task closed",
            Method::POST,
            format!("/api/v1/tasks/{task}/close"),
            admin,
            Body::Json(json!({})),
            200,
            vec![("task.close", "task", Id(task))],
        ),
        write(
            "a department created",
            Method::POST,
            "/api/v1/departments",
            admin,
            Body::Json(json!({"name": "国土所"})),
            201,
            vec![("department.create", "department", Created)],
        ),
        write(
            "a department renamed",
            Method::PATCH,
            format!("/api/v1/departments/{department}"),
            admin,
            Body::Json(json!({"name": "城建交通办"})),
            200,
            vec![("department.update", "department", Id(department))],
        ),
        write(
            "a holiday set in the calendar",
            Method::PUT,
            "/api/v1/calendar/2026-10-08",
            admin,
            Body::Json(json!({"workday": false, "note": "补休"})),
            200,
            vec![("calendar.set", "calendar", Entity::None)],
        ),
        write(
            "a calendar exception removed",
            Method::DELETE,
            "/api/v1/calendar/2026-10-08",
            admin,
            Body::None,
            204,
            vec![("calendar.delete", "calendar", Entity::None)],
        ),
        write(
            "an issue raised for routing",
            Method::POST,
            "/api/v1/issues",
            leader1,
            Body::Json(json!({
                "id": routed, "household_id": t.h1, "category": "road", "description": "路面塌陷",
            })),
            201,
            vec![("issue.raise", "issue", Id(routed))],
        ),
        write(
            "an issue routed to a department",
            Method::POST,
            routed_path("assign"),
            admin,
            Body::Json(json!({"department_id": department})),
            200,
            vec![("issue.assign", "issue", Id(routed))],
        ),
        write(
            "an issue signed for",
            Method::POST,
            routed_path("accept"),
            &handler,
            Body::Json(json!({})),
            200,
            vec![("issue.accept", "issue", Id(routed))],
        ),
        write(
            "more time asked for",
            Method::POST,
            routed_path("extend"),
            &handler,
            Body::Json(json!({"days": 2, "reason": "等材料"})),
            200,
            vec![("issue.extend", "issue", Id(routed))],
        ),
        write(
            "more time granted",
            Method::POST,
            routed_path("extension"),
            admin,
            Body::Json(json!({"granted": true})),
            200,
            vec![("issue.extension", "issue", Id(routed))],
        ),
        write(
            "an issue reported done",
            Method::POST,
            routed_path("done"),
            &handler,
            Body::Json(json!({"resolution": "已修补"})),
            200,
            vec![("issue.done", "issue", Id(routed))],
        ),
        write(
            "an issue verified",
            Method::POST,
            routed_path("verify"),
            leader1,
            Body::Json(json!({"fixed": true})),
            200,
            vec![("issue.verify", "issue", Id(routed))],
        ),
        write(
            "statistics exported",
            Method::GET,
            "/api/v1/stats/export?format=csv&by=grid&from=2026-01-01&to=2026-01-31",
            admin,
            Body::None,
            200,
            vec![("stats.export", "stats", Entity::None)],
        ),
        Write {
            what: "a login",
            method: Method::POST,
            path: "/api/v1/auth/login".into(),
            token: String::new(),
            body: Body::Json(json!({
                "tenant": "alpha", "username": "idle_leader", "password": PASSWORD,
            })),
            status: 200,
            actor: t.idle_leader.id,
            records: vec![("auth.login", "user", Id(t.idle_leader.id))],
        },
        Write {
            what: "a logout",
            method: Method::POST,
            path: "/api/v1/auth/logout".into(),
            token: String::new(),
            body: Body::Json(json!({"refresh_token": supervisors_session})),
            status: 204,
            actor: t.supervisor.id,
            records: vec![("auth.logout", "user", Id(t.supervisor.id))],
        },
        write(
            "one's own password changed",
            Method::POST,
            "/api/v1/me/password",
            &t.supervisor,
            Body::Json(json!({"current_password": PASSWORD, "new_password": "my-own-pass-2026"})),
            204,
            vec![("user.password", "user", Id(t.supervisor.id))],
        ),
    ];

    let mut seen: BTreeSet<Uuid> = audit_log(&app).await.iter().map(|r| r.id).collect();
    for row in &table {
        let resp = send(&app, row.method.clone(), &row.path, &row.token, &row.body).await;
        assert_eq!(resp.status, row.status, "{}: {}", row.what, resp.body);
        let created = resp.body["id"].as_str().and_then(|id| id.parse().ok());
        let new: Vec<Record> = audit_log(&app)
            .await
            .into_iter()
            .filter(|r| !seen.contains(&r.id))
            .collect();
        seen.extend(new.iter().map(|r| r.id));
        let mut found: Vec<_> = new
            .iter()
            .map(|r| (r.action.as_str(), r.entity.as_str(), r.entity_id))
            .collect();
        let mut expected: Vec<_> = row
            .records
            .iter()
            .map(|(action, entity, id)| {
                let id = match id {
                    Entity::Id(id) => Some(*id),
                    Entity::Created => Some(created.expect("the answer's id")),
                    Entity::None => None,
                };
                (*action, *entity, id)
            })
            .collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "{}", row.what);
        for record in &new {
            assert_eq!(record.actor_id, Some(row.actor), "{}: the actor", row.what);
            assert_eq!(record.ip.as_deref(), Some("127.0.0.1"), "{}", row.what);
        }
    }

    // Every write endpoint the service describes has its row (or says why it has none).
    let spec = app
        .send(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    for (template, operations) in spec["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            if !["POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                continue;
            }
            let exempt = NOT_AUDITED
                .iter()
                .any(|(m, path, _)| *m == method && path == template);
            let covered = table
                .iter()
                .any(|row| row.method.as_str() == method && matches(template, &row.path));
            assert!(
                exempt || covered,
                "{method} {template} has no row in the audit table"
            );
        }
    }
}

/// Whether `path` is an instance of the OpenAPI path `template` (`/users/{id}`).
fn matches(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap();
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    tablename: String,
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = Text)]
    digest: String,
}

/// Each table's whole content as a digest, by table name.
async fn snapshot(app: &TestApp) -> BTreeMap<String, String> {
    let mut conn = app.db().await;
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' \
         AND tablename <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut digests = BTreeMap::new();
    for TableName { tablename } in tables {
        let Digest { digest } = diesel::sql_query(format!(
            "SELECT coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS digest \
             FROM {tablename} t"
        ))
        .get_result(&mut conn)
        .await
        .unwrap();
        digests.insert(tablename, digest);
    }
    digests
}

struct Refusal {
    what: &'static str,
    method: Method,
    path: String,
    token: String,
    body: Body,
    status: u16,
    code: &'static str,
}

fn refusal(
    what: &'static str,
    method: Method,
    path: impl Into<String>,
    token: &str,
    body: Body,
    (status, code): (u16, &'static str),
) -> Refusal {
    Refusal {
        what,
        method,
        path: path.into(),
        token: token.to_owned(),
        body,
        status,
        code,
    }
}

const FORBIDDEN: (u16, &str) = (403, "forbidden");
const NOT_FOUND: (u16, &str) = (404, "not_found");
const INVALID: (u16, &str) = (422, "validation_failed");
const CONFLICT: (u16, &str) = (409, "conflict");

#[tokio::test]
async fn a_refused_write_changes_nothing() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let open_issue = Uuid::now_v7();
    app.post(
        "/api/v1/issues",
        &t.leader1.token,
        json!({"id": open_issue, "household_id": t.h1, "category": "road", "description": "路灯不亮"}),
    )
    .await
    .expect(201);
    let (admin, leader, supervisor) = (&t.admin.token, &t.leader1.token, &t.supervisor.token);
    let (_, handler) = t.department(&app, "城建办").await;
    let (beta_department, _) = beta.department(&app, "国土所").await;
    let household = |micro_grid: Uuid, phone: &str| {
        Body::Json(json!({
            "micro_grid_id": micro_grid, "kind": "village", "name": "赵桂兰",
            "address": "新埭村1组9号", "phone": phone,
        }))
    };
    let table = vec![
        refusal(
            "a township created by a township admin",
            Method::POST,
            "/api/v1/tenants",
            admin,
            Body::Json(json!({
                "code": "gamma", "name": "伽马镇",
                "admin": {"username": "admin", "display_name": "管理员", "password": "gamma-admin-2026"},
            })),
            FORBIDDEN,
        ),
        refusal(
            "a user created by a leader",
            Method::POST,
            "/api/v1/users",
            leader,
            Body::Json(json!({
                "username": "mine", "display_name": "我的人", "role": "tenant_admin",
                "password": "taken-over-2026",
            })),
            FORBIDDEN,
        ),
        refusal(
            "a username taken twice",
            Method::POST,
            "/api/v1/users",
            admin,
            Body::Json(json!({
                "username": "leader1", "display_name": "重名", "role": "leader",
                "password": "same-name-2026",
            })),
            CONFLICT,
        ),
        refusal(
            "a password too short",
            Method::PATCH,
            format!("/api/v1/users/{}", t.leader1.id),
            admin,
            Body::Json(json!({"password": "short"})),
            INVALID,
        ),
        refusal(
            "an admin deactivating themselves",
            Method::PATCH,
            format!("/api/v1/users/{}", t.admin.id),
            admin,
            Body::Json(json!({"active": false})),
            INVALID,
        ),
        refusal(
            "another township's user changed",
            Method::PATCH,
            format!("/api/v1/users/{}", beta.leader1.id),
            admin,
            Body::Json(json!({"active": false})),
            NOT_FOUND,
        ),
        refusal(
            "a grid created by a supervisor",
            Method::POST,
            "/api/v1/grids",
            supervisor,
            Body::Json(json!({"name": "督导网格", "kind": "village"})),
            FORBIDDEN,
        ),
        refusal(
            "another township's grid renamed",
            Method::PATCH,
            format!("/api/v1/grids/{}", beta.g1),
            admin,
            Body::Json(json!({"name": "改名"})),
            NOT_FOUND,
        ),
        refusal(
            "a supervisor made leader",
            Method::PUT,
            format!("/api/v1/micro-grids/{}/leader", t.m2),
            admin,
            Body::Json(json!({"user_id": t.supervisor.id})),
            INVALID,
        ),
        refusal(
            "a leader removed by a supervisor",
            Method::DELETE,
            format!("/api/v1/micro-grids/{}/leader", t.m1),
            supervisor,
            Body::None,
            FORBIDDEN,
        ),
        refusal(
            "a household created in another leader's micro-grid",
            Method::POST,
            "/api/v1/households",
            leader,
            household(t.m3, "13912345678"),
            NOT_FOUND,
        ),
        refusal(
            "a household with a wrong phone",
            Method::POST,
            "/api/v1/households",
            admin,
            household(t.m1, "12345"),
            INVALID,
        ),
        refusal(
            "another leader's household changed",
            Method::PATCH,
            format!("/api/v1/households/{}", t.h4),
            leader,
            Body::Json(json!({"note": "不是我的"})),
            NOT_FOUND,
        ),
        refusal(
            "another township's household changed",
            Method::PATCH,
            format!("/api/v1/households/{}", beta.h1),
            admin,
            Body::Json(json!({"note": "不是本镇的"})),
            NOT_FOUND,
        ),
        refusal(
            "households moved into another township",
            Method::POST,
            "/api/v1/households/assign",
            admin,
            Body::Json(json!({"household_ids": [t.h1, t.h2], "micro_grid_id": beta.m1})),
            NOT_FOUND,
        ),
        refusal(
            "a roster with one bad row",
            Method::POST,
            "/api/v1/households/import",
            admin,
            Body::Csv(
                "micro_grid,kind,name,address,phone,id_number,members,tags\r\n\
                 新埭村第1微网格,village,沈金根,新埭村3组12号,,,2,\r\n\
                 新埭村第1微网格,village,钱小妹,新埭村3组13号,12345,,2,\r\n"
                    .to_owned(),
            ),
            INVALID,
        ),
        refusal(
            "a visit to another leader's household",
            Method::POST,
            "/api/v1/visits",
            leader,
            Body::Json(visit(Uuid::now_v7(), t.h4, 10)),
            NOT_FOUND,
        ),
        refusal(
            "a visit in the future",
            Method::POST,
            "/api/v1/visits",
            leader,
            Body::Json(visit(Uuid::now_v7(), t.h1, -60)),
            INVALID,
        ),
        refusal(
            "an issue on another leader's household",
            Method::POST,
            "/api/v1/issues",
            leader,
            Body::Json(json!({"household_id": t.h4, "category": "road", "description": "越界"})),
            NOT_FOUND,
        ),
        refusal(
            "feedback on an open issue",
            Method::POST,
            format!("/api/v1/issues/{open_issue}/feedback"),
            admin,
            Body::Json(json!({"satisfied": true})),
            CONFLICT,
        ),
        refusal(
            "another leader's issue escalated",
            Method::POST,
            format!("/api/v1/issues/{open_issue}/escalate"),
            &t.leader2.token,
            Body::Json(json!({"note": "越界"})),
            NOT_FOUND,
        ),
        refusal(
            "an issue routed by a leader",
            Method::POST,
            format!("/api/v1/issues/{open_issue}/assign"),
            leader,
            Body::Json(json!({"department_id": beta_department})),
            FORBIDDEN,
        ),
        refusal(
            "an issue routed to another township's department",
            Method::POST,
            format!("/api/v1/issues/{open_issue}/assign"),
            admin,
            Body::Json(json!({"department_id": beta_department})),
            INVALID,
        ),
        refusal(
            "an issue not routed to the handler's department signed for",
            Method::POST,
            format!("/api/v1/issues/{open_issue}/accept"),
            &handler.token,
            Body::Json(json!({})),
            NOT_FOUND,
        ),
        refusal(
            "an open issue verified",
            Method::POST,
            format!("/api/v1/issues/{open_issue}/verify"),
            admin,
            Body::Json(json!({"fixed": true})),
            CONFLICT,
        ),
        refusal(
            "another township's department renamed",
            Method::PATCH,
            format!("/api/v1/departments/{beta_department}"),
            admin,
            Body::Json(json!({"name": "改名"})),
            NOT_FOUND,
        ),
        refusal(
            "a calendar day set by a supervisor",
            Method::PUT,
            "/api/v1/calendar/2026-10-08",
            supervisor,
            Body::Json(json!({"workday": false})),
            FORBIDDEN,
        ),
        refusal(
            "a password change with a wrong current password",
            Method::POST,
            "/api/v1/me/password",
            leader,
            Body::Json(
                json!({"current_password": "guessing-2026", "new_password": "my-own-pass-2026"}),
            ),
            INVALID,
        ),
    ];

    let before = snapshot(&app).await;
    for row in &table {
        send(&app, row.method.clone(), &row.path, &row.token, &row.body)
            .await
            .expect_error(row.status, row.code);
        let after = snapshot(&app).await;
        let changed: Vec<_> = after
            .iter()
            .filter(|(table, digest)| before.get(*table) != Some(digest))
            .map(|(table, _)| table)
            .collect();
        assert!(changed.is_empty(), "{} changed {changed:?}", row.what);
    }

    // A batch whose every visit is refused stores nothing either (the request itself is 200).
    let batch =
        json!({"visits": [visit(Uuid::now_v7(), t.h4, 10), visit(Uuid::now_v7(), beta.h1, 10)]});
    let answer = app
        .post("/api/v1/visits/batch", leader, batch)
        .await
        .expect(200);
    let statuses: Vec<_> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, [404, 404]);
    assert_eq!(
        snapshot(&app).await,
        before,
        "a refused batch changed something"
    );

    // The snapshot does see a write: a visit in scope.
    app.post("/api/v1/visits", leader, visit(Uuid::now_v7(), t.h1, 10))
        .await
        .expect(201);
    assert_ne!(snapshot(&app).await, before);
}
