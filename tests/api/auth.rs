//! Login, sessions and the caller's own account (api.md "Auth"), and login throttling.

use std::time::{Duration, Instant};

use lianxin::auth::tokens::TokenKeys;
use lianxin::domain::Role;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::fixtures::{platform_admin, Township, PASSWORD};
use crate::harness::{Resp, TestApp, JWT_SECRET};

pub async fn login(app: &TestApp, tenant: Option<&str>, username: &str, password: &str) -> Resp {
    let body = json!({"tenant": tenant, "username": username, "password": password});
    app.send(Method::POST, "/api/v1/auth/login", None, Some(&body))
        .await
}

/// Logs in and returns (access token, refresh token).
pub async fn tokens(
    app: &TestApp,
    tenant: Option<&str>,
    username: &str,
    password: &str,
) -> (String, String) {
    let body = login(app, tenant, username, password).await.expect(200);
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

pub async fn refresh(app: &TestApp, refresh_token: &str) -> Resp {
    let body = json!({ "refresh_token": refresh_token });
    app.send(Method::POST, "/api/v1/auth/refresh", None, Some(&body))
        .await
}

async fn me(app: &TestApp, token: &str) -> Resp {
    app.get("/api/v1/me", token).await
}

#[tokio::test]
async fn every_role_and_the_platform_admin_log_in() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    for (user, role, grid) in [
        (&t.admin, "tenant_admin", None),
        (&t.supervisor, "supervisor", None),
        (&t.grid_supervisor, "supervisor", Some(t.g1)),
        (&t.leader1, "leader", None),
    ] {
        let body = login(&app, Some("alpha"), &user.username, PASSWORD)
            .await
            .expect(200);
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 900);
        assert!(body["refresh_token"].as_str().unwrap().len() >= 40);
        let expected = json!({
            "id": user.id, "tenant_id": t.id, "username": user.username,
            "display_name": format!("{}的名字", user.username), "role": role,
            "phone": "13900001111", "grid_id": grid, "department_id": null, "active": true,
        });
        assert_eq!(body["user"], expected);
        let mut mine = me(&app, body["access_token"].as_str().unwrap())
            .await
            .expect(200);
        // What a phone needs to count due days offline: the fixture's township has the
        // defaults of a new township.
        let tenant = mine.as_object_mut().unwrap().remove("tenant");
        assert_eq!(
            tenant,
            Some(
                json!({"code": "alpha", "name": "alpha镇", "timezone": "Asia/Shanghai",
                        "visit_interval_days": 7, "tag_intervals": []})
            )
        );
        assert_eq!(mine, expected, "GET /me is the same User plus the township");
    }

    let operator = platform_admin(&app).await;
    // `tenant` null or absent: both mean the platform.
    let body = login(&app, None, "operator", PASSWORD).await.expect(200);
    assert_eq!(body["user"]["role"], "platform_admin");
    assert_eq!(body["user"]["tenant_id"], Value::Null);
    assert_eq!(body["user"]["id"], json!(operator.id));
    let absent = json!({"username": "operator", "password": PASSWORD});
    app.send(Method::POST, "/api/v1/auth/login", None, Some(&absent))
        .await
        .expect(200);
    let mine = me(&app, body["access_token"].as_str().unwrap())
        .await
        .expect(200);
    assert_eq!(mine["username"], "operator");
    assert_eq!(
        mine["tenant"],
        Value::Null,
        "a platform admin has no township"
    );
    assert!(mine.get("password_hash").is_none());
}

#[tokio::test]
async fn me_carries_the_townships_own_zone_and_interval() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    Township::create(&app, "beta").await;
    use diesel_async::RunQueryDsl;
    let mut conn = app.db().await;
    diesel::sql_query(
        "UPDATE tenants SET timezone = 'Asia/Urumqi', visit_interval_days = 14 WHERE code = 'alpha'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let mine = me(&app, &t.leader1.token).await.expect(200);
    assert_eq!(
        mine["tenant"],
        json!({"code": "alpha", "name": "alpha镇", "timezone": "Asia/Urumqi",
               "visit_interval_days": 14, "tag_intervals": []})
    );
    assert_eq!(mine["username"], t.leader1.username);
}

