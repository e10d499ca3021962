//! The phone's read side: `GET /sync/households?since=` (a full sync, then only changes).

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::tokens;
use crate::fixtures::{platform_admin, Township, PASSWORD};
use crate::harness::TestApp;

async fn sync(app: &TestApp, token: &str, since: Option<&str>) -> Value {
    let path = match since {
        Some(cursor) => format!("/api/v1/sync/households?since={cursor}"),
        None => "/api/v1/sync/households".to_owned(),
    };
    app.get(&path, token).await.expect(200)
}

fn ids(answer: &Value, field: &str) -> BTreeSet<Uuid> {
    answer[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let id = if field == "ids" { item } else { &item["id"] };
            id.as_str().unwrap().parse().unwrap()
        })
        .collect()
}

fn set(items: &[Uuid]) -> BTreeSet<Uuid> {
    items.iter().copied().collect()
}

fn household(answer: &Value, id: Uuid) -> &Value {
    answer["households"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == json!(id))
        .unwrap_or_else(|| panic!("{id} not in {answer}"))
}

fn cursor(answer: &Value) -> String {
    answer["cursor"].as_str().unwrap().to_owned()
}

async fn visit(app: &TestApp, token: &str, household: Uuid, minutes_ago: i64) -> Uuid {
    let id = Uuid::now_v7();
    let at = Utc::now() - Duration::minutes(minutes_ago);
    app.post(
        "/api/v1/visits",
        token,
        json!({"id": id, "household_id": household, "visited_at": at.to_rfc3339(),
               "method": "door", "summary": format!("走访 {minutes_ago}")}),
    )
    .await
    .expect(201);
    id
}

#[tokio::test]
async fn a_first_sync_is_full_and_the_next_brings_only_what_changed() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let token = &t.leader1.token;
    // Six visits to h1: the phone keeps the newest five.
    for minutes_ago in 1..=6 {
        visit(&app, token, t.h1, minutes_ago * 10).await;
    }
    let issue = app
        .post(
            "/api/v1/issues",
            token,
            json!({"household_id": t.h2, "category": "road", "description": "路灯不亮"}),
        )
        .await
        .expect(201);

    let first = sync(&app, token, None).await;
    assert_eq!(first["full"], true);
    assert_eq!(ids(&first, "ids"), set(&[t.h1, t.h2, t.h3]));
    assert_eq!(ids(&first, "households"), set(&[t.h1, t.h2, t.h3]));
    let h1 = household(&first, t.h1);
    assert_eq!(h1["name"], "张建国");
    assert_eq!(
        h1["phone"], "13812345678",
        "the leader's own household, in full"
    );
    assert_eq!(
        h1["id_number"],
        Value::Null,
        "ID numbers never go to the phone"
    );
    let summaries: Vec<&str> = h1["recent_visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        ["走访 10", "走访 20", "走访 30", "走访 40", "走访 50"]
    );
    assert_eq!(h1["open_issues"], json!([]));
    let waiting = &household(&first, t.h2)["open_issues"];
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    assert_eq!(waiting[0]["id"], issue["id"]);
    assert_eq!(waiting[0]["description"], "路灯不亮");
    assert_eq!(waiting[0]["status"], "open");
    let text = first.to_string();
    for (_, id_number) in crate::fixtures::CONTACTS {
        assert!(!text.contains(id_number), "{text}");
    }

    // Nothing changed: nothing comes, and the ids are all still there.
    let quiet = sync(&app, token, Some(&cursor(&first))).await;
    assert_eq!(quiet["full"], false);
    assert_eq!(quiet["households"], json!([]));
    assert_eq!(ids(&quiet, "ids"), set(&[t.h1, t.h2, t.h3]));

    // One visit, one edit: those two households come, nothing else.
    visit(&app, token, t.h3, 1).await;
    app.patch(
        &format!("/api/v1/households/{}", t.h2),
        &t.admin.token,
        json!({"members": 5}),
    )
    .await
    .expect(200);
    let second = sync(&app, token, Some(&cursor(&quiet))).await;
    assert_eq!(second["full"], false);
    assert_eq!(ids(&second, "households"), set(&[t.h2, t.h3]));
    assert_eq!(household(&second, t.h2)["members"], 5);
    assert_eq!(
        household(&second, t.h3)["recent_visits"][0]["summary"],
        "走访 1"
    );

    // Resolving the issue sends the household again, now without it.
    let resolve = format!("/api/v1/issues/{}/resolve", issue["id"].as_str().unwrap());
    app.post(&resolve, token, json!({"resolution": "已修好"}))
        .await
        .expect(200);
    let third = sync(&app, token, Some(&cursor(&second))).await;
    assert_eq!(ids(&third, "households"), set(&[t.h2]));
    assert_eq!(household(&third, t.h2)["open_issues"], json!([]));
}

