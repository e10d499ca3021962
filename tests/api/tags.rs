//! Priority groups: the standard tags and those in use, a tag's own visit interval (admin
//! only, audited), and the due lists that follow the smallest interval.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::db::schema::{audit_log, households, tag_intervals};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::TestApp;

const STANDARD: [&str; 8] = [
    "独居老人",
    "空巢老人",
    "残疾人",
    "低保户",
    "特困人员",
    "留守儿童",
    "重病患者",
    "退役军人",
];

async fn tag_households(app: &TestApp, tags: &[(Uuid, &[&str])]) {
    let mut conn = app.db().await;
    for (household, list) in tags {
        let list: Vec<String> = list.iter().map(|t| (*t).to_owned()).collect();
        diesel::update(households::table.filter(households::id.eq(household)))
            .set(households::tags.eq(list))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

fn names(tags: &Value) -> Vec<&str> {
    tags.as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_list_holds_the_standard_groups_then_the_tags_in_use() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    tag_households(&app, &[(a.h1, &["党员", "低保户"]), (a.h2, &["党员"])]).await;
    tag_households(&app, &[(b.h1, &["beta的标签"])]).await;
    let tags = app.get("/api/v1/tags", &a.leader1.token).await.expect(200);
    let mut expected: Vec<&str> = STANDARD.to_vec();
    expected.push("党员");
    assert_eq!(
        names(&tags),
        expected,
        "another township's tags stay its own"
    );
    assert_eq!(
        tags[0],
        json!({"tag": "独居老人", "standard": true, "visit_interval_days": null})
    );
    assert_eq!(
        tags[8],
        json!({"tag": "党员", "standard": false, "visit_interval_days": null})
    );
}

#[tokio::test]
async fn an_admin_gives_a_tag_its_own_interval_and_takes_it_back() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let path = "/api/v1/tags/%E7%8B%AC%E5%B1%85%E8%80%81%E4%BA%BA"; // 独居老人
    let set = app
        .put(path, &a.admin.token, json!({"visit_interval_days": 3}))
        .await
        .expect(200);
    assert_eq!(
        set,
        json!({"tag": "独居老人", "standard": true, "visit_interval_days": 3})
    );
    // A free tag may have one too; it is listed even when no household carries it yet.
    app.put(
        "/api/v1/tags/%E5%85%9A%E5%91%98",
        &a.admin.token,
        json!({"visit_interval_days": 14}),
    )
    .await
    .expect(200);
    let mut conn = app.db().await;
    let stored: Vec<(Uuid, String, i32)> = tag_intervals::table
        .select((
            tag_intervals::tenant_id,
            tag_intervals::tag,
            tag_intervals::visit_interval_days,
        ))
        .order(tag_intervals::tag)
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        stored,
        [
            (a.id, "党员".to_owned(), 14),
            (a.id, "独居老人".to_owned(), 3)
        ]
    );
    let tags = app
        .get("/api/v1/tags", &a.supervisor.token)
        .await
        .expect(200);
    assert_eq!(tags[0]["visit_interval_days"], 3);
    assert_eq!(
        tags[8],
        json!({"tag": "党员", "standard": false, "visit_interval_days": 14})
    );
    // The phone learns the intervals with its township's settings.
    let me = app.get("/api/v1/me", &a.leader1.token).await.expect(200);
    assert_eq!(
        me["tenant"]["tag_intervals"],
        json!([{"tag": "党员", "visit_interval_days": 14}, {"tag": "独居老人", "visit_interval_days": 3}])
    );
    let other = app.get("/api/v1/me", &b.leader1.token).await.expect(200);
    assert_eq!(other["tenant"]["tag_intervals"], json!([]));
    // Null: the tag follows the township's interval again.
    app.put(path, &a.admin.token, json!({"visit_interval_days": null}))
        .await
        .expect(200);
    let left: i64 = tag_intervals::table
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 1);
    let actions: Vec<(Uuid, String, Option<Uuid>, Option<Value>)> = audit_log::table
        .filter(audit_log::action.eq("tag.update"))
        .order((audit_log::at, audit_log::id))
        .select((
            audit_log::tenant_id,
            audit_log::entity,
            audit_log::actor_id,
            audit_log::detail,
        ))
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(actions.len(), 3);
    assert!(actions
        .iter()
        .all(|(tenant, entity, actor, _)| *tenant == a.id
            && entity == "tag"
            && *actor == Some(a.admin.id)));
    assert_eq!(
        actions[2].3,
        Some(json!({"tag": "独居老人", "visit_interval_days": null}))
    );
}

#[tokio::test]
async fn only_the_admin_sets_intervals_and_bad_ones_are_refused() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let path = "/api/v1/tags/%E4%BD%8E%E4%BF%9D%E6%88%B7"; // 低保户
    for token in [&a.supervisor.token, &a.leader1.token] {
        app.put(path, token, json!({"visit_interval_days": 3}))
            .await
            .expect_error(403, "forbidden");
    }
    for days in [json!(0), json!(366), json!("3")] {
        let refused = app
            .put(path, &a.admin.token, json!({"visit_interval_days": days}))
            .await;
        assert!(
            matches!(refused.status, 400 | 422),
            "{days}: {}",
            refused.status
        );
    }
    app.put(
        "/api/v1/tags/%20%20",
        &a.admin.token,
        json!({"visit_interval_days": 3}),
    )
    .await
    .expect_error(422, "validation_failed");
    app.put(
        path,
        &a.admin.token,
        json!({"visit_interval_days": 3, "extra": 1}),
    )
    .await
    .expect_error(400, "bad_request");
    // Bytes that are no text at all, and a NUL, in the path.
    for bad in ["/api/v1/tags/%FF%FE", "/api/v1/tags/a%00b"] {
        let refused = app
            .put(bad, &a.admin.token, json!({"visit_interval_days": 3}))
            .await;
        assert!(
            (400..500).contains(&refused.status),
            "{bad}: {}",
            refused.status
        );
        assert!(
            refused.body["error"]["code"].is_string(),
            "{bad}: the error envelope"
        );
    }
    let mut conn = app.db().await;
    let stored: i64 = tag_intervals::table
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing refused was stored");
}