#[tokio::test]
async fn wrong_tenant_user_or_password_get_one_identical_answer() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    Township::create(&app, "beta").await;
    platform_admin(&app).await;
    deactivate(&app, &t, t.leader2.id).await;

    let wrong_password = login(&app, Some("alpha"), "admin", "not-the-password").await;
    wrong_password.expect_error(401, "unauthenticated");
    let cases = [
        login(&app, Some("alpha"), "nobody", PASSWORD).await,
        login(&app, Some("gamma"), "admin", PASSWORD).await,
        login(&app, Some("Not A Code!"), "admin", PASSWORD).await,
        // A township's user is not a platform admin, and a platform admin not a user.
        login(&app, None, "admin", PASSWORD).await,
        login(&app, Some("alpha"), "operator", PASSWORD).await,
        login(&app, Some("alpha"), "", PASSWORD).await,
        // Deactivated, with the right password.
        login(&app, Some("alpha"), "leader2", PASSWORD).await,
    ];
    for case in cases {
        assert_eq!(case.status, 401);
        assert_eq!(case.bytes, wrong_password.bytes, "bodies differ");
    }
}

#[tokio::test]
async fn an_unknown_user_takes_as_long_as_a_wrong_password() {
    let app = TestApp::spawn_with(&[("LIANXIN_LOGIN_MAX_FAILURES", "100")]).await;
    Township::create(&app, "alpha").await;
    // Interleaved, and the fastest of each kind: other tests share the machine, and load
    // only ever makes a request slower.
    let (mut known, mut unknown) = (Duration::MAX, Duration::MAX);
    for _ in 0..7 {
        for (username, best) in [("admin", &mut known), ("nobody", &mut unknown)] {
            let started = Instant::now();
            login(&app, Some("alpha"), username, "not-the-password").await;
            *best = (*best).min(started.elapsed());
        }
    }
    // Without the dummy hash an unknown user answers in a small fraction of the time.
    assert!(
        unknown * 3 > known && known * 3 > unknown,
        "known {known:?}, unknown {unknown:?}"
    );
}

#[tokio::test]
async fn repeated_failures_get_429_with_retry_after_but_other_staff_still_log_in() {
    let app = TestApp::spawn_with(&[("LIANXIN_LOGIN_MAX_FAILURES", "3")]).await;
    Township::create(&app, "alpha").await;
    for _ in 0..3 {
        login(&app, Some("alpha"), "admin", "guess-guess-guess")
            .await
            .expect_error(401, "unauthenticated");
    }
    let blocked = login(&app, Some("alpha"), "admin", "guess-guess-guess").await;
    blocked.expect_error(429, "rate_limited");
    let retry: u64 = blocked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    // Even the right password waits: the attacker learns nothing from a blocked key.
    login(&app, Some("alpha"), "admin", PASSWORD)
        .await
        .expect_error(429, "rate_limited");
    // Colleagues at the same address are not affected.
    for username in ["supervisor", "leader1", "leader2"] {
        login(&app, Some("alpha"), username, PASSWORD)
            .await
            .expect(200);
    }
}

#[tokio::test]
async fn a_block_ends_with_its_window_and_a_success_clears_the_count() {
    let app = TestApp::spawn_with(&[
        ("LIANXIN_LOGIN_MAX_FAILURES", "2"),
        ("LIANXIN_LOGIN_WINDOW_SECS", "2"),
    ])
    .await;
    Township::create(&app, "alpha").await;
    login(&app, Some("alpha"), "admin", "guess-guess-guess")
        .await
        .expect(401);
    login(&app, Some("alpha"), "admin", PASSWORD)
        .await
        .expect(200);
    // The success forgot the first failure: two more are allowed.
    login(&app, Some("alpha"), "admin", "guess-guess-guess")
        .await
        .expect(401);
    let mut blocked = None;
    for _ in 0..5 {
        let resp = login(&app, Some("alpha"), "admin", "guess-guess-guess").await;
        if resp.status == 429 {
            blocked = Some(resp);
            break;
        }
    }
    let blocked = blocked.expect("blocked after the limit");
    let retry: u64 = blocked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry <= 2);
    tokio::time::sleep(Duration::from_millis(retry * 1000 + 200)).await;
    login(&app, Some("alpha"), "admin", PASSWORD)
        .await
        .expect(200);
}