#[tokio::test]
async fn a_household_moved_away_leaves_ids_and_one_moved_in_arrives() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let first = sync(&app, &t.leader1.token, None).await;
    let theirs = sync(&app, &t.leader2.token, None).await;
    assert_eq!(ids(&theirs, "ids"), set(&[t.h4]));

    app.post(
        "/api/v1/households/assign",
        &t.admin.token,
        json!({"household_ids": [t.h1], "micro_grid_id": t.m3}),
    )
    .await
    .expect(200);
    let mine = sync(&app, &t.leader1.token, Some(&cursor(&first))).await;
    assert_eq!(ids(&mine, "ids"), set(&[t.h2, t.h3]), "the phone drops h1");
    assert!(!ids(&mine, "households").contains(&t.h1));
    let theirs = sync(&app, &t.leader2.token, Some(&cursor(&theirs))).await;
    assert_eq!(ids(&theirs, "ids"), set(&[t.h1, t.h4]));
    assert_eq!(ids(&theirs, "households"), set(&[t.h1]));
}

#[tokio::test]
async fn a_micro_grid_newly_assigned_brings_its_households() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let before = sync(&app, &t.idle_leader.token, None).await;
    assert_eq!(before["ids"], json!([]));
    assert_eq!(before["households"], json!([]));
    let leader1 = sync(&app, &t.leader1.token, None).await;

    app.put(
        &format!("/api/v1/micro-grids/{}/leader", t.m2),
        &t.admin.token,
        json!({"user_id": t.idle_leader.id}),
    )
    .await
    .expect(200);
    let after = sync(&app, &t.idle_leader.token, Some(&cursor(&before))).await;
    assert_eq!(after["full"], false);
    assert_eq!(ids(&after, "ids"), set(&[t.h3]));
    assert_eq!(ids(&after, "households"), set(&[t.h3]));
    let leader1 = sync(&app, &t.leader1.token, Some(&cursor(&leader1))).await;
    assert_eq!(ids(&leader1, "ids"), set(&[t.h1, t.h2]));
}

#[tokio::test]
async fn a_visit_or_issue_recorded_by_someone_else_shows_up() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let first = sync(&app, &t.leader1.token, None).await;
    // The township office records a visit and raises an issue on the leader's households.
    visit(&app, &t.admin.token, t.h1, 3).await;
    app.post(
        "/api/v1/issues",
        &t.admin.token,
        json!({"household_id": t.h3, "category": "welfare", "description": "申请低保"}),
    )
    .await
    .expect(201);
    let next = sync(&app, &t.leader1.token, Some(&cursor(&first))).await;
    assert_eq!(ids(&next, "households"), set(&[t.h1, t.h3]));
    assert_eq!(
        household(&next, t.h1)["recent_visits"][0]["leader_id"],
        json!(t.admin.id)
    );
    assert_eq!(
        household(&next, t.h3)["open_issues"][0]["description"],
        "申请低保"
    );
}

