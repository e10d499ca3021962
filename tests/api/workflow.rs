//! The township's workflow (api.md "Township workflow"): an issue's path from routing to
//! the resident's feedback, time limits over the township's holidays, the overdue list.
//! Every step is checked in the database as well as in the answer. Departments and handlers
//! are in `departments`, the calendar's own endpoints in `calendar`.

use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};
use diesel::sql_types::{Bool, Date, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use lianxin::domain::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{token, Township, User};
use crate::harness::{Resp, TestApp};

/// A department made through the API, and a handler of it (token minted as login would).
pub struct Office {
    pub id: Uuid,
    pub handler: User,
}

pub async fn office(app: &TestApp, t: &Township, name: &str, username: &str) -> Office {
    let department = app
        .post("/api/v1/departments", &t.admin.token, json!({"name": name}))
        .await
        .expect(201);
    let id: Uuid = department["id"].as_str().unwrap().parse().unwrap();
    let user = app
        .post(
            "/api/v1/users",
            &t.admin.token,
            json!({
                "username": username, "display_name": format!("{name}经办人"),
                "role": "handler", "department_id": id, "password": "handler-pass-2026",
            }),
        )
        .await
        .expect(201);
    let user_id: Uuid = user["id"].as_str().unwrap().parse().unwrap();
    Office {
        id,
        handler: User {
            id: user_id,
            username: username.to_owned(),
            token: token(user_id, Some(t.id), Role::Handler, None),
        },
    }
}

pub async fn raise(app: &TestApp, t: &Township, household: Uuid, category: &str) -> String {
    let issue = app
        .post(
            "/api/v1/issues",
            &t.leader1.token,
            json!({"household_id": household, "category": category, "description": "村口路灯不亮"}),
        )
        .await
        .expect(201);
    issue["id"].as_str().unwrap().to_owned()
}

pub async fn step(app: &TestApp, by: &User, issue: &str, action: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/issues/{issue}/{action}"), &by.token, body)
        .await
}

#[derive(QueryableByName, Debug, PartialEq)]
pub struct Stored {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub department_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Date>)]
    pub due_on: Option<NaiveDate>,
    #[diesel(sql_type = Bool)]
    pub extension_requested: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub resolution: Option<String>,
}

/// The issue as the database holds it.
pub async fn stored(app: &TestApp, issue: &str) -> Stored {
    diesel::sql_query(
        "SELECT status, department_id, due_on, extension_days IS NOT NULL AS extension_requested, \
                resolution FROM issues WHERE id = $1",
    )
    .bind::<SqlUuid, _>(issue.parse::<Uuid>().unwrap())
    .get_result(&mut app.db().await)
    .await
    .unwrap()
}

#[derive(QueryableByName, Debug)]
pub struct Event {
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub from_status: Option<String>,
    #[diesel(sql_type = Text)]
    pub to_status: String,
    #[diesel(sql_type = SqlUuid)]
    pub actor_id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    pub note: Option<String>,
}

pub async fn events(app: &TestApp, issue: &str) -> Vec<Event> {
    diesel::sql_query(
        "SELECT action, from_status, to_status, actor_id, note FROM issue_events \
         WHERE issue_id = $1 ORDER BY at, id",
    )
    .bind::<SqlUuid, _>(issue.parse::<Uuid>().unwrap())
    .load(&mut app.db().await)
    .await
    .unwrap()
}

#[derive(QueryableByName, Debug)]
pub struct Audited {
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_id: Option<Uuid>,
}

pub async fn audited(app: &TestApp, issue: &str) -> Vec<Audited> {
    diesel::sql_query("SELECT action, actor_id FROM audit_log WHERE entity_id = $1 ORDER BY at, id")
        .bind::<SqlUuid, _>(issue.parse::<Uuid>().unwrap())
        .load(&mut app.db().await)
        .await
        .unwrap()
}

pub async fn set_due_on(app: &TestApp, issue: &str, day: &str) {
    diesel::sql_query("UPDATE issues SET due_on = $2::text::date WHERE id = $1")
        .bind::<SqlUuid, _>(issue.parse::<Uuid>().unwrap())
        .bind::<Text, _>(day)
        .execute(&mut app.db().await)
        .await
        .unwrap();
}