#[tokio::test]
async fn one_address_is_limited_in_failures_but_never_in_successes() {
    let app = TestApp::spawn_with(&[
        ("LIANXIN_LOGIN_MAX_FAILURES_PER_IP", "3"),
        ("LIANXIN_LOGIN_MAX_FAILURES", "100"),
    ])
    .await;
    Township::create(&app, "alpha").await;
    // A morning at the township office: many successful logins from one address.
    for _ in 0..4 {
        for username in ["admin", "supervisor", "leader1", "leader2"] {
            login(&app, Some("alpha"), username, PASSWORD)
                .await
                .expect(200);
        }
    }
    // Spraying usernames from one address is limited.
    for username in ["wang", "li", "zhang"] {
        login(&app, Some("alpha"), username, "guess-guess-guess")
            .await
            .expect(401);
    }
    login(&app, Some("alpha"), "zhao", "guess-guess-guess")
        .await
        .expect_error(429, "rate_limited");
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_token_ends_the_whole_session() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    let (_, other_session) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;

    let renewed = refresh(&app, &first).await.expect(200);
    assert_eq!(renewed["token_type"], "Bearer");
    assert_eq!(renewed["user"]["username"], "leader1");
    let second = renewed["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    me(&app, renewed["access_token"].as_str().unwrap())
        .await
        .expect(200);

    // The newer token was used, so the answer that carried it arrived: the old token
    // presented again is a copy's, and revokes its chain, the newest token too.
    let third = refresh(&app, &second).await.expect(200)["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    refresh(&app, &first)
        .await
        .expect_error(401, "unauthenticated");
    refresh(&app, &third)
        .await
        .expect_error(401, "unauthenticated");
    // Another login of the same user is another chain and lives on.
    refresh(&app, &other_session).await.expect(200);
    refresh(&app, "never-issued")
        .await
        .expect_error(401, "unauthenticated");

    // The township's audit log shows both logins and the replay, with the address.
    let audited = |action: &'static str| {
        crate::grids::count(
            &app,
            match action {
                "auth.login" => {
                    "SELECT count(*) AS n FROM audit_log a \
                     JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.entity_id \
                     WHERE a.action = 'auth.login' AND u.username = 'leader1' \
                     AND a.actor_id = u.id AND a.ip = '127.0.0.1'"
                }
                _ => {
                    "SELECT count(*) AS n FROM audit_log a \
                     JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.entity_id \
                     WHERE a.action = 'auth.refresh_reuse' AND u.username = 'leader1' \
                     AND a.actor_id IS NULL AND a.ip = '127.0.0.1'"
                }
            },
        )
    };
    assert_eq!(audited("auth.login").await, 2);
    assert_eq!(audited("auth.refresh_reuse").await, 1);
}

fn refresh_token_of(answer: &Value) -> String {
    answer["refresh_token"].as_str().unwrap().to_owned()
}

/// Moves every spending of the database's refresh tokens `seconds` into the past (in UTC:
/// Citus refuses the time-zone-dependent `timestamptz - interval` on a column in an UPDATE).
async fn age_spent_tokens(app: &TestApp, seconds: i32) {
    use diesel_async::RunQueryDsl;
    let mut conn = app.db().await;
    diesel::sql_query(format!(
        "UPDATE refresh_tokens \
         SET spent_at = (spent_at AT TIME ZONE 'UTC' - interval '{seconds} seconds') AT TIME ZONE 'UTC' \
         WHERE spent_at IS NOT NULL"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
}

async fn refresh_reuses_audited(app: &TestApp) -> i64 {
    crate::grids::count(
        app,
        "SELECT count(*) AS n FROM audit_log WHERE action = 'auth.refresh_reuse'",
    )
    .await
}

#[tokio::test]
async fn a_lost_refresh_answer_is_replaced_once_and_the_chain_lives_on() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    // The server spends `first` and answers; the phone never hears the answer.
    let lost = refresh_token_of(&refresh(&app, &first).await.expect(200));

    // It presents `first` again: a new pair of the same session.
    let replaced = refresh(&app, &first).await.expect(200);
    assert_eq!(replaced["user"]["username"], "leader1");
    let kept = refresh_token_of(&replaced);
    assert_ne!(kept, lost);
    me(&app, replaced["access_token"].as_str().unwrap())
        .await
        .expect(200);
    // The new pair goes on working like any other.
    let next = refresh_token_of(&refresh(&app, &kept).await.expect(200));
    refresh(&app, &next).await.expect(200);
    assert_eq!(refresh_reuses_audited(&app).await, 0, "nothing was copied");
}

#[tokio::test]
async fn the_lost_answers_token_turning_up_later_ends_the_session() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    let lost = refresh_token_of(&refresh(&app, &first).await.expect(200));
    let kept = refresh_token_of(&refresh(&app, &first).await.expect(200));
    // Someone did receive the first answer after all: two holders of one session. The
    // chain ends for both rather than letting them go on side by side.
    refresh(&app, &lost)
        .await
        .expect_error(401, "unauthenticated");
    refresh(&app, &kept)
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(refresh_reuses_audited(&app).await, 1);
}

#[tokio::test]
async fn a_second_replay_of_the_same_token_ends_the_session() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    refresh(&app, &first).await.expect(200);
    let kept = refresh_token_of(&refresh(&app, &first).await.expect(200));
    // Forgiven once only.
    refresh(&app, &first)
        .await
        .expect_error(401, "unauthenticated");
    refresh(&app, &kept)
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(refresh_reuses_audited(&app).await, 1);
}

