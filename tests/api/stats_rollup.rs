//! The statistics' visit rollup (`visit_days`, docs/stats.md) against the visits themselves:
//! whatever stored them (single visits through the group-commit writer, batches, replays,
//! racing phones) and after households move, the rollup holds exactly the raw visits, and
//! every visit figure the API reads from it equals a count made here from the raw rows.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::sql_types::{BigInt, Date, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::TestApp;

const TZ: Tz = chrono_tz::Asia::Shanghai;

fn local(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, mo, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn visit(id: Uuid, household: Uuid, at: DateTime<Utc>) -> Value {
    json!({
        "id": id,
        "household_id": household,
        "visited_at": at.to_rfc3339(),
        "method": "door",
        "summary": "入户走访",
    })
}

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Keyed {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    visits: i64,
    #[diesel(sql_type = BigInt)]
    households: i64,
}

/// The rollup row by row against the visits: per household, micro-grid, recorder and ISO
/// year of the local day, the visits and the distinct days, in both rows that hold that year
/// (its own row's first half, the year before's second half); and every household with more
/// than one row in a year has one marked `multi`. Returns the mismatches.
async fn rollup_mismatches(app: &TestApp, tenant: Uuid) -> i64 {
    let mut conn = app.db().await;
    let sql = "
        WITH raw AS (
            SELECT v.household_id, v.micro_grid_id, v.leader_id, h.half,
                   extract(isoyear FROM v.visited_at AT TIME ZONE t.timezone)::int AS year,
                   count(*) AS visits,
                   count(DISTINCT (v.visited_at AT TIME ZONE t.timezone)::date) AS days
            FROM visits v JOIN tenants t ON t.id = v.tenant_id
            CROSS JOIN (VALUES (0), (1)) h (half)
            WHERE v.tenant_id = $1 GROUP BY 1, 2, 3, 4, 5),
        halves AS (
            SELECT household_id, micro_grid_id, leader_id, h.half, year::int + h.half AS year,
                   bit_count(substring(days FROM 1 + 371 * h.half FOR 371)) AS days,
                   (SELECT count(*) FROM unnest(repeats) r WHERE r / 371 = h.half) AS repeats
            FROM visit_days CROSS JOIN (VALUES (0), (1)) h (half) WHERE tenant_id = $1),
        kept AS (
            SELECT household_id, micro_grid_id, leader_id, half, year,
                   days + repeats AS visits, days
            FROM halves WHERE days > 0),
        unmarked AS (
            SELECT year, household_id FROM visit_days WHERE tenant_id = $1
            GROUP BY 1, 2 HAVING count(*) > 1 AND NOT bool_or(multi))
        SELECT (SELECT count(*) FROM raw FULL JOIN kept
                  USING (household_id, micro_grid_id, leader_id, half, year)
                WHERE raw.visits IS DISTINCT FROM kept.visits
                   OR raw.days IS DISTINCT FROM kept.days)
             + (SELECT count(*) FROM unmarked) AS n";
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(tenant)
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .n
}

/// Visits and distinct households per `key` (an SQL expression over visit `v`, micro-grid
/// `m` and local time `l`) from the raw rows, in the local-date range and micro-grid scope.
async fn raw_counts(
    app: &TestApp,
    tenant: Uuid,
    key: &str,
    (from, to): (NaiveDate, NaiveDate),
    scope: Option<Uuid>,
) -> Vec<Keyed> {
    let mut conn = app.db().await;
    let scope_sql = match scope {
        Some(_) => "AND (m.id = $4 OR m.grid_id = $4)",
        None => "AND $4::uuid IS NULL",
    };
    let sql = format!(
        "SELECT {key} AS key, count(*) AS visits, count(DISTINCT v.household_id) AS households
         FROM visits v
         JOIN tenants t ON t.id = v.tenant_id
         JOIN micro_grids m ON m.tenant_id = v.tenant_id AND m.id = v.micro_grid_id
         CROSS JOIN LATERAL (SELECT v.visited_at AT TIME ZONE t.timezone AS l) x
         WHERE v.tenant_id = $1 AND x.l::date BETWEEN $2 AND $3 {scope_sql}
         GROUP BY 1 ORDER BY 1"
    );
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(tenant)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(scope)
        .load(&mut conn)
        .await
        .unwrap()
}

/// The API's rows with work in them, as (key, visits, households visited).
fn api_rows(body: &Value) -> Vec<Keyed> {
    let mut rows: Vec<Keyed> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["visits"].as_i64().unwrap() > 0)
        .map(|r| Keyed {
            key: r["key"].as_str().unwrap().to_owned(),
            visits: r["visits"].as_i64().unwrap(),
            households: r["households_visited"].as_i64().unwrap(),
        })
        .collect();
    rows.sort();
    rows
}