/// Today in the township's zone (the fixture's townships are in Asia/Shanghai).
pub fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// The `n`-th day after `day` that is Monday to Friday and not in `off`, or in `on`: counted
/// here by hand, apart from the service's own calendar code.
pub fn nth_working_day(day: NaiveDate, n: u32, off: &[NaiveDate], on: &[NaiveDate]) -> NaiveDate {
    let mut current = day;
    let mut left = n;
    while left > 0 {
        current = current + Days::new(1);
        let weekend = matches!(current.weekday(), Weekday::Sat | Weekday::Sun);
        if on.contains(&current) || (!weekend && !off.contains(&current)) {
            left -= 1;
        }
    }
    current
}

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}
#[tokio::test]
async fn an_issue_goes_the_whole_path_from_routing_to_feedback() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    let roads = office(&app, &t, "城建办", "road_clerk").await;
    let land = office(&app, &t, "国土所", "land_clerk").await;
    let theirs = office(&app, &beta, "城建办", "beta_clerk").await;
    let issue = raise(&app, &t, t.h1, "road").await;
    let h = &roads.handler;

    // Routing: the township's, not the leader's; to a department of the township.
    let route = json!({"department_id": roads.id});
    step(&app, &t.leader1, &issue, "assign", route.clone())
        .await
        .expect_error(403, "forbidden");
    step(
        &app,
        &t.admin,
        &issue,
        "assign",
        json!({"department_id": theirs.id}),
    )
    .await
    .expect_error(422, "validation_failed");
    step(
        &app,
        &t.admin,
        &issue,
        "assign",
        json!({"department_id": roads.id, "due_days": 61}),
    )
    .await
    .expect_error(422, "validation_failed");
    step(
        &app,
        &t.admin,
        &issue,
        "assign",
        json!({"department_id": roads.id, "due_days": 0}),
    )
    .await
    .expect_error(422, "validation_failed");
    // A grid supervisor routes only their grid's issues (h4 is in g2).
    let elsewhere = app
        .post(
            "/api/v1/issues",
            &t.leader2.token,
            json!({"household_id": t.h4, "category": "other", "description": "厂区门口积水"}),
        )
        .await
        .expect(201);
    let elsewhere = elsewhere["id"].as_str().unwrap();
    step(&app, &t.grid_supervisor, elsewhere, "assign", route.clone())
        .await
        .expect_error(404, "not_found");
    // Nothing before routing is the department's to do.
    step(&app, h, &issue, "accept", json!({}))
        .await
        .expect_error(404, "not_found");

    let assigned = step(&app, &t.grid_supervisor, &issue, "assign", route.clone())
        .await
        .expect(200);
    let due = nth_working_day(today(), 10, &[], &[]);
    assert_eq!(assigned["status"], "assigned");
    assert_eq!(assigned["department_id"], roads.id.to_string());
    assert_eq!(assigned["due_on"], due.to_string(), "road: 10 working days");
    assert_eq!(assigned["overdue"], false);
    assert_eq!(assigned["extension_requested"], false);
    assert_eq!(
        stored(&app, &issue).await,
        Stored {
            status: "assigned".into(),
            department_id: Some(roads.id),
            due_on: Some(due),
            extension_requested: false,
            resolution: None,
        }
    );
    step(&app, &t.admin, &issue, "assign", route.clone())
        .await
        .expect_error(409, "conflict");

    // The other department, and the grid's leader, cannot sign for it.
    step(&app, &land.handler, &issue, "accept", json!({}))
        .await
        .expect_error(404, "not_found");
    step(&app, &t.leader1, &issue, "accept", json!({}))
        .await
        .expect_error(403, "forbidden");
    step(&app, h, &issue, "done", json!({"resolution": "还没签收"}))
        .await
        .expect_error(409, "conflict");
    let accepted = step(&app, h, &issue, "accept", json!({"note": "已签收"}))
        .await
        .expect(200);
    assert_eq!(accepted["status"], "accepted");
    step(&app, h, &issue, "accept", json!({}))
        .await
        .expect_error(409, "conflict");

    // More time: asked by the department, answered by the admin.
    step(
        &app,
        h,
        &issue,
        "extend",
        json!({"days": 31, "reason": "等材料"}),
    )
    .await
    .expect_error(422, "validation_failed");
    step(
        &app,
        h,
        &issue,
        "extend",
        json!({"days": 3, "reason": "  "}),
    )
    .await
    .expect_error(422, "validation_failed");
    step(
        &app,
        &t.admin,
        &issue,
        "extension",
        json!({"granted": true}),
    )
    .await
    .expect_error(409, "conflict");
    let asked = step(
        &app,
        h,
        &issue,
        "extend",
        json!({"days": 3, "reason": "等交通部门的桩"}),
    )
    .await
    .expect(200);
    assert_eq!(asked["extension_requested"], true);
    assert_eq!(asked["due_on"], due.to_string(), "unchanged until granted");
    assert!(stored(&app, &issue).await.extension_requested);
    step(
        &app,
        h,
        &issue,
        "extend",
        json!({"days": 2, "reason": "再等等"}),
    )
    .await
    .expect_error(409, "conflict");
    for wrong in [&t.supervisor, &t.leader1, h] {
        step(&app, wrong, &issue, "extension", json!({"granted": true}))
            .await
            .expect_error(403, "forbidden");
    }
    let granted = step(
        &app,
        &t.admin,
        &issue,
        "extension",
        json!({"granted": true}),
    )
    .await
    .expect(200);
    let extended = nth_working_day(due, 3, &[], &[]);
    assert_eq!(granted["due_on"], extended.to_string());
    assert_eq!(granted["extension_requested"], false);
    assert_eq!(granted["status"], "accepted");
    let now = stored(&app, &issue).await;
    assert_eq!(
        (now.due_on, now.extension_requested),
        (Some(extended), false)
    );
    // A refused request leaves the limit where it is.
    step(
        &app,
        h,
        &issue,
        "extend",
        json!({"days": 5, "reason": "还要再等"}),
    )
    .await
    .expect(200);
    let refused = step(
        &app,
        &t.admin,
        &issue,
        "extension",
        json!({"granted": false, "note": "抓紧"}),
    )
    .await
    .expect(200);
    assert_eq!(refused["due_on"], extended.to_string());
    assert_eq!(refused["extension_requested"], false);

    // Done, sent back for rework, done again, verified.
    step(&app, &t.leader1, &issue, "verify", json!({"fixed": true}))
        .await
        .expect_error(409, "conflict");
    step(&app, h, &issue, "done", json!({"resolution": ""}))
        .await
        .expect_error(422, "validation_failed");
    let done = step(&app, h, &issue, "done", json!({"resolution": "已设桩"}))
        .await
        .expect(200);
    assert_eq!(done["status"], "done");
    assert_eq!(done["resolution"], "已设桩");
    for wrong in [&t.supervisor, h] {
        step(&app, wrong, &issue, "verify", json!({"fixed": true}))
            .await
            .expect_error(403, "forbidden");
    }
    // Another leader's household: not theirs to verify.
    step(&app, &t.leader2, &issue, "verify", json!({"fixed": true}))
        .await
        .expect_error(404, "not_found");
    let rework = step(
        &app,
        &t.leader1,
        &issue,
        "verify",
        json!({"fixed": false, "note": "桩歪了"}),
    )
    .await
    .expect(200);
    assert_eq!(rework["status"], "accepted");
    assert_eq!(rework["resolution"], Value::Null);
    assert_eq!(stored(&app, &issue).await.status, "accepted");
    step(&app, h, &issue, "done", json!({"resolution": "重新设桩"}))
        .await
        .expect(200);
    let resolved = step(
        &app,
        &t.leader1,
        &issue,
        "verify",
        json!({"fixed": true, "note": "看过了"}),
    )
    .await
    .expect(200);
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(
        resolved["resolution"], "重新设桩",
        "the department's resolution"
    );
    assert!(resolved["resolved_at"].is_string());
    assert_eq!(resolved["overdue"], false);
    assert_eq!(
        stored(&app, &issue).await,
        Stored {
            status: "resolved".into(),
            department_id: Some(roads.id),
            due_on: Some(extended),
            extension_requested: false,
            resolution: Some("重新设桩".into()),
        }
    );
    // The department still sees what it solved.
    app.get(&format!("/api/v1/issues/{issue}"), &h.token)
        .await
        .expect(200);

    // The resident is not satisfied: the issue opens again, back with the township.
    let unhappy = step(
        &app,
        &t.leader1,
        &issue,
        "feedback",
        json!({"satisfied": false, "comment": "桩还是歪的"}),
    )
    .await
    .expect(200);
    assert_eq!(unhappy["status"], "open");
    assert_eq!(unhappy["satisfied"], Value::Null);
    assert_eq!(unhappy["department_id"], Value::Null);
    assert_eq!(unhappy["due_on"], Value::Null);
    assert_eq!(
        stored(&app, &issue).await,
        Stored {
            status: "open".into(),
            department_id: None,
            due_on: None,
            extension_requested: false,
            resolution: None,
        }
    );
    app.get(&format!("/api/v1/issues/{issue}"), &h.token)
        .await
        .expect_error(404, "not_found");

    // Every step an event (who, when, note) and an audit record, in order.
    let stored_events = events(&app, &issue).await;
    let path: Vec<(&str, Option<&str>, &str)> = stored_events
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.from_status.as_deref(),
                e.to_status.as_str(),
            )
        })
        .collect();
    assert_eq!(
        path,
        [
            ("raise", None, "open"),
            ("assign", Some("open"), "assigned"),
            ("accept", Some("assigned"), "accepted"),
            ("extend", Some("accepted"), "accepted"),
            ("extension", Some("accepted"), "accepted"),
            ("extend", Some("accepted"), "accepted"),
            ("extension", Some("accepted"), "accepted"),
            ("done", Some("accepted"), "done"),
            ("verify", Some("done"), "accepted"),
            ("done", Some("accepted"), "done"),
            ("verify", Some("done"), "resolved"),
            ("feedback", Some("resolved"), "open"),
        ]
    );
    let actors: Vec<Uuid> = stored_events.iter().map(|e| e.actor_id).collect();
    let (a, s, l, d) = (t.admin.id, t.grid_supervisor.id, t.leader1.id, h.id);
    assert_eq!(actors, [l, s, d, d, a, d, a, d, l, d, l, l]);
    let notes: Vec<Option<&str>> = stored_events.iter().map(|e| e.note.as_deref()).collect();
    assert_eq!(notes[2], Some("已签收"));
    assert_eq!(notes[3], Some("等交通部门的桩"));
    assert_eq!(notes[4], Some("granted"));
    assert_eq!(notes[6], Some("refused: 抓紧"));
    assert_eq!(notes[8], Some("桩歪了"));
    assert_eq!(notes[11], Some("桩还是歪的"));
    let answer = app
        .get(&format!("/api/v1/issues/{issue}"), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(answer["events"].as_array().unwrap().len(), 12);
    let audit: Vec<(String, Option<Uuid>)> = audited(&app, &issue)
        .await
        .into_iter()
        .map(|a| (a.action, a.actor_id))
        .collect();
    let expected: Vec<(String, Option<Uuid>)> = [
        ("issue.raise", l),
        ("issue.assign", s),
        ("issue.accept", d),
        ("issue.extend", d),
        ("issue.extension", a),
        ("issue.extend", d),
        ("issue.extension", a),
        ("issue.done", d),
        ("issue.verify", l),
        ("issue.done", d),
        ("issue.verify", l),
        ("issue.feedback", l),
    ]
    .into_iter()
    .map(|(action, actor)| (action.to_owned(), Some(actor)))
    .collect();
    assert_eq!(audit, expected);

    // Routed again from open: a new limit, counted from today.
    let again = step(
        &app,
        &t.admin,
        &issue,
        "assign",
        json!({"department_id": land.id, "due_days": 1}),
    )
    .await
    .expect(200);
    assert_eq!(
        again["due_on"],
        nth_working_day(today(), 1, &[], &[]).to_string()
    );
}

