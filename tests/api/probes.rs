//! What probing the running service found (issue 12), each held here through HTTP: names
//! that show as another name, password guesses outside the login throttle, NUL characters
//! answered differently by field, a plain-text CORS refusal, a reader library's words in an
//! import error, a time zone that fell back to Shanghai, and database errors told apart by
//! the language of their message.

use std::time::{Duration, Instant};

use diesel::sql_types::{Bool, Text};
use diesel::QueryableByName;
use diesel_async::{AnsiTransactionManager, RunQueryDsl, TransactionManager};
use reqwest::Method;
use serde_json::{json, Value};

use crate::auth::login;
use crate::fixtures::{platform_admin, Township, PASSWORD};
use crate::harness::{into_resp, Resp, TestApp};

fn fields(resp: &Resp) -> &Value {
    &resp.body["error"]["fields"]
}

#[track_caller]
fn refused(resp: &Resp, field: &str) {
    resp.expect_error(422, "validation_failed");
    assert!(fields(resp)[field].is_array(), "{field}: {}", resp.body);
}

#[tokio::test]
async fn staff_and_township_names_that_show_as_another_are_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let user = |username: &str, display_name: &str| {
        json!({"username": username, "display_name": display_name, "role": "leader",
               "password": "leader-pass-2026"})
    };
    // `\u{202E}nimdab` lists as "badmin"; a zero-width space makes an invisible twin.
    for (username, display_name, field) in [
        ("\u{202E}nimdab", "王丽", "username"),
        ("ad\u{200B}min", "王丽", "username"),
        ("admin\u{FEFF}", "王丽", "username"),
        ("wangli", "王\u{202E}丽", "display_name"),
        ("wangli", "王\u{200B}丽", "display_name"),
        ("wangli", "王\u{2066}丽\u{2069}", "display_name"),
        ("wangli", "\u{200B}", "display_name"),
    ] {
        let resp = app
            .post(
                "/api/v1/users",
                &t.admin.token,
                user(username, display_name),
            )
            .await;
        refused(&resp, field);
    }
    let path = format!("/api/v1/users/{}", t.leader1.id);
    for display_name in ["李\u{202D}明", "\u{200B}\u{200B}"] {
        let resp = app
            .patch(&path, &t.admin.token, json!({"display_name": display_name}))
            .await;
        refused(&resp, "display_name");
    }
    // Nothing of it was stored: the staff list is the fixture's six.
    let staff = app.get("/api/v1/users", &t.admin.token).await.expect(200);
    assert_eq!(staff["total"], 6, "{staff}");
    // An invisible character at a name's end is trimmed, as in grid names.
    let trimmed = app
        .post(
            "/api/v1/users",
            &t.admin.token,
            user("wangli", "\u{FEFF}王丽\u{202E}"),
        )
        .await
        .expect(201);
    assert_eq!(trimmed["display_name"], "王丽");

    let operator = platform_admin(&app).await;
    let township = |name: &str, username: &str, display_name: &str| {
        json!({"code": "beta", "name": name,
               "admin": {"username": username, "display_name": display_name,
                         "password": "beta-admin-2026"}})
    };
    for (body, field) in [
        (township("\u{200B}", "admin", "镇管理员"), "name"),
        (township("新\u{202E}埭镇", "admin", "镇管理员"), "name"),
        (
            township("新埭镇", "\u{202E}nimda", "镇管理员"),
            "admin.username",
        ),
        (
            township("新埭镇", "admin", "镇\u{200B}管理员"),
            "admin.display_name",
        ),
    ] {
        let resp = app.post("/api/v1/tenants", &operator.token, body).await;
        refused(&resp, field);
    }
    let townships = app
        .get("/api/v1/tenants", &operator.token)
        .await
        .expect(200);
    assert_eq!(townships["total"], 1, "{townships}");
}

async fn change_password(app: &TestApp, token: &str, current: &str) -> Resp {
    app.post(
        "/api/v1/me/password",
        token,
        json!({"current_password": current, "new_password": "another-pass-2026"}),
    )
    .await
}