/// Every visit figure of the summary and of each breakdown, in each range and scope, equals
/// the raw count; and the rollup holds exactly the raw visits.
async fn figures_equal_the_raw_visits(app: &TestApp, t: &Township, ranges: &[(&str, &str)]) {
    assert_eq!(
        rollup_mismatches(app, t.id).await,
        0,
        "rollup rows = visits"
    );
    let token = &t.supervisor.token;
    for &(from, to) in ranges {
        let range = (from.parse().unwrap(), to.parse().unwrap());
        for (scope, query) in [
            (None, String::new()),
            (Some(t.g1), format!("&grid_id={}", t.g1)),
            (Some(t.m3), format!("&micro_grid_id={}", t.m3)),
        ] {
            let q = format!("from={from}&to={to}{query}");
            let summary = app
                .get(&format!("/api/v1/stats/summary?{q}"), token)
                .await
                .expect(200);
            let total = raw_counts(app, t.id, "''", range, scope).await;
            let (visits, households) = match total.as_slice() {
                [k, ..] => (k.visits, k.households),
                [] => (0, 0),
            };
            assert_eq!(
                (
                    summary["visits"].as_i64(),
                    summary["households_visited"].as_i64()
                ),
                (Some(visits), Some(households)),
                "summary {q}"
            );
            for (by, key) in [
                ("micro_grid", "v.micro_grid_id::text"),
                ("grid", "m.grid_id::text"),
                ("leader", "v.leader_id::text"),
                ("week", "to_char(x.l, 'IYYY-\"W\"IW')"),
            ] {
                let body = app
                    .get(&format!("/api/v1/stats/breakdown?by={by}&{q}"), token)
                    .await
                    .expect(200);
                assert_eq!(
                    api_rows(&body),
                    raw_counts(app, t.id, key, range, scope).await,
                    "by={by} {q}"
                );
            }
        }
    }
}

