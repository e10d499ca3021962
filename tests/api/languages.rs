//! `Accept-Language`: what a leader reads of a refusal is Chinese when the phone asks for it,
//! English otherwise; the `code` a client decides by never changes.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::{Resp, TestApp};

const ZH: &str = "zh-CN,zh;q=0.9,en;q=0.8";
const EN: &str = "en-US,en;q=0.9";

fn error(resp: &Resp, status: u16, code: &str) -> Value {
    assert_eq!(resp.status, status, "{:?}", resp.body);
    assert_eq!(resp.body["error"]["code"], code, "{:?}", resp.body);
    resp.body["error"].clone()
}

#[tokio::test]
async fn field_problems_in_chinese_or_english() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let bad = json!({"micro_grid_id": t.m1, "kind": "village", "name": "",
                     "address": "新埭村", "phone": "12345", "members": 120});
    let post = |language: &'static str| {
        let (app, bad, token) = (&app, bad.clone(), t.admin.token.clone());
        async move {
            app.send_in(
                language,
                Method::POST,
                "/api/v1/households",
                Some(&token),
                Some(&bad),
            )
            .await
        }
    };
    let zh = error(&post(ZH).await, 422, "validation_failed");
    assert_eq!(zh["message"], "部分内容填写有误");
    assert_eq!(zh["fields"]["name"], json!(["不能为空"]));
    assert_eq!(
        zh["fields"]["phone"],
        json!(["须为大陆手机号（1[3-9] 开头共 11 位）或固定电话"])
    );
    assert_eq!(zh["fields"]["members"], json!(["须在 1 到 99 之间"]));
    let en = error(&post(EN).await, 422, "validation_failed");
    assert_eq!(en["message"], "some values are not valid");
    assert_eq!(en["fields"]["name"], json!(["must not be empty"]));
    // No header at all: English, as before.
    let none = app.post("/api/v1/households", &t.admin.token, bad).await;
    assert_eq!(error(&none, 422, "validation_failed"), en);
}

#[tokio::test]
async fn not_found_unauthenticated_and_forbidden_in_chinese() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let elsewhere = format!("/api/v1/households/{}", Uuid::now_v7());
    let zh = app
        .send_in(ZH, Method::GET, &elsewhere, Some(&t.leader1.token), None)
        .await;
    assert_eq!(
        error(&zh, 404, "not_found")["message"],
        "未找到（或不在您的辖区内）"
    );
    let en = app
        .send_in(EN, Method::GET, &elsewhere, Some(&t.leader1.token), None)
        .await;
    assert_eq!(error(&en, 404, "not_found")["message"], "not found");

    let anonymous = app.send_in(ZH, Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(
        error(&anonymous, 401, "unauthenticated")["message"],
        "缺少登录凭证，请先登录"
    );
    assert_eq!(anonymous.headers["www-authenticate"], "Bearer");
    let refused = app
        .send_in(
            ZH,
            Method::GET,
            "/api/v1/users",
            Some(&t.leader1.token),
            None,
        )
        .await;
    assert_eq!(
        error(&refused, 403, "forbidden")["message"],
        "您的角色无权进行此操作"
    );
    // Answers made outside the handlers: an unknown path, a method the path does not take.
    let unknown = app
        .send_in(
            ZH,
            Method::GET,
            "/api/v1/no-such-thing",
            Some(&t.admin.token),
            None,
        )
        .await;
    assert_eq!(
        error(&unknown, 404, "not_found")["message"],
        "未找到（或不在您的辖区内）"
    );
    let method = app
        .send_in(
            ZH,
            Method::DELETE,
            "/api/v1/users",
            Some(&t.admin.token),
            None,
        )
        .await;
    assert_eq!(
        error(&method, 405, "method_not_allowed")["message"],
        "此地址不支持该请求方法"
    );
    assert!(method.headers.contains_key("allow"));
}