#[tokio::test]
async fn a_replay_after_the_window_ends_the_session() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    let unused = refresh_token_of(&refresh(&app, &first).await.expect(200));
    age_spent_tokens(&app, 61).await;
    refresh(&app, &first)
        .await
        .expect_error(401, "unauthenticated");
    refresh(&app, &unused)
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(refresh_reuses_audited(&app).await, 1);

    // Just inside the window it is still forgiven.
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    refresh(&app, &first).await.expect(200);
    age_spent_tokens(&app, 55).await;
    refresh(&app, &first).await.expect(200);
}

#[tokio::test]
async fn a_replay_of_an_older_token_ends_the_session() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    let second = refresh_token_of(&refresh(&app, &first).await.expect(200));
    let third = refresh_token_of(&refresh(&app, &second).await.expect(200));
    // `second` is the last spent and `third` unused: `first` is older, and its answer
    // certainly arrived (`second` was used).
    refresh(&app, &first)
        .await
        .expect_error(401, "unauthenticated");
    refresh(&app, &third)
        .await
        .expect_error(401, "unauthenticated");
    // Nor is the last spent one forgiven once the chain is revoked.
    refresh(&app, &second)
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_replay_after_logout_or_deactivation_gets_no_new_pair() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    let second = refresh_token_of(&refresh(&app, &first).await.expect(200));
    let body = json!({ "refresh_token": second });
    let out = app
        .send(Method::POST, "/api/v1/auth/logout", None, Some(&body))
        .await;
    assert_eq!(out.status, 204);
    refresh(&app, &first)
        .await
        .expect_error(401, "unauthenticated");

    let (_, first) = tokens(&app, Some("alpha"), "leader2", PASSWORD).await;
    refresh(&app, &first).await.expect(200);
    deactivate(&app, &t, t.leader2.id).await;
    refresh(&app, &first)
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn concurrent_replays_of_a_lost_answer_are_forgiven_once() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    refresh(&app, &first).await.expect(200);
    // Two tabs replay at once: one is forgiven, the other is a second replay.
    let (a, b) = tokio::join!(refresh(&app, &first), refresh(&app, &first));
    let statuses = [a.status, b.status];
    assert!(
        statuses.contains(&200) && statuses.contains(&401),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, refresh_token) = tokens(&app, Some("alpha"), "admin", PASSWORD).await;
    let mut conn = app.db().await;
    use diesel_async::RunQueryDsl;
    diesel::sql_query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .unwrap();
    refresh(&app, &refresh_token)
        .await
        .expect_error(401, "unauthenticated");
    // The next login forgets the expired token.
    tokens(&app, Some("alpha"), "admin", PASSWORD).await;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let left: Count = diesel::sql_query("SELECT count(*) AS n FROM refresh_tokens")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(left.n, 1);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (_, first) = tokens(&app, Some("alpha"), "admin", PASSWORD).await;
    let second = refresh(&app, &first).await.expect(200)["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let logout = |token: &str| {
        let body = json!({ "refresh_token": token });
        let app = &app;
        async move {
            app.send(Method::POST, "/api/v1/auth/logout", None, Some(&body))
                .await
        }
    };
    assert_eq!(logout(&second).await.status, 204);
    refresh(&app, &second)
        .await
        .expect_error(401, "unauthenticated");
    // Unknown tokens and repeated logouts are fine: logging out never fails.
    assert_eq!(logout(&second).await.status, 204);
    assert_eq!(logout("never-issued").await.status, 204);
}