#[tokio::test]
async fn time_limits_count_the_townships_holidays_and_make_up_days() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let roads = office(&app, &t, "城建办", "road_clerk").await;
    for (date, workday, note) in lianxin::domain::holidays::CHINA_2026 {
        app.put(
            &format!("/api/v1/calendar/{date}"),
            &t.admin.token,
            json!({"workday": workday, "note": note}),
        )
        .await
        .expect(200);
    }
    let issue = raise(&app, &t, t.h1, "welfare").await;
    step(
        &app,
        &t.admin,
        &issue,
        "assign",
        json!({"department_id": roads.id}),
    )
    .await
    .expect(200);
    step(&app, &roads.handler, &issue, "accept", json!({}))
        .await
        .expect(200);
    // As if routed before 国庆 with its limit on Tuesday 29 September: five more working
    // days are Wed 30 September, Thu 8, Fri 9, the make-up Saturday 10 and Monday 12 October.
    set_due_on(&app, &issue, "2026-09-29").await;
    step(
        &app,
        &roads.handler,
        &issue,
        "extend",
        json!({"days": 5, "reason": "国庆放假"}),
    )
    .await
    .expect(200);
    let granted = step(
        &app,
        &t.admin,
        &issue,
        "extension",
        json!({"granted": true}),
    )
    .await
    .expect(200);
    assert_eq!(granted["due_on"], "2026-10-12");
    assert_eq!(stored(&app, &issue).await.due_on, Some(day("2026-10-12")));
    // And before the make-up Sunday 20 September: one working day after Friday 18 is it.
    set_due_on(&app, &issue, "2026-09-18").await;
    step(
        &app,
        &roads.handler,
        &issue,
        "extend",
        json!({"days": 1, "reason": "再等一天"}),
    )
    .await
    .expect(200);
    let granted = step(
        &app,
        &t.admin,
        &issue,
        "extension",
        json!({"granted": true}),
    )
    .await
    .expect(200);
    assert_eq!(granted["due_on"], "2026-09-20");

    // Routing today counts the township's own exceptions too: the next two weekdays off and
    // the next Saturday worked.
    let mut off = Vec::new();
    let mut next = today();
    while off.len() < 2 {
        next = next + Days::new(1);
        if !matches!(next.weekday(), Weekday::Sat | Weekday::Sun) {
            off.push(next);
        }
    }
    let mut saturday = today() + Days::new(1);
    while saturday.weekday() != Weekday::Sat {
        saturday = saturday + Days::new(1);
    }
    for day in &off {
        app.put(
            &format!("/api/v1/calendar/{day}"),
            &t.admin.token,
            json!({"workday": false}),
        )
        .await
        .expect(200);
    }
    app.put(
        &format!("/api/v1/calendar/{saturday}"),
        &t.admin.token,
        json!({"workday": true}),
    )
    .await
    .expect(200);
    let fresh = raise(&app, &t, t.h2, "welfare").await;
    let assigned = step(
        &app,
        &t.admin,
        &fresh,
        "assign",
        json!({"department_id": roads.id}),
    )
    .await
    .expect(200);
    let expected = nth_working_day(today(), 5, &off, &[saturday]);
    assert_eq!(
        assigned["due_on"],
        expected.to_string(),
        "welfare: 5 working days"
    );
    assert_eq!(stored(&app, &fresh).await.due_on, Some(expected));
}