#[tokio::test]
async fn a_change_committed_while_a_sync_read_is_not_missed() {
    // A write that began before a sync's snapshot and commits after it: held open here by
    // hand, in a transaction that changes h1 and waits.
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let mut writer = app.db().await;
    use diesel_async::SimpleAsyncConnection;
    writer
        .batch_execute("BEGIN; UPDATE households SET note = '慢事务', changed_xid = pg_current_xact_id() WHERE name = '张建国'")
        .await
        .unwrap();
    let during = sync(&app, &t.leader1.token, None).await;
    assert_eq!(
        household(&during, t.h1)["note"],
        Value::Null,
        "not yet committed"
    );
    writer.batch_execute("COMMIT").await.unwrap();
    let after = sync(&app, &t.leader1.token, Some(&cursor(&during))).await;
    assert_eq!(household(&after, t.h1)["note"], "慢事务");
}

#[tokio::test]
async fn other_townships_scopes_and_accounts_see_nothing_of_it() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let other = Township::create(&app, "beta").await;
    let theirs = sync(&app, &other.leader1.token, None).await;
    assert_eq!(ids(&theirs, "ids"), set(&[other.h1, other.h2, other.h3]));
    visit(&app, &t.leader1.token, t.h1, 1).await;
    let theirs = sync(&app, &other.leader1.token, Some(&cursor(&theirs))).await;
    assert_eq!(theirs["households"], json!([]));

    // A grid supervisor gets their grid; the whole township for admins and supervisors.
    let grid = sync(&app, &t.grid_supervisor.token, None).await;
    assert_eq!(ids(&grid, "households"), set(&[t.h1, t.h2, t.h3]));
    for h in [t.h1, t.h2, t.h3] {
        assert_eq!(
            household(&grid, h)["phone"],
            crate::fixtures::MASKED[t.index_of(h)].0,
            "supervisors see each household's own phone, masked"
        );
    }
    let township = sync(&app, &t.supervisor.token, None).await;
    assert_eq!(ids(&township, "ids"), set(&[t.h1, t.h2, t.h3, t.h4]));

    // Another account's cursor (a shared phone) starts over with a full sync.
    let mine = sync(&app, &t.leader1.token, None).await;
    let shared = sync(&app, &t.leader2.token, Some(&cursor(&mine))).await;
    assert_eq!(shared["full"], true);
    assert_eq!(ids(&shared, "households"), set(&[t.h4]));
    // A cursor from the future (a database restored from a backup) too.
    let owner = cursor(&mine).split_once('.').unwrap().1.to_owned();
    let future = format!("4000000000:4000000000:.{owner}");
    let restored = sync(&app, &t.leader1.token, Some(&future)).await;
    assert_eq!(restored["full"], true);
    assert_eq!(ids(&restored, "households"), set(&[t.h1, t.h2, t.h3]));
}

#[tokio::test]
async fn wrong_roles_bad_cursors_and_no_token_are_refused() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let operator = platform_admin(&app).await;
    app.get("/api/v1/sync/households", &operator.token)
        .await
        .expect_error(403, "forbidden");
    let (token, _) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    for bad in [
        "yesterday",
        "12",
        "12:12:.zz",
        "-5:5:.0123456789ab",
        "9:5:.0123456789ab",
    ] {
        app.get(&format!("/api/v1/sync/households?since={bad}"), &token)
            .await
            .expect_error(400, "bad_request");
    }
    // Forged with the caller's own tag: still checked before the database sees it.
    let real = sync(&app, &token, None).await;
    let owner = cursor(&real).split_once('.').unwrap().1.to_owned();
    for forged in ["0:0:", "5:3:", "3:9:9", "3:9:5,4"] {
        app.get(
            &format!("/api/v1/sync/households?since={forged}.{owner}"),
            &token,
        )
        .await
        .expect_error(400, "bad_request");
    }
    app.get("/api/v1/sync/households?cursor=1", &token)
        .await
        .expect_error(400, "bad_request");
    app.get("/api/v1/sync/households", "not-a-token")
        .await
        .expect_error(401, "unauthenticated");
}
