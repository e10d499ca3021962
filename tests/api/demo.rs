//! The demo township: the article's shape, records that agree with each other, and the same
//! township on every run. Checked in the database (the demo is written there directly).
//! Joins and correlated subqueries name `tenant_id` as well as the id: on Citus
//! (`crate::citus`) that keeps them on one township's shards.

use std::time::Duration;

use lianxin::demo::{self, DemoShape};
use lianxin::domain::{IdNumber, Phone};
use secrecy::SecretString;
use tokio_postgres::{Client, NoTls};

use crate::harness::TestApp;

async fn connect(app: &TestApp) -> Client {
    let (client, connection) = tokio_postgres::connect(&app.db_url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

async fn seed(app: &TestApp, shape: &DemoShape, weeks: u32) -> Option<demo::Seeded> {
    let pool = lianxin::db::pool(&app.db_url, 2, Duration::from_secs(10)).unwrap();
    demo::seed_with(&pool, &app.db_url, shape, weeks, false)
        .await
        .unwrap()
}

async fn count(db: &Client, sql: &str) -> i64 {
    db.query_one(sql, &[]).await.unwrap().get(0)
}

#[tokio::test]
async fn the_full_township_has_the_shape_of_the_article() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app, &DemoShape::xindai(), 0).await.unwrap();
    let db = connect(&app).await;

    let tenant = db
        .query_one(
            "SELECT name, timezone, visit_interval_days FROM tenants WHERE code = 'xindai'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(tenant.get::<_, &str>(0), "新埭镇");
    assert_eq!(tenant.get::<_, &str>(1), "Asia/Shanghai");
    assert_eq!(tenant.get::<_, i32>(2), 7);

    let grids = db
        .query(
            "SELECT g.kind, count(DISTINCT g.id), count(m.id) FROM grids g \
             JOIN micro_grids m ON m.tenant_id = g.tenant_id AND m.grid_id = g.id \
             GROUP BY g.kind ORDER BY g.kind",
            &[],
        )
        .await
        .unwrap();
    let shape: Vec<(String, i64, i64)> = grids
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        shape,
        [
            ("enterprise".to_owned(), 4, 245),
            ("village".to_owned(), 11, 581)
        ]
    );

    let leaders = "SELECT count(*) FROM users WHERE role = 'leader'";
    assert_eq!(count(&db, leaders).await, 322);
    let leading = "SELECT count(DISTINCT leader_id) FROM micro_grids";
    assert_eq!(count(&db, leading).await, 322);
    let leaderless = "SELECT count(*) FROM micro_grids WHERE leader_id IS NULL";
    assert_eq!(count(&db, leaderless).await, 0);
    // Every micro-grid's leader is recorded in the assignment history, as 定亲 would.
    let unrecorded = "SELECT count(*) FROM micro_grids m WHERE NOT EXISTS (SELECT 1 FROM \
                      leader_assignments a WHERE a.tenant_id = m.tenant_id AND a.micro_grid_id = m.id \
                      AND a.user_id = m.leader_id AND a.to_at IS NULL)";
    assert_eq!(count(&db, unrecorded).await, 0);
    let groups = "SELECT count(*) FROM micro_grids WHERE group_name IS NOT NULL";
    assert_eq!(count(&db, groups).await, 372);
    let staff = "SELECT count(*) FROM users WHERE (username, role) IN \
                 (('admin', 'tenant_admin'), ('supervisor', 'supervisor')) AND grid_id IS NULL";
    assert_eq!(count(&db, staff).await, 2);
    let usernames =
        "SELECT count(*) FROM users WHERE role = 'leader' AND username ~ '^leader[0-9]{3}$'";
    assert_eq!(count(&db, usernames).await, 322);
    // The offices with a handler each, and the 2026 calendar (docs/workflow.md).
    let handlers = "SELECT count(*) FROM users u JOIN departments d \
                    ON d.tenant_id = u.tenant_id AND d.id = u.department_id WHERE u.role = 'handler'";
    assert_eq!(count(&db, handlers).await, demo::DEPARTMENTS.len() as i64);
    let make_up =
        "SELECT count(*) FROM calendar_days WHERE workday AND day IN ('2026-09-20', '2026-10-10')";
    assert_eq!(count(&db, make_up).await, 2);
    // Two tasks sent down: the lone elderly of the whole township each week, and every
    // household of the first grid once.
    // Joined on the township too: Citus joins distributed tables on their distribution key.
    let lone = "SELECT count(*) FROM task_households th \
                JOIN tasks k ON k.tenant_id = th.tenant_id AND k.id = th.task_id \
                WHERE k.repeat = 'weekly'";
    let tagged = "SELECT count(*) FROM households WHERE '独居老人' = ANY(tags)";
    assert!(count(&db, lone).await > 0);
    assert_eq!(count(&db, lone).await, count(&db, tagged).await);
    let first_grid = "SELECT count(*) FROM task_households th \
                      JOIN tasks k ON k.tenant_id = th.tenant_id AND k.id = th.task_id \
                      JOIN households h ON h.tenant_id = th.tenant_id AND h.id = th.household_id \
                      JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
                      WHERE k.repeat IS NULL AND m.grid_id <> k.grid_ids[1]";
    assert_eq!(
        count(&db, first_grid).await,
        0,
        "only the first grid's households"
    );

    // And so the supervisor's summary reads, as the article reports it.
    let login = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&serde_json::json!({
                "tenant": "xindai", "username": "supervisor",
                "password": demo::password().unwrap(),
            })),
        )
        .await
        .expect(200);
    let token = login["access_token"].as_str().unwrap();
    let summary = app.get("/api/v1/stats/summary", token).await.expect(200);
    assert_eq!(
        summary["grids"],
        serde_json::json!({"village": 11, "enterprise": 4})
    );
    assert_eq!(
        summary["micro_grids"],
        serde_json::json!({"village": 581, "enterprise": 245})
    );
    assert_eq!(summary["leaders"], 322);
    assert_eq!(summary["groups"], 372);

    // Households per micro-grid: 20–40 in a village, about 50 in a community, a handful
    // of enterprises in a park.
    let sizes = db
        .query(
            "SELECT h.kind, min(c), max(c), sum(c)::bigint FROM (SELECT kind, micro_grid_id, count(*) c \
             FROM households GROUP BY 1, 2) h GROUP BY h.kind ORDER BY h.kind",
            &[],
        )
        .await
        .unwrap();
    let mut total = 0;
    for row in &sizes {
        let (kind, min, max): (&str, i64, i64) = (row.get(0), row.get(1), row.get(2));
        let range = match kind {
            "village" => 20..=40,
            "resident" => 45..=55,
            "enterprise" => 3..=10,
            other => panic!("unexpected kind {other}"),
        };
        assert!(
            range.contains(&min) && range.contains(&max),
            "{kind}: {min}–{max}"
        );
        total += row.get::<_, i64>(3);
    }
    assert_eq!(total, seeded.households as i64);
    let empty = "SELECT count(*) FROM micro_grids m WHERE NOT EXISTS \
                 (SELECT 1 FROM households h WHERE h.tenant_id = m.tenant_id AND h.micro_grid_id = m.id)";
    assert_eq!(count(&db, empty).await, 0);
    // Families in village and community micro-grids, enterprises in the parks.
    let misplaced = "SELECT count(*) FROM households h \
                     JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
                     JOIN grids g ON g.tenant_id = m.tenant_id AND g.id = m.grid_id \
                     WHERE (g.kind = 'enterprise') <> (h.kind = 'enterprise')";
    assert_eq!(count(&db, misplaced).await, 0);

    // Every id number and phone would pass the API's own validation.
    let rows = db
        .query(
            "SELECT id_number, phone, members, kind FROM households",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), seeded.households);
    let mut with_ids = 0;
    for row in &rows {
        if let Some(id) = row.get::<_, Option<&str>>(0) {
            assert!(IdNumber::parse(id).is_ok(), "{id}");
            assert!(id.starts_with("330482"), "{id}");
            with_ids += 1;
        }
        if let Some(phone) = row.get::<_, Option<&str>>(1) {
            assert!(Phone::parse(phone).is_ok(), "{phone}");
        }
        if row.get::<_, &str>(3) != "enterprise" {
            let members: i32 = row.get(2);
            assert!((1..=7).contains(&members), "{members}");
        }
    }
    assert!(with_ids > seeded.households * 9 / 10, "{with_ids}");
    let tagged =
        "SELECT count(*) FROM households WHERE tags && ARRAY['低保户', '独居老人', '党员户']";
    assert!(count(&db, tagged).await > 1000);

    // No history asked for, none made.
    assert_eq!(seeded.visits, 0);
    assert_eq!(count(&db, "SELECT count(*) FROM visits").await, 0);
    let touched = "SELECT count(*) FROM households WHERE last_visited_at IS NOT NULL \
                   OR acquainted_at IS NOT NULL OR in_group";
    assert_eq!(count(&db, touched).await, 0);

    // One hash for everyone, of the documented password.
    let hashes = "SELECT count(DISTINCT password_hash) FROM users";
    assert_eq!(count(&db, hashes).await, 1);
    let hash: String = db
        .query_one(
            "SELECT password_hash FROM users WHERE username = 'admin'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let password = demo::password().unwrap();
    assert!(
        lianxin::auth::passwords::verify(SecretString::from(password), Some(hash))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn seeding_again_changes_nothing() {
    let app = TestApp::spawn().await;
    assert!(seed(&app, &DemoShape::small(), 2).await.is_some());
    let db = connect(&app).await;
    let households = count(&db, "SELECT count(*) FROM households").await;
    let visits = count(&db, "SELECT count(*) FROM visits").await;
    assert!(seed(&app, &DemoShape::small(), 2).await.is_none());
    let pool = lianxin::db::pool(&app.db_url, 2, Duration::from_secs(10)).unwrap();
    assert!(!demo::seed(&pool, &app.db_url, 2, false).await.unwrap());
    assert_eq!(count(&db, "SELECT count(*) FROM tenants").await, 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM households").await,
        households
    );
    assert_eq!(count(&db, "SELECT count(*) FROM visits").await, visits);
}

#[tokio::test]
async fn the_history_agrees_with_the_households() {
    let app = TestApp::spawn().await;
    let db = connect(&app).await;
    // The seed builds the visits' indexes after the rows (the table was empty): they must
    // all be back, exactly as the migrations made them.
    let indexes = "SELECT string_agg(indexdef, ';' ORDER BY indexname) FROM pg_indexes \
                   WHERE tablename = 'visits'";
    let before: String = db.query_one(indexes, &[]).await.unwrap().get(0);
    let seeded = seed(&app, &DemoShape::small(), 26).await.unwrap();
    let after: String = db.query_one(indexes, &[]).await.unwrap().get(0);
    assert_eq!(before, after);
    assert!(before.matches("CREATE").count() >= 5, "{before}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM visits").await,
        seeded.visits as i64
    );
    // Weekly visits: many households most weeks, not all of them every week. (Of this small
    // township's three leaders one is lax, and the village of another is still mid-认亲; the
    // share moves with the weekday the history starts on, which moves the holidays: 28.5% on
    // a Tuesday, so the floor is a fifth.)
    let households = seeded.households as i64;
    assert!(seeded.visits as i64 > households * 26 / 5, "{seeded:?}");
    assert!((seeded.visits as i64) < households * 26, "{seeded:?}");

    let checks = [
        // last_visited_at is the newest visit.
        "SELECT count(*) FROM households h WHERE last_visited_at IS DISTINCT FROM \
         (SELECT max(visited_at) FROM visits v WHERE v.tenant_id = h.tenant_id AND v.household_id = h.id)",
        // The first visit is the acquaintance visit, the only one, and sets acquainted_at.
        "SELECT count(*) FROM households h WHERE acquainted_at IS DISTINCT FROM \
         (SELECT min(visited_at) FROM visits v WHERE v.tenant_id = h.tenant_id AND v.household_id = h.id)",
        "SELECT count(*) FROM (SELECT household_id FROM visits WHERE acquainted \
         GROUP BY 1 HAVING count(*) > 1) x",
        "SELECT count(*) FROM visits v \
         JOIN households h ON h.tenant_id = v.tenant_id AND h.id = v.household_id \
         WHERE v.acquainted <> (v.visited_at = h.acquainted_at)",
        // in_group exactly when a visit says the household joined, once, and only where
        // the micro-grid has a group.
        "SELECT count(*) FROM households h WHERE in_group <> EXISTS \
         (SELECT 1 FROM visits v WHERE v.tenant_id = h.tenant_id AND v.household_id = h.id \
         AND v.joined_group)",
        "SELECT count(*) FROM (SELECT household_id FROM visits WHERE joined_group \
         GROUP BY 1 HAVING count(*) > 1) x",
        "SELECT count(*) FROM households h \
         JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
         WHERE h.in_group AND m.group_name IS NULL",
        // Visits are by the micro-grid's leader, in the household's micro-grid, in the past.
        "SELECT count(*) FROM visits v \
         JOIN households h ON h.tenant_id = v.tenant_id AND h.id = v.household_id \
         JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
         WHERE v.micro_grid_id <> m.id OR v.leader_id <> m.leader_id OR v.visited_at > now()",
        // Nobody is visited before they are on the roster (some households were added lately).
        "SELECT count(*) FROM visits v \
         JOIN households h ON h.tenant_id = v.tenant_id AND h.id = v.household_id \
         WHERE v.visited_at < h.created_at",
        // Visit ids are UUID v7 of the visit's time.
        "SELECT count(*) FROM visits WHERE substr(id::text, 15, 1) <> '7' OR \
         ('x' || lpad(replace(left(id::text, 13), '-', ''), 16, '0'))::bit(64)::bigint \
         <> (extract(epoch FROM visited_at) * 1000)::bigint",
    ];
    for check in checks {
        assert_eq!(count(&db, check).await, 0, "{check}");
    }
    // Leaders know nearly every household, except in the last village, still mid-认亲:
    // there about half have never been visited.
    let acquainted = |late: bool| {
        format!(
            "SELECT (100 * count(acquainted_at) / count(*))::bigint FROM households h \
             JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id \
             JOIN grids g ON g.tenant_id = m.tenant_id AND g.id = m.grid_id \
             WHERE (g.name = '鱼圻塘村') = {late}"
        )
    };
    let known = count(&db, &acquainted(false)).await;
    assert!(known > 90, "{known}%");
    let late = count(&db, &acquainted(true)).await;
    assert!((20..80).contains(&late), "{late}%");
    // Some households came onto the roster in the last weeks.
    let added = "SELECT count(*) FROM households WHERE created_at > now() - interval '8 weeks'";
    assert!(count(&db, added).await > 0);
    let joined = "SELECT count(*) FROM households WHERE in_group";
    assert!(count(&db, joined).await > 0);
    let methods = "SELECT count(DISTINCT method) FROM visits";
    assert!(count(&db, methods).await >= 3);
    // Acquaintance is spread over the first weeks, not all done on the first day.
    let first_weeks = "SELECT count(DISTINCT date_trunc('week', acquainted_at)) FROM households";
    assert!(count(&db, first_weeks).await >= 3);
}

#[tokio::test]
async fn issues_agree_with_their_events() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app, &DemoShape::small(), 52).await.unwrap();
    let db = connect(&app).await;
    assert!(seeded.issues > 30, "{seeded:?}");
    assert!(seeded.issues * 100 < seeded.visits * 5, "{seeded:?}");

    let checks = [
        // Raised on a visit to the household, by the visit's leader, at the visit.
        "SELECT count(*) FROM issues i \
         JOIN visits v ON v.tenant_id = i.tenant_id AND v.id = i.visit_id WHERE \
         v.household_id <> i.household_id OR v.micro_grid_id <> i.micro_grid_id \
         OR v.leader_id <> i.raised_by OR v.visited_at <> i.raised_at",
        // One raise event, first, at raised_at.
        "SELECT count(*) FROM issues i WHERE (SELECT count(*) FROM issue_events e \
         WHERE e.tenant_id = i.tenant_id AND e.issue_id = i.id AND e.action = 'raise' \
         AND e.at = i.raised_at \
         AND e.from_status IS NULL AND e.to_status = 'open') <> 1",
        "SELECT count(*) FROM issue_events e \
         JOIN issues i ON i.tenant_id = e.tenant_id AND i.id = e.issue_id \
         WHERE e.at < i.raised_at OR e.at > now()",
        // The status is where the last event left it.
        "SELECT count(*) FROM issues i JOIN (SELECT DISTINCT ON (tenant_id, issue_id) tenant_id, \
         issue_id, to_status FROM issue_events \
         ORDER BY tenant_id, issue_id, at DESC, action = 'feedback' DESC) e \
         ON e.tenant_id = i.tenant_id AND e.issue_id = i.id WHERE i.status <> e.to_status",
        // Each event starts where the previous one ended.
        "SELECT count(*) FROM (SELECT from_status, lag(to_status) OVER (PARTITION BY tenant_id, issue_id \
         ORDER BY at) AS before FROM issue_events) e WHERE from_status IS DISTINCT FROM before",
        // Only legal transitions.
        "SELECT count(*) FROM issue_events WHERE (action, coalesce(from_status, ''), to_status) \
         NOT IN (('raise', '', 'open'), ('escalate', 'open', 'escalated'), \
         ('resolve', 'open', 'resolved'), ('resolve', 'escalated', 'resolved'), \
         ('reopen', 'resolved', 'open'), ('feedback', 'resolved', 'resolved'))",
        // resolved_at and resolution exactly for resolved issues, at the last resolve.
        "SELECT count(*) FROM issues i WHERE (status = 'resolved') <> (resolved_at IS NOT NULL) \
         OR (status = 'resolved') <> (resolution IS NOT NULL) OR resolved_at IS DISTINCT FROM \
         (SELECT CASE WHEN i.status = 'resolved' THEN max(at) END FROM issue_events e \
          WHERE e.tenant_id = i.tenant_id AND e.issue_id = i.id AND e.action = 'resolve')",
        // Feedback once, on a resolved issue, recorded on the row.
        "SELECT count(*) FROM issues i WHERE (satisfied IS NOT NULL) <> EXISTS \
         (SELECT 1 FROM issue_events e WHERE e.tenant_id = i.tenant_id AND e.issue_id = i.id \
          AND e.action = 'feedback' \
          AND e.at = i.feedback_at) OR (satisfied IS NOT NULL AND status <> 'resolved')",
        "SELECT count(*) FROM (SELECT issue_id FROM issue_events WHERE action = 'feedback' \
         GROUP BY 1 HAVING count(*) > 1) x",
    ];
    for check in checks {
        assert_eq!(count(&db, check).await, 0, "{check}");
    }
    // Most resolved, within days; some escalated first; most resolved ones with feedback,
    // mostly satisfied.
    let resolved = count(&db, "SELECT count(*) FROM issues WHERE status = 'resolved'").await;
    assert!(resolved * 10 > seeded.issues as i64 * 7, "{resolved}");
    let escalated = "SELECT count(DISTINCT issue_id) FROM issue_events WHERE action = 'escalate'";
    assert!(count(&db, escalated).await > 0);
    let quick = "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY resolved_at - raised_at) \
                 < interval '7 days' FROM issues WHERE status = 'resolved'";
    assert!(db.query_one(quick, &[]).await.unwrap().get::<_, bool>(0));
    let feedback = count(
        &db,
        "SELECT count(*) FROM issues WHERE satisfied IS NOT NULL",
    )
    .await;
    assert!(feedback * 10 > resolved * 7, "{feedback} of {resolved}");
    let pleased = count(&db, "SELECT count(*) FROM issues WHERE satisfied").await;
    assert!(pleased * 10 > feedback * 8, "{pleased} of {feedback}");
    let categories = "SELECT count(DISTINCT category) FROM issues";
    assert!(count(&db, categories).await >= 4);
    // Some requests wait far too long: three weeks and more before anyone solves them.
    let waited = "SELECT count(*) FROM issues \
                  WHERE coalesce(resolved_at, now()) - raised_at > interval '21 days'";
    assert!(count(&db, waited).await > 0);
    // A year holds National Day week (and a Spring Festival): few visits on those days.
    let per_day = |holiday: bool| {
        format!(
            "SELECT (count(*) / count(DISTINCT (visited_at AT TIME ZONE 'Asia/Shanghai')::date))::bigint \
             FROM visits WHERE (extract(month FROM visited_at AT TIME ZONE 'Asia/Shanghai') = 10 \
             AND extract(day FROM visited_at AT TIME ZONE 'Asia/Shanghai') <= 7) = {holiday}"
        )
    };
    let (holiday, usual) = (
        count(&db, &per_day(true)).await,
        count(&db, &per_day(false)).await,
    );
    assert!(
        holiday * 3 < usual,
        "{holiday} visits a day on holiday, {usual} usually"
    );
}