#[tokio::test]
async fn tampered_expired_unsigned_and_foreign_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let (token, _) = tokens(&app, Some("alpha"), "admin", PASSWORD).await;
    me(&app, &token).await.expect(200);

    let (head, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered_signature = format!("{head}.{flipped}{}", &signature[1..]);

    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let payload = json!({"sub": t.admin.id, "tid": t.id, "role": "tenant_admin", "gid": null,
        "ver": 0, "iat": 0, "exp": 9_999_999_999i64});
    let claims = b64(&payload.to_string());
    // The admin's own claims, promoted to platform admin, with the original signature.
    let promoted = json!({"sub": t.admin.id, "tid": null, "role": "platform_admin", "gid": null,
        "ver": 0, "iat": 0, "exp": 9_999_999_999i64});
    let header = head.split('.').next().unwrap();
    let tampered_claims = format!("{header}.{}.{signature}", b64(&promoted.to_string()));
    let unsigned = format!("{}.{claims}.", b64(r#"{"alg":"none","typ":"JWT"}"#));
    let expired = TokenKeys::new(&SecretString::from(JWT_SECRET), -120).issue(
        t.admin.id,
        Some(t.id),
        Role::TenantAdmin,
        None,
        0,
    );
    let foreign = TokenKeys::new(
        &SecretString::from("another-secret-another-secret-0123"),
        900,
    )
    .issue(t.admin.id, Some(t.id), Role::TenantAdmin, None, 0);
    for bad in [
        tampered_signature,
        tampered_claims,
        unsigned,
        expired,
        foreign,
        "garbage".into(),
    ] {
        me(&app, &bad).await.expect_error(401, "unauthenticated");
    }
    app.send(Method::GET, "/api/v1/me", None, None)
        .await
        .expect_error(401, "unauthenticated");
    let basic = app
        .client
        .get(format!("{}/api/v1/me", app.base))
        .header("authorization", "Basic YWRtaW46cGFzcw==")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
}

pub async fn deactivate(app: &TestApp, t: &Township, user: uuid::Uuid) {
    app.patch(
        &format!("/api/v1/users/{user}"),
        &t.admin.token,
        json!({"active": false}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn a_deactivated_user_is_locked_out_with_their_live_tokens() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let (access, refresh_token) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    me(&app, &access).await.expect(200);

    deactivate(&app, &t, t.leader1.id).await;
    me(&app, &access).await.expect_error(401, "unauthenticated");
    refresh(&app, &refresh_token)
        .await
        .expect_error(401, "unauthenticated");
    login(&app, Some("alpha"), "leader1", PASSWORD)
        .await
        .expect_error(401, "unauthenticated");

    // Reactivated: a new login works; the old tokens stay dead.
    app.patch(
        &format!("/api/v1/users/{}", t.leader1.id),
        &t.admin.token,
        json!({"active": true}),
    )
    .await
    .expect(200);
    me(&app, &access).await.expect_error(401, "unauthenticated");
    refresh(&app, &refresh_token)
        .await
        .expect_error(401, "unauthenticated");
    let (fresh, _) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    me(&app, &fresh).await.expect(200);
}

async fn change_password(app: &TestApp, token: &str, current: &str, new: &str) -> Resp {
    app.post(
        "/api/v1/me/password",
        token,
        json!({"current_password": current, "new_password": new}),
    )
    .await
}

#[tokio::test]
async fn a_password_change_ends_every_session() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let (access, refresh_token) = tokens(&app, Some("alpha"), "admin", PASSWORD).await;
    let (other_device, _) = tokens(&app, Some("alpha"), "admin", PASSWORD).await;

    let wrong = change_password(&app, &access, "not-my-password", "new-pass-2026-abc").await;
    wrong.expect_error(422, "validation_failed");
    assert!(wrong.body["error"]["fields"]["current_password"].is_array());
    let weak = change_password(&app, &access, "not-my-password", "12345678").await;
    weak.expect_error(422, "validation_failed");
    let fields = &weak.body["error"]["fields"];
    assert!(
        fields["current_password"].is_array() && fields["new_password"].is_array(),
        "{fields}"
    );
    let same = change_password(&app, &access, PASSWORD, PASSWORD).await;
    assert!(same.body["error"]["fields"]["new_password"].is_array());
    // The failed attempts did not end the session.
    me(&app, &access).await.expect(200);

    assert_eq!(
        change_password(&app, &access, PASSWORD, "new-pass-2026-abc")
            .await
            .status,
        204
    );
    me(&app, &access).await.expect_error(401, "unauthenticated");
    me(&app, &other_device)
        .await
        .expect_error(401, "unauthenticated");
    refresh(&app, &refresh_token)
        .await
        .expect_error(401, "unauthenticated");
    login(&app, Some("alpha"), "admin", PASSWORD)
        .await
        .expect(401);
    let (fresh, _) = tokens(&app, Some("alpha"), "admin", "new-pass-2026-abc").await;
    me(&app, &fresh).await.expect(200);
}

#[tokio::test]
async fn a_platform_admin_changes_their_password_too() {
    let app = TestApp::spawn().await;
    platform_admin(&app).await;
    let (access, _) = tokens(&app, None, "operator", PASSWORD).await;
    change_password(&app, &access, "wrong-wrong-wrong", "operator-2026-pass")
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(
        change_password(&app, &access, PASSWORD, "operator-2026-pass")
            .await
            .status,
        204
    );
    me(&app, &access).await.expect_error(401, "unauthenticated");
    tokens(&app, None, "operator", "operator-2026-pass").await;
}

#[tokio::test]
async fn malformed_unknown_and_oversized_bodies_are_refused() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let login_path = "/api/v1/auth/login";
    app.raw(
        Method::POST,
        login_path,
        None,
        "application/json",
        b"{\"username\":".to_vec(),
    )
    .await
    .expect_error(400, "bad_request");
    let extra =
        json!({"tenant": "alpha", "username": "admin", "password": PASSWORD, "remember": true});
    app.send(Method::POST, login_path, None, Some(&extra))
        .await
        .expect_error(400, "bad_request");
    let missing = json!({"tenant": "alpha", "username": "admin"});
    app.send(Method::POST, login_path, None, Some(&missing))
        .await
        .expect_error(400, "bad_request");
    let big = json!({"tenant": "alpha", "username": "admin", "password": "x".repeat(1 << 20)});
    let resp = app
        .raw(
            Method::POST,
            login_path,
            None,
            "application/json",
            big.to_string().into_bytes(),
        )
        .await;
    resp.expect_error(413, "payload_too_large");
    app.raw(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        "application/json",
        b"[]".to_vec(),
    )
    .await
    .expect_error(400, "bad_request");
    let (access, _) = tokens(&app, Some("alpha"), "admin", PASSWORD).await;
    app.post(
        "/api/v1/me/password",
        &access,
        json!({"current_password": PASSWORD}),
    )
    .await
    .expect_error(400, "bad_request");
}

#[tokio::test]
async fn the_openapi_document_describes_these_endpoints_completely() {
    let app = TestApp::spawn().await;
    let spec = app
        .send(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "missing schema {name}");
    }
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/tenants", "post"),
        ("/api/v1/tenants", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/users", "get"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users/{id}", "patch"),
    ] {
        assert!(
            spec["paths"][path][method].is_object(),
            "{method} {path} undocumented"
        );
    }
    // Login and refresh need no token.
    for path in ["/api/v1/auth/login", "/api/v1/auth/refresh"] {
        assert_eq!(spec["paths"][path]["post"]["security"], json!([{}]));
    }
    let login_responses = &spec["paths"]["/api/v1/auth/login"]["post"]["responses"];
    assert!(login_responses["429"]["headers"]["Retry-After"].is_object());
}