#[tokio::test]
async fn wrong_current_passwords_count_with_failed_logins() {
    let app = TestApp::spawn_with(&[("LIANXIN_LOGIN_MAX_FAILURES", "4")]).await;
    Township::create(&app, "alpha").await;
    let session = login(&app, Some("alpha"), "admin", PASSWORD)
        .await
        .expect(200);
    let token = session["access_token"].as_str().unwrap().to_owned();
    // Two guesses through the session, two at the login screen: the account's four.
    for _ in 0..2 {
        change_password(&app, &token, "guess-guess-guess")
            .await
            .expect_error(422, "validation_failed");
    }
    for _ in 0..2 {
        login(&app, Some("alpha"), "admin", "guess-guess-guess")
            .await
            .expect_error(401, "unauthenticated");
    }
    // Either way in, the fifth is refused, even with the right password.
    change_password(&app, &token, PASSWORD)
        .await
        .expect_error(429, "rate_limited");
    login(&app, Some("alpha"), "admin", PASSWORD)
        .await
        .expect_error(429, "rate_limited");
    // The other way round: guesses at the login screen block the session's guesses too.
    let app = TestApp::spawn_with(&[("LIANXIN_LOGIN_MAX_FAILURES", "3")]).await;
    Township::create(&app, "alpha").await;
    let session = login(&app, Some("alpha"), "leader1", PASSWORD)
        .await
        .expect(200);
    let token = session["access_token"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        login(&app, Some("alpha"), "leader1", "guess-guess-guess")
            .await
            .expect_error(401, "unauthenticated");
    }
    change_password(&app, &token, "guess-guess-guess")
        .await
        .expect_error(429, "rate_limited");
}

const NUL_REFUSED: &str = "text must not contain NUL (\\u0000) characters";

#[tokio::test]
async fn a_nul_character_is_400_in_every_field() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let operator = platform_admin(&app).await;
    let admin = &t.admin.token;
    let leader = &t.leader1.token;
    let user_path = format!("/api/v1/users/{}", t.leader2.id);
    let household_path = format!("/api/v1/households/{}", t.h1);
    let grid_path = format!("/api/v1/grids/{}", t.g1);
    let micro_grid_path = format!("/api/v1/micro-grids/{}", t.m1);
    let micro_grids_path = format!("/api/v1/grids/{}/micro-grids", t.g1);
    let nul = "一\u{0}村";
    let user = json!({"username": "new_leader", "display_name": "新人", "role": "leader",
                      "password": "leader-pass-2026"});
    let with = |body: &Value, field: &str| {
        let mut body = body.clone();
        body[field] = json!(nul);
        body
    };
    let household = json!({"micro_grid_id": t.m1, "kind": "village", "name": "张三",
                           "address": "新埭村1组"});
    let visit = json!({"household_id": t.h1, "visited_at": "2026-03-02T09:00:00+08:00",
                       "method": "door", "summary": "一切都好"});
    let issue = json!({"household_id": t.h1, "category": "road", "description": "路灯坏了"});
    let township = json!({"code": "beta", "name": "新埭镇",
                          "admin": {"username": "admin", "display_name": "镇管理员",
                                    "password": "beta-admin-2026"}});
    let mut nested = township.clone();
    nested["admin"]["display_name"] = json!(nul);
    let cases: Vec<(Method, String, &str, Value)> = vec![
        (
            Method::POST,
            "/api/v1/grids".into(),
            admin,
            json!({"name": nul, "kind": "village"}),
        ),
        (Method::PATCH, grid_path, admin, json!({"name": nul})),
        (
            Method::POST,
            micro_grids_path,
            admin,
            json!({"name": "一组", "group_name": nul}),
        ),
        (Method::PATCH, micro_grid_path, admin, json!({"name": nul})),
        (
            Method::POST,
            "/api/v1/users".into(),
            admin,
            with(&user, "username"),
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            admin,
            with(&user, "display_name"),
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            admin,
            with(&user, "password"),
        ),
        (
            Method::PATCH,
            user_path,
            admin,
            json!({"display_name": nul}),
        ),
        (
            Method::POST,
            "/api/v1/households".into(),
            admin,
            with(&household, "name"),
        ),
        (
            Method::POST,
            "/api/v1/households".into(),
            admin,
            with(&household, "note"),
        ),
        (
            Method::POST,
            "/api/v1/households".into(),
            admin,
            json!({
            "micro_grid_id": t.m1, "kind": "village", "name": "张三", "address": "新埭村1组",
            "tags": [nul]}),
        ),
        (
            Method::PATCH,
            household_path,
            admin,
            json!({"address": nul}),
        ),
        (
            Method::POST,
            "/api/v1/visits".into(),
            leader,
            with(&visit, "summary"),
        ),
        (
            Method::POST,
            "/api/v1/issues".into(),
            leader,
            with(&issue, "description"),
        ),
        (
            Method::POST,
            "/api/v1/me/password".into(),
            admin,
            json!({"current_password": nul, "new_password": "another-pass-2026"}),
        ),
        (
            Method::POST,
            "/api/v1/tenants".into(),
            &operator.token,
            with(&township, "name"),
        ),
        (
            Method::POST,
            "/api/v1/tenants".into(),
            &operator.token,
            nested,
        ),
    ];
    for (method, path, token, body) in cases {
        let resp = app
            .send(method.clone(), &path, Some(token), Some(&body))
            .await;
        resp.expect_error(400, "bad_request");
        assert_eq!(
            resp.body["error"]["message"], NUL_REFUSED,
            "{method} {path}"
        );
    }
    let login = json!({"tenant": "alpha", "username": "ad\u{0}min", "password": PASSWORD});
    let resp = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(&login))
        .await;
    resp.expect_error(400, "bad_request");
    for path in [
        "/api/v1/households?q=%00",
        "/api/v1/users?q=a%00b",
        "/api/v1/audit?action=%00",
        "/api/v1/grids/%00",
    ] {
        let resp = app.get(path, admin).await;
        resp.expect_error(400, "bad_request");
        assert_eq!(resp.body["error"]["message"], NUL_REFUSED, "{path}");
    }
    // Said in Chinese too.
    let resp = app
        .send_in(
            "zh-CN",
            Method::POST,
            "/api/v1/grids",
            Some(admin),
            Some(&json!({"name": nul, "kind": "village"})),
        )
        .await;
    assert_eq!(
        resp.body["error"]["message"],
        "文字中不能含有空字符（\\u0000）"
    );
    // The batch answers each item alone (api.md: 201, 200, 404, 409 or 422 per item): one
    // item's NUL fails that item, not the phone's whole queue.
    let mut bad = with(&visit, "summary");
    bad["id"] = json!(uuid::Uuid::now_v7());
    let mut good = visit.clone();
    good["id"] = json!(uuid::Uuid::now_v7());
    let batch = app
        .post(
            "/api/v1/visits/batch",
            leader,
            json!({"visits": [bad, good]}),
        )
        .await
        .expect(200);
    assert_eq!(batch["results"][0]["status"], 422, "{batch}");
    assert_eq!(batch["results"][1]["status"], 201, "{batch}");
    // Nothing else was stored.
    let grids = app.get("/api/v1/grids", admin).await.expect(200);
    assert_eq!(grids["total"], 2);
    let visits = app.get("/api/v1/visits", admin).await.expect(200);
    assert_eq!(visits["total"], 1, "{visits}");
}

