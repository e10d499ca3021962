//! The monthly 民情日志 (`GET /stats/statement`): a row per day of the month in the township's
//! zone with the leader's visits, households, problems raised, solved on the spot and routed,
//! and a total; who may read whose; written to the audit log.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::db::schema::audit_log;
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::Township;
use crate::harness::TestApp;
use crate::workflow::office;

/// Last month's `day` at `hour`, Shanghai time (last month: every day of it is in the past).
fn last_month(day: u32, hour: u32) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&Shanghai).date_naive();
    let first = today.with_day(1).unwrap() - chrono::Months::new(1);
    Shanghai
        .with_ymd_and_hms(first.year(), first.month(), day, hour, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn row(sheet: &calamine::Range<Data>, r: usize) -> Vec<String> {
    (0..6)
        .map(|c| match sheet.get((r, c)) {
            Some(Data::Float(f)) => f.to_string(),
            Some(other) => other.to_string(),
            None => String::new(),
        })
        .collect()
}

#[tokio::test]
async fn a_leaders_month_is_counted_by_day_from_what_was_recorded() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let visit = |household: Uuid, at: DateTime<Utc>| json!({"household_id": household, "visited_at": at.to_rfc3339(), "method": "door", "summary": "入户走访"});
    // Day 3: h1 twice and h2; day 4 at 23:30 local (still day 4, though 15:30 UTC): h1 again.
    for body in [
        visit(t.h1, last_month(3, 9)),
        visit(t.h1, last_month(3, 15)),
        visit(t.h2, last_month(3, 10)),
        visit(t.h1, last_month(4, 23) + chrono::Duration::minutes(30)),
    ] {
        app.post("/api/v1/visits", &t.leader1.token, body)
            .await
            .expect(201);
    }
    // Another leader's visit the same day is not leader1's.
    app.post(
        "/api/v1/visits",
        &t.leader2.token,
        visit(t.h4, last_month(3, 11)),
    )
    .await
    .expect(201);
    // Problems are raised now (this month), so last month's statement has none of them;
    // this month's has one raised and solved on the spot and one routed to an office.
    let raise = |household: Uuid| json!({"household_id": household, "category": "road", "description": "村口道路需要设桩"});
    let solved = app
        .post("/api/v1/issues", &t.leader1.token, raise(t.h1))
        .await
        .expect(201);
    app.post(
        &format!("/api/v1/issues/{}/resolve", solved["id"].as_str().unwrap()),
        &t.leader1.token,
        json!({"resolution": "当场联系村委会解决"}),
    )
    .await
    .expect(200);
    let routed = app
        .post("/api/v1/issues", &t.leader1.token, raise(t.h2))
        .await
        .expect(201);
    let land = office(&app, &t, "国土所", "guotu01").await;
    app.post(
        &format!("/api/v1/issues/{}/assign", routed["id"].as_str().unwrap()),
        &t.admin.token,
        json!({"department_id": land.id}),
    )
    .await
    .expect(200);

    let month = last_month(1, 12)
        .with_timezone(&Shanghai)
        .format("%Y-%m")
        .to_string();
    let resp = app
        .get(
            &format!("/api/v1/stats/statement?month={month}"),
            &t.leader1.token,
        )
        .await;
    assert_eq!(resp.status, 200);
    let disposition = resp.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains(&format!("alpha-statement-{month}-{}.xlsx", t.leader1.id)),
        "{disposition}"
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(resp.bytes)).unwrap();
    let sheet = book.worksheet_range("民情日志").unwrap();
    assert!(row(&sheet, 0)[0].starts_with("民情日志 · leader1的名字 · "));
    assert_eq!(
        row(&sheet, 1),
        [
            "日期",
            "走访户数",
            "走访人次",
            "反映诉求",
            "当场解决",
            "交办部门"
        ]
    );
    let days = sheet.height() - 3;
    assert!((28..=31).contains(&days), "{days} days");
    assert_eq!(row(&sheet, 2)[0], format!("{month}-01"));
    assert_eq!(row(&sheet, 4)[1..], ["2", "3", "0", "0", "0"], "day 3");
    assert_eq!(
        row(&sheet, 5)[1..],
        ["1", "1", "0", "0", "0"],
        "day 4, late evening"
    );
    assert_eq!(row(&sheet, 2 + days), ["合计", "2", "4", "0", "0", "0"]);

    // This month: the problem raised and solved on the spot, and the one routed.
    let this_month = Utc::now()
        .with_timezone(&Shanghai)
        .format("%Y-%m")
        .to_string();
    let resp = app
        .get(
            &format!(
                "/api/v1/stats/statement?month={this_month}&leader_id={}",
                t.leader1.id
            ),
            &t.admin.token,
        )
        .await;
    assert_eq!(resp.status, 200);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(resp.bytes)).unwrap();
    let sheet = book.worksheet_range("民情日志").unwrap();
    let total = row(&sheet, sheet.height() - 1);
    assert_eq!(
        total[3..],
        ["2", "1", "1"],
        "raised, solved on the spot, routed"
    );

    let mut conn = app.db().await;
    let audited: Vec<(Option<Uuid>, Option<Uuid>)> = audit_log::table
        .filter(audit_log::action.eq("stats.export"))
        .filter(audit_log::entity.eq("user"))
        .select((audit_log::actor_id, audit_log::entity_id))
        .order(audit_log::at)
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        audited,
        [
            (Some(t.leader1.id), Some(t.leader1.id)),
            (Some(t.admin.id), Some(t.leader1.id))
        ]
    );
}

#[tokio::test]
async fn each_reads_only_the_statements_in_reach() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let other = Township::create(&app, "beta").await;
    let path = |leader: Uuid| format!("/api/v1/stats/statement?leader_id={leader}");
    // A leader: their own only.
    app.get(&path(t.leader2.id), &t.leader1.token)
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        app.get(&path(t.leader1.id), &t.leader1.token).await.status,
        200
    );
    // A grid supervisor of g1: leader1 leads m1, m2 there; leader2 leads m3 in g2.
    assert_eq!(
        app.get(&path(t.leader1.id), &t.grid_supervisor.token)
            .await
            .status,
        200
    );
    app.get(&path(t.leader2.id), &t.grid_supervisor.token)
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        app.get(&path(t.leader2.id), &t.supervisor.token)
            .await
            .status,
        200
    );
    // An office's handler reads no statement at all.
    let land = office(&app, &t, "国土所", "guotu01").await;
    app.get(&path(t.leader1.id), &land.handler.token)
        .await
        .expect_error(403, "forbidden");
    // Another township's leader is not found; a bad month is a bad request.
    app.get(&path(other.leader1.id), &t.admin.token)
        .await
        .expect_error(404, "not_found");
    for month in ["2026-13", "November", "2026-11-01"] {
        app.get(
            &format!("/api/v1/stats/statement?month={month}"),
            &t.leader1.token,
        )
        .await
        .expect_error(400, "bad_request");
    }
}