#[tokio::test]
async fn a_batch_items_refusal_is_in_the_requests_language() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let future = (Utc::now() + Duration::hours(2)).to_rfc3339();
    let batch = json!({"visits": [
        {"id": Uuid::now_v7(), "household_id": t.h1, "visited_at": future, "method": "door",
         "summary": "走访"},
        {"id": Uuid::now_v7(), "household_id": t.h4, "visited_at": Utc::now().to_rfc3339(),
         "method": "door", "summary": "走访"},
        {"id": Uuid::now_v7(), "household_id": t.h2, "method": "door"},
    ]});
    let send = |language: &'static str| {
        let (app, batch, token) = (&app, batch.clone(), t.leader1.token.clone());
        async move {
            app.send_in(
                language,
                Method::POST,
                "/api/v1/visits/batch",
                Some(&token),
                Some(&batch),
            )
            .await
            .expect(200)
        }
    };
    let zh = send(ZH).await;
    assert_eq!(zh["results"][0]["status"], 422, "{zh}");
    assert_eq!(zh["results"][0]["error"]["code"], "validation_failed");
    assert_eq!(zh["results"][0]["error"]["message"], "部分内容填写有误");
    assert_eq!(
        zh["results"][0]["error"]["fields"]["visited_at"],
        json!(["晚于当前时间"]),
        "{zh}"
    );
    assert_eq!(zh["results"][1]["status"], 404);
    assert_eq!(
        zh["results"][1]["error"]["message"],
        "未找到（或不在您的辖区内）"
    );
    // A parser's words about a malformed item: the field's name stays, the rest is Chinese.
    assert_eq!(
        zh["results"][2]["error"]["fields"]["visit"],
        json!(["缺少字段 visited_at"]),
        "{zh}"
    );
    let en = send(EN).await;
    assert_eq!(
        en["results"][0]["error"]["fields"]["visited_at"],
        json!(["is in the future"])
    );
    assert_eq!(en["results"][1]["error"]["message"], "not found");
}

#[tokio::test]
async fn too_many_attempts_and_a_wrong_login_in_chinese() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let wrong = json!({"tenant": "alpha", "username": "leader1", "password": "not-it-at-all"});
    let first = app
        .send_in(ZH, Method::POST, "/api/v1/auth/login", None, Some(&wrong))
        .await;
    assert_eq!(
        error(&first, 401, "unauthenticated")["message"],
        "乡镇、用户名或密码错误"
    );
    let mut last = first;
    for _ in 0..10 {
        last = app
            .send_in(ZH, Method::POST, "/api/v1/auth/login", None, Some(&wrong))
            .await;
        if last.status == 429 {
            break;
        }
    }
    let message = error(&last, 429, "rate_limited")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    let seconds = last.headers["retry-after"].to_str().unwrap();
    assert_eq!(message, format!("尝试次数过多，请 {seconds} 秒后再试"));
}

#[tokio::test]
async fn a_rosters_bad_rows_are_named_in_chinese() {
    use reqwest::multipart::{Form, Part};
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let roster = "micro_grid,kind,name,address,phone\n\
                  新埭村第9微网格,village,张三,新埭村1号,13812345678\n\
                  新埭村第1微网格,工厂,李四,新埭村2号,12345\n";
    let form = Form::new().part(
        "file",
        Part::bytes(roster.as_bytes().to_vec()).file_name("花名册.csv"),
    );
    let response = app
        .client
        .post(format!("{}/api/v1/households/import", app.base))
        .bearer_auth(&t.admin.token)
        .header("accept-language", ZH)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let resp = crate::harness::into_resp(response).await;
    let zh = error(&resp, 422, "validation_failed");
    assert_eq!(
        zh["fields"]["row 2"],
        json!(["micro_grid：本乡镇没有名为“新埭村第9微网格”的微网格"])
    );
    assert_eq!(
        zh["fields"]["row 3"],
        json!([
            "kind：“工厂”不是 农户、村民、居民、住户、企业（village, resident, enterprise）之一",
            "phone：须为大陆手机号（1[3-9] 开头共 11 位）或固定电话"
        ])
    );
}