#[tokio::test]
async fn singles_replays_batches_and_moves_keep_the_rollup_exact() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let l1 = &t.leader1.token;
    // ISO week 2026-W01 starts on Monday 2025-12-29: these days span two rollup years.
    let first = Uuid::now_v7();
    let singles = [
        visit(first, t.h1, local(2025, 12, 28, 10)),
        visit(Uuid::now_v7(), t.h1, local(2025, 12, 29, 9)),
        visit(Uuid::now_v7(), t.h1, local(2025, 12, 29, 15)), // same day again
        visit(Uuid::now_v7(), t.h2, local(2026, 1, 5, 23)),
        visit(Uuid::now_v7(), t.h3, local(2020, 12, 31, 8)), // ISO 2020-W53, day 367
    ];
    for body in &singles {
        app.post("/api/v1/visits", l1, body.clone())
            .await
            .expect(201);
    }
    // A replay stores nothing; the same id with other content is refused.
    app.post("/api/v1/visits", l1, singles[0].clone())
        .await
        .expect(200);
    let mut changed = singles[0].clone();
    changed["summary"] = json!("改过的");
    app.post("/api/v1/visits", l1, changed).await.expect(409);
    figures_equal_the_raw_visits(&app, &t, &[("2025-12-28", "2026-01-04")]).await;

    // A batch: two visits to one household on one day, a third on a day stored already, the
    // same new item twice, and replays of singles.
    let twice = visit(Uuid::now_v7(), t.h3, local(2026, 1, 2, 10));
    let batch = json!({ "visits": [
        visit(Uuid::now_v7(), t.h2, local(2025, 12, 29, 8)),
        visit(Uuid::now_v7(), t.h2, local(2025, 12, 29, 18)),
        visit(Uuid::now_v7(), t.h1, local(2025, 12, 29, 20)),
        twice.clone(),
        twice,
        singles[1].clone(),
        singles[3].clone(),
    ]});
    let answer = app
        .post("/api/v1/visits/batch", l1, batch.clone())
        .await
        .expect(200);
    let statuses: Vec<u64> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 201, 201, 201, 200, 200, 200]);
    // The whole batch again, as a phone that lost the answer sends it: all replays.
    app.post("/api/v1/visits/batch", l1, batch)
        .await
        .expect(200);
    figures_equal_the_raw_visits(&app, &t, &[("2025-12-29", "2025-12-29")]).await;

    // h1 moves to m3 (leader2's): its earlier visits stay where they were made, new ones
    // count in m3, by leader2, on a day h1 already has visits in m1.
    app.post(
        "/api/v1/households/assign",
        &t.admin.token,
        json!({ "household_ids": [t.h1], "micro_grid_id": t.m3 }),
    )
    .await
    .expect(200);
    let l2 = &t.leader2.token;
    app.post(
        "/api/v1/visits",
        l2,
        visit(Uuid::now_v7(), t.h1, local(2025, 12, 29, 21)),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/visits/batch",
        l2,
        json!({ "visits": [
            visit(Uuid::now_v7(), t.h1, local(2026, 1, 3, 9)),
            visit(Uuid::now_v7(), t.h4, local(2026, 1, 3, 9)),
            visit(Uuid::now_v7(), t.h4, local(2026, 1, 3, 10)),
        ]}),
    )
    .await
    .expect(200);
    // The old leader may no longer record for h1.
    app.post(
        "/api/v1/visits",
        l1,
        visit(Uuid::now_v7(), t.h1, local(2026, 1, 3, 11)),
    )
    .await
    .expect(404);
    figures_equal_the_raw_visits(
        &app,
        &t,
        &[
            ("2025-12-28", "2025-12-28"),
            ("2025-12-29", "2026-01-04"),
            ("2025-12-01", "2026-01-31"),
            ("2020-12-31", "2020-12-31"),
            // Three ISO years and more: rows of every second year, all merged.
            ("2020-12-31", "2026-01-31"),
        ],
    )
    .await;
}

#[tokio::test]
async fn racing_writers_keep_the_rollup_exact() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let day = |h| local(2026, 3, 10, h);
    // Leader 1's phone and a copy of it retrying: every visit sent twice at once, several on
    // one household and day; leader 2 at the same time; and two batches over the same
    // households as the singles.
    let mine: Vec<Value> = (0..12u32)
        .map(|i| {
            visit(
                Uuid::now_v7(),
                [t.h1, t.h2, t.h3][i as usize % 3],
                day(8 + i % 4),
            )
        })
        .collect();
    let theirs: Vec<Value> = (0..6u32)
        .map(|i| visit(Uuid::now_v7(), t.h4, day(9 + i)))
        .collect();
    let batch = |h| {
        json!({ "visits": (0..5u32)
            .map(|i| visit(Uuid::now_v7(), h, day(12 + i)))
            .collect::<Vec<_>>() })
    };
    let mut requests = Vec::new();
    for body in mine.iter().chain(mine.iter()) {
        requests.push(app.post("/api/v1/visits", &t.leader1.token, body.clone()));
    }
    for body in &theirs {
        requests.push(app.post("/api/v1/visits", &t.leader2.token, body.clone()));
    }
    requests.push(app.post("/api/v1/visits/batch", &t.leader1.token, batch(t.h1)));
    requests.push(app.post("/api/v1/visits/batch", &t.leader1.token, batch(t.h2)));
    let answers = futures_util::future::join_all(requests).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(
        created,
        mine.len() + theirs.len(),
        "each single stored once"
    );
    assert!(answers.iter().all(|a| [200, 201].contains(&a.status)));
    figures_equal_the_raw_visits(
        &app,
        &t,
        &[("2026-03-10", "2026-03-10"), ("2026-03-01", "2026-03-31")],
    )
    .await;
    let mut conn = app.db().await;
    let visits: Count = diesel::sql_query("SELECT count(*) AS n FROM visits WHERE tenant_id = $1")
        .bind::<SqlUuid, _>(t.id)
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(visits.n, 12 + 6 + 10);
}