#[tokio::test]
async fn a_refused_cors_preflight_answers_with_the_error_envelope() {
    let app = TestApp::spawn_with(&[("LIANXIN_CORS_ORIGINS", "https://console.example")]).await;
    let preflight = |origin: &str, language: &str| {
        app.client
            .request(Method::OPTIONS, format!("{}/api/v1/grids", app.base))
            .header("origin", origin.to_owned())
            .header("access-control-request-method", "POST")
            .header("accept-language", language.to_owned())
            .send()
    };
    let refused = into_resp(preflight("https://elsewhere.example", "en").await.unwrap()).await;
    refused.expect_error(400, "bad_request");
    assert!(
        refused.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{:?}",
        refused.headers
    );
    assert!(refused.headers.get("access-control-allow-origin").is_none());
    let chinese = into_resp(preflight("https://elsewhere.example", "zh").await.unwrap()).await;
    chinese.expect_error(400, "bad_request");
    assert!(
        chinese.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CORS"),
        "{}",
        chinese.body
    );
    assert_ne!(
        chinese.body["error"]["message"],
        refused.body["error"]["message"]
    );
    // The origin that is allowed is answered as before.
    let allowed = preflight("https://console.example", "en").await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://console.example"
    );
}

/// A small workbook whose entries declare smaller sizes than they unpack to: the reader
/// then fails inside its XML parser with "File is larger than its declared uncompressed
/// size", the message the probe saw in an answer.
fn workbook_with_understated_sizes() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ["micro_grid", "kind", "name", "address"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "新埭村第1微网格").unwrap();
    let mut bytes = workbook.save_to_buffer().unwrap();
    // Every entry's declared uncompressed size, in its local header (offset 22) and in the
    // central directory (offset 24), cut to 10 bytes.
    for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let starts: Vec<usize> = bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| w == signature)
            .map(|(i, _)| i)
            .collect();
        for start in starts {
            bytes[start + offset..start + offset + 4].copy_from_slice(&10u32.to_le_bytes());
        }
    }
    bytes
}

#[tokio::test]
async fn an_unreadable_workbook_is_answered_in_plain_words() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    for bytes in [
        workbook_with_understated_sizes(),
        b"PK\x03\x04 not really a workbook".to_vec(),
    ] {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("roster.xlsx");
        let form = reqwest::multipart::Form::new().part("file", part);
        let response = app
            .client
            .post(format!("{}/api/v1/households/import", app.base))
            .bearer_auth(&t.admin.token)
            .header("accept-language", "en")
            .multipart(form)
            .send()
            .await
            .unwrap();
        let resp = into_resp(response).await;
        resp.expect_error(422, "validation_failed");
        assert_eq!(
            fields(&resp)["file"],
            json!(["the file could not be read as an XLSX workbook; open it in Excel and save it again as .xlsx"]),
            "{}",
            resp.body
        );
        let text = resp.body.to_string();
        for inside in ["Xml", "I/O", "declared", "Zip", "zip"] {
            assert!(!text.contains(inside), "{text}");
        }
    }
}