/// A household carrying a tag with a shorter interval than the township's is due sooner;
/// a tag with a longer one changes nothing (the smallest interval applies).
#[tokio::test]
async fn the_due_list_follows_the_smallest_interval_of_township_and_tags() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    tag_households(
        &app,
        &[
            (a.h1, &["独居老人"]),
            (a.h2, &["党员"]),
            (a.h3, &["独居老人", "党员"]),
        ],
    )
    .await;
    let mut conn = app.db().await;
    let four_days_ago = Utc::now() - Duration::days(4);
    for household in [a.h1, a.h2, a.h3, a.h4] {
        diesel::update(households::table.filter(households::id.eq(household)))
            .set(households::last_visited_at.eq(Some(four_days_ago)))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    assert!(
        due(&app, &a.admin.token).await.is_empty(),
        "the township's week holds"
    );
    app.put(
        "/api/v1/tags/%E7%8B%AC%E5%B1%85%E8%80%81%E4%BA%BA",
        &a.admin.token,
        json!({"visit_interval_days": 3}),
    )
    .await
    .expect(200);
    app.put(
        "/api/v1/tags/%E5%85%9A%E5%91%98",
        &a.admin.token,
        json!({"visit_interval_days": 30}),
    )
    .await
    .expect(200);
    let mut expected = vec![a.h1.to_string(), a.h3.to_string()];
    expected.sort();
    assert_eq!(due(&app, &a.admin.token).await, expected);
    assert_eq!(
        due(&app, &a.leader1.token).await,
        expected,
        "the leader's phone list too"
    );
    assert!(
        due(&app, &a.leader2.token).await.is_empty(),
        "h4 carries no tag"
    );
}

/// The ids on the due list, sorted.
async fn due(app: &TestApp, token: &str) -> Vec<String> {
    let list = app
        .get("/api/v1/households?due=true", token)
        .await
        .expect(200);
    let mut ids: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// `by=tag`: a row per standard group (even without households) and per other tag carried in
/// scope; a household with two tags counts in both; visits, households visited and issues
/// are those of the households carrying the tag.
#[tokio::test]
async fn the_breakdown_by_tag_counts_each_group() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    tag_households(
        &app,
        &[
            (a.h1, &["独居老人", "党员"]),
            (a.h2, &["独居老人"]),
            (a.h4, &["党员"]),
        ],
    )
    .await;
    let at = |hours: i64| (Utc::now() - Duration::hours(hours)).to_rfc3339();
    for (token, household, hours) in [
        (&a.leader1.token, a.h1, 30),
        (&a.leader1.token, a.h1, 5),
        (&a.leader1.token, a.h3, 5),
        (&a.leader2.token, a.h4, 5),
    ] {
        app.post(
            "/api/v1/visits",
            token,
            json!({"household_id": household, "visited_at": at(hours), "method": "door", "summary": "入户走访"}),
        )
        .await
        .expect(201);
    }
    app.post(
        "/api/v1/issues",
        &a.leader1.token,
        json!({"household_id": a.h2, "category": "welfare", "description": "低保年审材料"}),
    )
    .await
    .expect(201);
    let rows = app
        .get("/api/v1/stats/breakdown?by=tag", &a.admin.token)
        .await
        .expect(200);
    let rows = rows["rows"].as_array().unwrap();
    let row = |tag: &str| {
        rows.iter()
            .find(|r| r["key"] == tag)
            .unwrap_or_else(|| panic!("{tag}"))
    };
    assert_eq!(rows.len(), 9, "8 standard groups and 党员");
    let lonely = row("独居老人");
    assert_eq!(
        (
            &lonely["households"],
            &lonely["visits"],
            &lonely["households_visited"],
            &lonely["issues_raised"]
        ),
        (&json!(2), &json!(2), &json!(1), &json!(1))
    );
    assert_eq!(lonely["coverage"], 0.5);
    let party = row("党员");
    assert_eq!(
        (
            &party["households"],
            &party["visits"],
            &party["households_visited"]
        ),
        (&json!(2), &json!(3), &json!(2))
    );
    assert_eq!(row("残疾人")["households"], 0);
    // A grid supervisor of g1 sees only g1's households: h4 (in g2) leaves 党员's figures.
    let scoped = app
        .get("/api/v1/stats/breakdown?by=tag", &a.grid_supervisor.token)
        .await
        .expect(200);
    let party = scoped["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "党员")
        .unwrap()
        .clone();
    assert_eq!(
        (&party["households"], &party["visits"]),
        (&json!(1), &json!(2))
    );
    let csv = app
        .get("/api/v1/stats/export?format=csv&by=tag", &a.admin.token)
        .await;
    assert_eq!(csv.status, 200);
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("独居老人,独居老人,2,2,1,")),
        "the export has the same rows: {text}"
    );
}