#[tokio::test]
async fn the_overdue_list_and_the_filters() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let roads = office(&app, &t, "城建办", "road_clerk").await;
    let land = office(&app, &t, "国土所", "land_clerk").await;
    let late = raise(&app, &t, t.h1, "road").await;
    let on_time = raise(&app, &t, t.h2, "road").await;
    let elsewhere = raise(&app, &t, t.h3, "land").await;
    let solved_late = raise(&app, &t, t.h1, "other").await;
    let unrouted = raise(&app, &t, t.h2, "other").await;
    for (issue, department) in [
        (&late, roads.id),
        (&on_time, roads.id),
        (&elsewhere, land.id),
        (&solved_late, roads.id),
    ] {
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
    for issue in [&elsewhere] {
        step(&app, &land.handler, issue, "accept", json!({}))
            .await
            .expect(200);
    }
    // The solved one: accepted, done, verified, then found past its limit.
    step(&app, &roads.handler, &solved_late, "accept", json!({}))
        .await
        .expect(200);
    step(
        &app,
        &roads.handler,
        &solved_late,
        "done",
        json!({"resolution": "好了"}),
    )
    .await
    .expect(200);
    step(
        &app,
        &t.leader1,
        &solved_late,
        "verify",
        json!({"fixed": true}),
    )
    .await
    .expect(200);
    let yesterday = (today() - Days::new(1)).to_string();
    for issue in [&late, &elsewhere, &solved_late] {
        set_due_on(&app, issue, &yesterday).await;
    }
    // Due today is not late yet.
    set_due_on(&app, &on_time, &today().to_string()).await;

    let ids = |list: &Value| -> Vec<String> {
        let mut ids: Vec<String> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<String>>()
    };
    let overdue = app
        .get("/api/v1/issues?overdue=true", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&overdue), sorted(vec![&late, &elsewhere]));
    assert!(overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["overdue"] == true));
    let not = app
        .get("/api/v1/issues?overdue=false", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&not), sorted(vec![&on_time, &solved_late, &unrouted]));
    let roads_late = app
        .get(
            &format!("/api/v1/issues?overdue=true&department_id={}", roads.id),
            &t.supervisor.token,
        )
        .await
        .expect(200);
    assert_eq!(ids(&roads_late), [late.as_str()]);
    let accepted = app
        .get(
            &format!("/api/v1/issues?status=accepted&department_id={}", land.id),
            &t.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(ids(&accepted), [elsewhere.as_str()]);
    // A handler's own 督办 list: their department's late issues only.
    let mine = app
        .get("/api/v1/issues?overdue=true", &roads.handler.token)
        .await
        .expect(200);
    assert_eq!(ids(&mine), [late.as_str()]);
    let theirs = app
        .get(
            &format!("/api/v1/issues?department_id={}", land.id),
            &roads.handler.token,
        )
        .await
        .expect(200);
    assert_eq!(theirs["total"], 0);
    // A leader's list shows the flag on their own households' issues.
    let leader = app
        .get("/api/v1/issues?overdue=true", &t.leader1.token)
        .await
        .expect(200);
    assert_eq!(ids(&leader), sorted(vec![&late, &elsewhere]));
    // The dossier's waiting issues carry it too.
    let dossier = app
        .get(&format!("/api/v1/households/{}", t.h1), &t.admin.token)
        .await
        .expect(200);
    let waiting: Vec<&Value> = dossier["open_issues"].as_array().unwrap().iter().collect();
    assert!(waiting
        .iter()
        .any(|i| i["id"] == late.as_str() && i["overdue"] == true));
    // Due today: 临期, not late; its own list.
    let soon = app
        .get("/api/v1/issues?due_soon=true", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&soon), [on_time.as_str()]);
    assert_eq!(
        (&soon["items"][0]["due_soon"], &soon["items"][0]["overdue"]),
        (&json!(true), &json!(false))
    );
    assert!(overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["due_soon"] == false));
    // The 督办 figures: late (late, elsewhere) and due today (on_time), three ways.
    let figures = app
        .get("/api/v1/supervision", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(
        (&figures["overdue"], &figures["due_soon"]),
        (&json!(2), &json!(1))
    );
    let counts = |rows: &Value| -> Vec<(String, i64, i64)> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let name = r["name"].as_str().unwrap().to_owned();
                (
                    name,
                    r["overdue"].as_i64().unwrap(),
                    r["due_soon"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        counts(&figures["by_department"]),
        [("国土所".to_owned(), 1, 0), ("城建办".to_owned(), 1, 1)]
    );
    // h1, h2 in m1 (g1, leader1); h3 in m2 (g1, leader1).
    assert_eq!(
        counts(&figures["by_grid"]),
        [("新埭村网格".to_owned(), 2, 1)]
    );
    assert_eq!(
        counts(&figures["by_leader"]),
        [("leader1的名字".to_owned(), 2, 1)]
    );
    // A late problem in g2 (h4, leader2's): the township sees it, g1's supervisor does not.
    let in_g2 = app
        .post(
            "/api/v1/issues",
            &t.leader2.token,
            json!({"household_id": t.h4, "category": "road", "description": "厂区门口路灯不亮"}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    step(
        &app,
        &t.admin,
        &in_g2,
        "assign",
        json!({"department_id": roads.id}),
    )
    .await
    .expect(200);
    set_due_on(&app, &in_g2, &yesterday).await;
    let all = app
        .get("/api/v1/supervision", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(all["overdue"], 3);
    assert_eq!(all["by_grid"].as_array().unwrap().len(), 2);
    let g1 = app
        .get("/api/v1/supervision", &t.grid_supervisor.token)
        .await
        .expect(200);
    assert_eq!(g1["overdue"], 2, "g1's supervisor sees g1's only");
    assert_eq!(
        counts(&g1["by_leader"]),
        [("leader1的名字".to_owned(), 2, 1)]
    );
    app.get("/api/v1/supervision", &t.leader1.token)
        .await
        .expect_error(403, "forbidden");
    app.get("/api/v1/supervision", &roads.handler.token)
        .await
        .expect_error(403, "forbidden");
    for bad in ["overdue=maybe", "department_id=12", "status=finished"] {
        app.get(&format!("/api/v1/issues?{bad}"), &t.admin.token)
            .await
            .expect_error(400, "bad_request");
    }
}

#[tokio::test]
async fn the_summary_counts_routed_issues_and_their_timeliness() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let roads = office(&app, &t, "城建办", "road_clerk").await;
    let (early, late, waiting) = (
        raise(&app, &t, t.h1, "road").await,
        raise(&app, &t, t.h2, "road").await,
        raise(&app, &t, t.h3, "road").await,
    );
    for issue in [&early, &late, &waiting] {
        step(
            &app,
            &t.admin,
            issue,
            "assign",
            json!({"department_id": roads.id}),
        )
        .await
        .expect(200);
    }
    for issue in [&early, &late] {
        step(&app, &roads.handler, issue, "accept", json!({}))
            .await
            .expect(200);
        step(
            &app,
            &roads.handler,
            issue,
            "done",
            json!({"resolution": "已修"}),
        )
        .await
        .expect(200);
        step(&app, &t.leader1, issue, "verify", json!({"fixed": true}))
            .await
            .expect(200);
    }
    // One of them was resolved after its limit.
    let before = (today() - Days::new(3)).to_string();
    set_due_on(&app, &late, &before).await;
    let day = today().to_string();
    let summary = app
        .get(
            &format!("/api/v1/stats/summary?from={day}&to={day}"),
            &t.supervisor.token,
        )
        .await
        .expect(200);
    assert_eq!(summary["issues"]["resolved"], 2);
    assert_eq!(summary["issues"]["open"], 1, "a routed issue still waits");
    assert_eq!(summary["issues"]["on_time_rate"], 0.5);
    assert_eq!(
        summary["issues"]["median_working_days"], 0.0,
        "raised and solved today"
    );
    // Each breakdown row (and so each export's row) has its own timeliness.
    let rows = app
        .get(
            &format!("/api/v1/stats/breakdown?by=micro_grid&from={day}&to={day}"),
            &t.supervisor.token,
        )
        .await
        .expect(200)["rows"]
        .clone();
    let row = |id: Uuid| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == id.to_string())
            .unwrap()
            .clone()
    };
    let m1 = row(t.m1);
    assert_eq!(
        (&m1["on_time_rate"], &m1["median_working_days"]),
        (&json!(0.5), &json!(0.0))
    );
    let m2 = row(t.m2);
    assert_eq!(
        (&m2["on_time_rate"], &m2["median_working_days"]),
        (&Value::Null, &Value::Null)
    );
}