#[tokio::test]
async fn a_townships_zone_is_checked_at_creation_and_never_replaced() {
    let app = TestApp::spawn().await;
    let operator = platform_admin(&app).await;
    let township = |zone: &str| {
        json!({"code": "beta", "name": "新埭镇", "timezone": zone,
               "admin": {"username": "admin", "display_name": "镇管理员",
                         "password": "beta-admin-2026"}})
    };
    for zone in ["Mars/Base", "asia/shanghai", "", "+08:00"] {
        let resp = app
            .post("/api/v1/tenants", &operator.token, township(zone))
            .await;
        refused(&resp, "timezone");
    }
    let created = app
        .post(
            "/api/v1/tenants",
            &operator.token,
            township(" Asia/Urumqi "),
        )
        .await
        .expect(201);
    assert_eq!(created["timezone"], "Asia/Urumqi");

    // A zone written around the service is a fault, not Shanghai: the lists that count days
    // in it answer 500 instead of shifting every day boundary.
    let t = Township::create(&app, "alpha").await;
    let mut db = app.db().await;
    diesel::sql_query("UPDATE tenants SET timezone = 'Mars/Base' WHERE code = 'alpha'")
        .execute(&mut db)
        .await
        .unwrap();
    for path in [
        "/api/v1/visits?from=2026-03-01",
        "/api/v1/issues?to=2026-03-01",
        "/api/v1/households?due=true",
        "/api/v1/audit?from=2026-03-01",
        "/api/v1/stats/summary",
    ] {
        app.get(path, &t.admin.token)
            .await
            .expect_error(500, "internal");
    }
    // Lists that count no days go on.
    app.get("/api/v1/visits", &t.admin.token).await.expect(200);
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName)]
struct Done {
    #[diesel(sql_type = Bool)]
    #[allow(dead_code)]
    done: bool,
}

/// The database's own messages in Chinese, where this machine has the locale: a server so
/// configured must still get a statement timeout answered as 503, not 500. (The service's
/// sessions ask for English: `db::pool`; the classification is `error::DbFailure`.)
#[tokio::test]
async fn a_statement_timeout_is_503_whatever_language_the_database_speaks() {
    let app = TestApp::spawn_with(&[
        ("LIANXIN_REQUEST_TIMEOUT_SECS", "60"),
        ("LIANXIN_DB_TIMEOUT_MS", "1000"),
    ])
    .await;
    let t = Township::create(&app, "alpha").await;
    let mut admin = app.db().await;
    let chinese = diesel::sql_query(format!(
        "ALTER DATABASE {} SET lc_messages = 'zh_CN.UTF-8'",
        app.db_url
            .rsplit('/')
            .next()
            .unwrap()
            .split('?')
            .next()
            .unwrap()
    ))
    .execute(&mut admin)
    .await
    .is_ok();
    if chinese {
        // A session that does not ask for English now hears Chinese.
        let mut fresh = app.db().await;
        let language: Setting = diesel::sql_query("SELECT current_setting('lc_messages') AS value")
            .get_result(&mut fresh)
            .await
            .unwrap();
        assert_eq!(language.value, "zh_CN.UTF-8");
        let error = diesel::sql_query("SELECT 1 / 0 AS done")
            .get_result::<Done>(&mut fresh)
            .await
            .err()
            .unwrap();
        assert!(!error.to_string().is_ascii(), "{error}");
    } else {
        eprintln!("no zh_CN.UTF-8 locale here: the database keeps its language for this test");
    }
    // The service's pooled connections start again, under the database's new default.
    diesel::sql_query(
        "SELECT coalesce(bool_and(pg_terminate_backend(pid)), true) AS done FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .get_result::<Done>(&mut admin)
    .await
    .unwrap();
    let mut answered = false;
    for _ in 0..10 {
        if app.get("/api/v1/grids", &t.admin.token).await.status == 200 {
            answered = true;
            break;
        }
    }
    assert!(answered, "the pool did not recover");
    // A new grid waits on a lock until its statement times out (5 s).
    AnsiTransactionManager::begin_transaction(&mut admin)
        .await
        .unwrap();
    diesel::sql_query("LOCK TABLE grids IN ACCESS EXCLUSIVE MODE")
        .execute(&mut admin)
        .await
        .unwrap();
    let started = Instant::now();
    app.post(
        "/api/v1/grids",
        &t.admin.token,
        json!({"name": "三村", "kind": "village"}),
    )
    .await
    .expect_error(503, "unavailable");
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    AnsiTransactionManager::rollback_transaction(&mut admin)
        .await
        .unwrap();
    app.get("/api/v1/grids", &t.admin.token).await.expect(200);
}