#[tokio::test]
async fn two_seeds_make_the_same_township() {
    let (one, two) = tokio::join!(TestApp::spawn(), TestApp::spawn());
    let shape = DemoShape::small();
    let (a, b) = tokio::join!(seed(&one, &shape, 12), seed(&two, &shape, 12));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        (a.households, a.visits, a.issues, a.rows),
        (b.households, b.visits, b.issues, b.rows)
    );
    // Names, addresses, numbers, the visits and the issues, ids included.
    let digests = [
        "SELECT md5(string_agg(concat_ws('|', username, display_name, phone), ',' ORDER BY username)) FROM users",
        "SELECT md5(string_agg(concat_ws('|', name, group_name), ',' ORDER BY name)) FROM micro_grids",
        "SELECT md5(string_agg(concat_ws('|', id, name, address, phone, id_number, members, tags::text, \
         acquainted_at, in_group, last_visited_at, created_at), ',' ORDER BY id)) FROM households",
        "SELECT md5(string_agg(concat_ws('|', id, household_id, visited_at, method, summary), ',' ORDER BY id)) FROM visits",
        "SELECT md5(string_agg(concat_ws('|', id, status, description, resolved_at, satisfied), ',' ORDER BY id)) FROM issues",
    ];
    let (db_one, db_two) = tokio::join!(connect(&one), connect(&two));
    for digest in digests {
        let x: String = db_one.query_one(digest, &[]).await.unwrap().get(0);
        let y: String = db_two.query_one(digest, &[]).await.unwrap().get(0);
        assert_eq!(x, y, "{digest}");
    }
}
