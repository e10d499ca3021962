//! Statistics and exports: every figure checked against a count made here, in Rust, from the
//! raw rows the test inserted (visits and issues go straight into the database).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lianxin::db::schema::{households, issues, micro_grids, visits};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{platform_admin, Township};
use crate::harness::TestApp;

const TZ: Tz = chrono_tz::Asia::Shanghai;
/// The range most tests ask for: Wednesday 2026-03-04 to Tuesday 2026-03-17 (ISO weeks
/// 10, 11 and 12 of 2026, the first and last only in part).
const FROM: &str = "2026-03-04";
const TO: &str = "2026-03-17";
/// m1's new name: a comma, which CSV must quote.
const M1_NAME: &str = "新埭村第1微网格,东片";

fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct V {
    household: Uuid,
    micro_grid: Uuid,
    leader: Uuid,
    at: DateTime<Utc>,
}

struct I {
    household: Uuid,
    micro_grid: Uuid,
    raised_by: Uuid,
    raised_at: DateTime<Utc>,
    status: &'static str,
    resolved_at: Option<DateTime<Utc>>,
    satisfied: Option<bool>,
}

/// The raw records, as inserted, and what the fixture holds.
struct Records {
    t: Township,
    /// (id, name, kind)
    grids: Vec<(Uuid, String, &'static str)>,
    /// (id, grid, name, leader, group)
    micro_grids: Vec<(Uuid, Uuid, String, Option<Uuid>, bool)>,
    /// (id, micro-grid, acquainted, in_group)
    households: Vec<(Uuid, Uuid, bool, bool)>,
    names: HashMap<Uuid, String>,
    visits: Vec<V>,
    issues: Vec<I>,
}

async fn dataset(app: &TestApp) -> Records {
    let t = Township::create(app, "alpha").await;
    let mut conn = app.db().await;
    diesel::update(micro_grids::table.filter(micro_grids::id.eq(t.m1)))
        .set(micro_grids::name.eq(M1_NAME))
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::update(households::table.filter(households::id.eq(t.h1)))
        .set((
            households::acquainted_at.eq(Some(local(2026, 1, 10, 9, 0))),
            households::in_group.eq(true),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::update(households::table.filter(households::id.eq(t.h4)))
        .set(households::in_group.eq(true))
        .execute(&mut conn)
        .await
        .unwrap();
    let (l1, l2) = (t.leader1.id, t.leader2.id);
    let v = |household, micro_grid, leader, at| V {
        household,
        micro_grid,
        leader,
        at,
    };
    let visits = vec![
        v(t.h1, t.m1, l1, local(2026, 3, 4, 0, 1)), // first minute of `from`: in
        v(t.h1, t.m1, l1, local(2026, 3, 3, 23, 59)), // last minute before `from`: out
        v(t.h2, t.m1, l1, local(2026, 3, 8, 23, 59)), // Sunday night: week 10
        v(t.h2, t.m1, l1, local(2026, 3, 9, 0, 1)), // Monday morning: week 11
        v(t.h3, t.m2, l1, local(2026, 3, 17, 23, 59)), // last minute of `to`: in
        v(t.h3, t.m2, l1, local(2026, 3, 18, 0, 1)), // first minute after `to`: out
        v(t.h4, t.m3, l2, local(2026, 3, 10, 10, 0)),
        v(t.h4, t.m3, l2, local(2026, 3, 12, 10, 0)), // same household again
        // Done in m2 while h1 lived there: counts for m2, not for h1's micro-grid now.
        v(t.h1, t.m2, l1, local(2026, 3, 5, 9, 0)),
        // Recorded by the township admin: the work of someone who is no leader.
        v(t.h4, t.m3, t.admin.id, local(2026, 3, 11, 15, 0)),
    ];
    let i = |household, micro_grid, raised_by, raised_at, status, resolved_at, satisfied| I {
        household,
        micro_grid,
        raised_by,
        raised_at,
        status,
        resolved_at,
        satisfied,
    };
    let issues = vec![
        i(t.h1, t.m1, l1, local(2026, 3, 5, 10, 0), "open", None, None),
        i(
            t.h3,
            t.m2,
            l1,
            local(2026, 2, 20, 10, 0),
            "resolved",
            Some(local(2026, 3, 10, 10, 0)),
            Some(true),
        ),
        i(
            t.h4,
            t.m3,
            l2,
            local(2026, 3, 6, 10, 0),
            "escalated",
            None,
            None,
        ),
        i(
            t.h4,
            t.m3,
            l2,
            local(2026, 3, 7, 10, 0),
            "resolved",
            Some(local(2026, 3, 17, 23, 59)),
            Some(false),
        ),
        i(
            t.h2,
            t.m1,
            t.admin.id,
            local(2026, 3, 1, 10, 0),
            "resolved",
            Some(local(2026, 3, 18, 0, 1)),
            Some(true),
        ),
        i(
            t.h2,
            t.m1,
            l1,
            local(2026, 3, 16, 8, 0),
            "resolved",
            Some(local(2026, 3, 16, 18, 0)),
            None,
        ),
        i(
            t.h1,
            t.m1,
            l1,
            local(2026, 1, 1, 8, 0),
            "resolved",
            Some(local(2026, 1, 5, 8, 0)),
            Some(true),
        ),
    ];
    for v in &visits {
        diesel::insert_into(visits::table)
            .values((
                visits::tenant_id.eq(t.id),
                visits::id.eq(Uuid::now_v7()),
                visits::household_id.eq(v.household),
                visits::micro_grid_id.eq(v.micro_grid),
                visits::leader_id.eq(v.leader),
                visits::visited_at.eq(v.at),
                visits::method.eq("door"),
                visits::summary.eq("入户走访"),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    roll_up(&mut conn, t.id).await;
    for i in &issues {
        diesel::insert_into(issues::table)
            .values((
                issues::tenant_id.eq(t.id),
                issues::id.eq(Uuid::now_v7()),
                issues::household_id.eq(i.household),
                issues::micro_grid_id.eq(i.micro_grid),
                issues::category.eq("road"),
                issues::description.eq("路灯坏了"),
                issues::status.eq(i.status),
                issues::raised_by.eq(i.raised_by),
                issues::raised_at.eq(i.raised_at),
                issues::resolved_at.eq(i.resolved_at),
                issues::satisfied.eq(i.satisfied),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let names = [
        &t.admin,
        &t.supervisor,
        &t.grid_supervisor,
        &t.leader1,
        &t.leader2,
        &t.idle_leader,
    ]
    .iter()
    .map(|u| (u.id, format!("{}的名字", u.username)))
    .collect();
    Records {
        grids: vec![
            (t.g1, "新埭村网格".into(), "village"),
            (t.g2, "工业园区网格".into(), "enterprise"),
        ],
        micro_grids: vec![
            (t.m1, t.g1, M1_NAME.into(), Some(l1), true),
            (t.m2, t.g1, "新埭村第2微网格".into(), Some(l1), false),
            (t.m3, t.g2, "工业园区第1微网格".into(), Some(l2), true),
        ],
        households: vec![
            (t.h1, t.m1, true, true),
            (t.h2, t.m1, false, false),
            (t.h3, t.m2, false, false),
            (t.h4, t.m3, false, true),
        ],
        names,
        visits,
        issues,
        t,
    }
}

/// The visits here go straight into the table, past the recording statement that keeps the
/// statistics' rollup (`visit_days`): make it from them, as the demo's seed does. That the
/// recording statement keeps it equal to this is `stats_rollup.rs`'s subject.
async fn roll_up(conn: &mut AsyncPgConnection, tenant: Uuid) {
    diesel::sql_query("SELECT visit_days_rebuild($1)")
        .bind::<diesel::sql_types::Uuid, _>(tenant)
        .execute(conn)
        .await
        .unwrap();
}

#[derive(Clone, Copy, Debug)]
enum Sc {
    All,
    Grid(Uuid),
    Micro(Uuid),
}

impl Sc {
    fn query(self) -> String {
        match self {
            Sc::All => String::new(),
            Sc::Grid(g) => format!("&grid_id={g}"),
            Sc::Micro(m) => format!("&micro_grid_id={m}"),
        }
    }
}

/// Which dimension value a record belongs to (`None`: none).
type Of<'a, T> = Box<dyn Fn(&T) -> Option<String> + 'a>;
/// The rows' keys and names, and which row a visit, a raised issue, a resolved issue and a
/// household count for.
type Attribution<'a> = (
    Vec<(String, String)>,
    Of<'a, V>,
    Of<'a, I>,
    Of<'a, I>,
    Of<'a, (Uuid, Uuid, bool, bool)>,
);

/// The hand count: what a careful person would tally from the rows above.
impl Records {
    fn grid_of(&self, micro_grid: Uuid) -> Uuid {
        self.micro_grids
            .iter()
            .find(|m| m.0 == micro_grid)
            .unwrap()
            .1
    }

    fn kind_of(&self, grid: Uuid) -> &'static str {
        self.grids.iter().find(|g| g.0 == grid).unwrap().2
    }

    fn leader_of(&self, micro_grid: Uuid) -> Option<Uuid> {
        self.micro_grids
            .iter()
            .find(|m| m.0 == micro_grid)
            .unwrap()
            .3
    }

    fn covers(&self, sc: Sc, micro_grid: Uuid) -> bool {
        match sc {
            Sc::All => true,
            Sc::Grid(g) => self.grid_of(micro_grid) == g,
            Sc::Micro(m) => m == micro_grid,
        }
    }

    fn covers_grid(&self, sc: Sc, grid: Uuid) -> bool {
        match sc {
            Sc::All => true,
            Sc::Grid(g) => g == grid,
            Sc::Micro(m) => self.grid_of(m) == grid,
        }
    }

    /// Inside the inclusive local-date range, judged by the local calendar day.
    fn within(at: DateTime<Utc>, from: NaiveDate, to: NaiveDate) -> bool {
        let day = at.with_timezone(&TZ).date_naive();
        from <= day && day <= to
    }

    fn visits_in(&self, sc: Sc, from: NaiveDate, to: NaiveDate) -> Vec<&V> {
        self.visits
            .iter()
            .filter(|v| self.covers(sc, v.micro_grid) && Self::within(v.at, from, to))
            .collect()
    }

    fn raised_in(&self, sc: Sc, from: NaiveDate, to: NaiveDate) -> Vec<&I> {
        self.issues
            .iter()
            .filter(|i| self.covers(sc, i.micro_grid) && Self::within(i.raised_at, from, to))
            .collect()
    }

    fn resolved_in(&self, sc: Sc, from: NaiveDate, to: NaiveDate) -> Vec<&I> {
        self.issues
            .iter()
            .filter(|i| {
                self.covers(sc, i.micro_grid)
                    && i.status == "resolved"
                    && i.resolved_at.is_some_and(|at| Self::within(at, from, to))
            })
            .collect()
    }

    fn households_in(&self, sc: Sc) -> Vec<&(Uuid, Uuid, bool, bool)> {
        self.households
            .iter()
            .filter(|h| self.covers(sc, h.1))
            .collect()
    }

    fn summary(&self, sc: Sc, from: NaiveDate, to: NaiveDate) -> Value {
        let grids: Vec<_> = self
            .grids
            .iter()
            .filter(|g| self.covers_grid(sc, g.0))
            .collect();
        let micro: Vec<_> = self
            .micro_grids
            .iter()
            .filter(|m| self.covers(sc, m.0))
            .collect();
        let households = self.households_in(sc);
        let visits = self.visits_in(sc, from, to);
        let resolved = self.resolved_in(sc, from, to);
        let with_feedback: Vec<bool> = resolved.iter().filter_map(|i| i.satisfied).collect();
        let rate = if with_feedback.is_empty() {
            Value::Null
        } else {
            json!(with_feedback.iter().filter(|s| **s).count() as f64 / with_feedback.len() as f64)
        };
        // Working days (Monday to Friday: the fixture has no calendar) from the day raised to
        // the day resolved; none of these issues was routed, so none has a time limit.
        let mut days: Vec<f64> = resolved
            .iter()
            .map(|i| {
                let raised = i.raised_at.with_timezone(&TZ).date_naive();
                let done = i.resolved_at.unwrap().with_timezone(&TZ).date_naive();
                raised
                    .iter_days()
                    .skip(1)
                    .take_while(|d| *d <= done)
                    .filter(|d| d.weekday().num_days_from_monday() < 5)
                    .count() as f64
            })
            .collect();
        days.sort_by(f64::total_cmp);
        let median = match days.len() {
            0 => Value::Null,
            n if n % 2 == 1 => json!(days[n / 2]),
            n => json!((days[n / 2 - 1] + days[n / 2]) / 2.0),
        };
        let count_kind = |kind: &str| grids.iter().filter(|g| g.2 == kind).count();
        let micro_kind = |kind: &str| micro.iter().filter(|m| self.kind_of(m.1) == kind).count();
        json!({
            "from": from.to_string(),
            "to": to.to_string(),
            "grids": {"village": count_kind("village"), "enterprise": count_kind("enterprise")},
            "micro_grids": {"village": micro_kind("village"), "enterprise": micro_kind("enterprise")},
            "leaders": micro.iter().filter_map(|m| m.3).collect::<HashSet<_>>().len(),
            "households": households.len(),
            "households_acquainted": households.iter().filter(|h| h.2).count(),
            "groups": micro.iter().filter(|m| m.4).count(),
            "households_in_group": households.iter().filter(|h| h.3).count(),
            "visits": visits.len(),
            "households_visited": visits.iter().map(|v| v.household).collect::<HashSet<_>>().len(),
            "issues": {
                "raised": self.raised_in(sc, from, to).len(),
                "resolved": resolved.len(),
                "open": self.issues.iter()
                    .filter(|i| self.covers(sc, i.micro_grid) && i.status != "resolved")
                    .count(),
                "satisfaction_rate": rate,
                "on_time_rate": null,
                "median_working_days": median,
            },
        })
    }

    fn rows(&self, by: &str, sc: Sc, from: NaiveDate, to: NaiveDate) -> Value {
        let visits = self.visits_in(sc, from, to);
        let raised = self.raised_in(sc, from, to);
        let resolved = self.resolved_in(sc, from, to);
        let households = self.households_in(sc);
        // Which dimension value a visit, an issue (raised or resolved) and a household belong to.
        let (dims, visit_of, raised_of, resolved_of, household_of): Attribution = match by {
            "grid" => {
                let mut dims: Vec<_> = self
                    .grids
                    .iter()
                    .filter(|g| self.covers_grid(sc, g.0))
                    .map(|g| (g.0.to_string(), g.1.clone()))
                    .collect();
                dims.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
                (
                    dims,
                    Box::new(|v: &V| Some(self.grid_of(v.micro_grid).to_string())),
                    Box::new(|i: &I| Some(self.grid_of(i.micro_grid).to_string())),
                    Box::new(|i: &I| Some(self.grid_of(i.micro_grid).to_string())),
                    Box::new(|h: &(Uuid, Uuid, bool, bool)| Some(self.grid_of(h.1).to_string())),
                )
            }
            "micro_grid" => {
                let mut dims: Vec<_> = self
                    .micro_grids
                    .iter()
                    .filter(|m| self.covers(sc, m.0))
                    .map(|m| (m.0.to_string(), m.2.clone()))
                    .collect();
                dims.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
                (
                    dims,
                    Box::new(|v: &V| Some(v.micro_grid.to_string())),
                    Box::new(|i: &I| Some(i.micro_grid.to_string())),
                    Box::new(|i: &I| Some(i.micro_grid.to_string())),
                    Box::new(|h: &(Uuid, Uuid, bool, bool)| Some(h.1.to_string())),
                )
            }
            "leader" => {
                let mut people: BTreeSet<Uuid> = self
                    .micro_grids
                    .iter()
                    .filter(|m| self.covers(sc, m.0))
                    .filter_map(|m| m.3)
                    .collect();
                people.extend(visits.iter().map(|v| v.leader));
                people.extend(raised.iter().map(|i| i.raised_by));
                people.extend(resolved.iter().map(|i| i.raised_by));
                let mut dims: Vec<_> = people
                    .into_iter()
                    .map(|u| (u.to_string(), self.names[&u].clone()))
                    .collect();
                dims.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
                (
                    dims,
                    Box::new(|v: &V| Some(v.leader.to_string())),
                    Box::new(|i: &I| Some(i.raised_by.to_string())),
                    Box::new(|i: &I| Some(i.raised_by.to_string())),
                    Box::new(|h: &(Uuid, Uuid, bool, bool)| {
                        self.leader_of(h.1).map(|l| l.to_string())
                    }),
                )
            }
            "week" => {
                let week = |at: DateTime<Utc>| {
                    let w = at.with_timezone(&TZ).iso_week();
                    format!("{}-W{:02}", w.year(), w.week())
                };
                // Walk the days of the range; a new ISO week starts a new row.
                let mut dims: Vec<(String, String)> = Vec::new();
                let mut day = from;
                while day <= to {
                    let w = day.iso_week();
                    let key = format!("{}-W{:02}", w.year(), w.week());
                    match dims.last_mut() {
                        Some(last) if last.0 == key => {
                            last.1 = format!("{}/{day}", &last.1[..10]);
                        }
                        _ => dims.push((key, format!("{day}/{day}"))),
                    }
                    day += Duration::days(1);
                }
                (
                    dims,
                    Box::new(move |v: &V| Some(week(v.at))),
                    Box::new(move |i: &I| Some(week(i.raised_at))),
                    Box::new(move |i: &I| i.resolved_at.map(week)),
                    Box::new(|_: &(Uuid, Uuid, bool, bool)| Some("all".to_owned())),
                )
            }
            other => panic!("no such breakdown {other}"),
        };
        let rows: Vec<Value> = dims
            .into_iter()
            .map(|(key, name)| {
                let mine = |of: &Option<String>| {
                    of.as_deref() == Some(key.as_str()) || of.as_deref() == Some("all")
                };
                let hh = households.iter().filter(|h| mine(&household_of(h))).count() as i64;
                let vs: Vec<&&V> = visits.iter().filter(|v| mine(&visit_of(v))).collect();
                let visited = vs.iter().map(|v| v.household).collect::<HashSet<_>>().len() as i64;
                let coverage = if hh == 0 {
                    0.0
                } else {
                    (visited as f64 / hh as f64).min(1.0)
                };
                json!({
                    "key": key,
                    "name": name,
                    "households": hh,
                    "visits": vs.len(),
                    "households_visited": visited,
                    "coverage": coverage,
                    "issues_raised": raised.iter().filter(|i| mine(&raised_of(i))).count(),
                    "issues_resolved": resolved.iter().filter(|i| mine(&resolved_of(i))).count(),
                    // None of these issues was routed, so none has a time limit.
                    "on_time_rate": null,
                    "median_working_days": median_working_days(
                        resolved.iter().filter(|i| mine(&resolved_of(i))).copied()
                    ),
                })
            })
            .collect();
        json!(rows)
    }
}

/// The median of the working days (Monday to Friday: the fixture has no calendar exceptions)
/// after each issue's local day raised up to its local day resolved.
fn median_working_days<'a>(issues: impl Iterator<Item = &'a I>) -> Value {
    let mut days: Vec<f64> = issues
        .map(|i| {
            let raised = i.raised_at.with_timezone(&TZ).date_naive();
            let resolved = i.resolved_at.unwrap().with_timezone(&TZ).date_naive();
            raised
                .iter_days()
                .skip(1)
                .take_while(|d| *d <= resolved)
                .filter(|d| d.weekday().num_days_from_monday() < 5)
                .count() as f64
        })
        .collect();
    days.sort_by(f64::total_cmp);
    match days.len() {
        0 => Value::Null,
        n if n % 2 == 1 => json!(days[n / 2]),
        n => json!((days[n / 2 - 1] + days[n / 2]) / 2.0),
    }
}

fn range_query(from: &str, to: &str) -> String {
    format!("from={from}&to={to}")
}

#[tokio::test]
async fn summary_matches_the_hand_count_in_every_scope() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    // Another township's work in the same days must not show.
    let beta = Township::create(&app, "beta").await;
    let mut conn = app.db().await;
    diesel::insert_into(visits::table)
        .values((
            visits::tenant_id.eq(beta.id),
            visits::id.eq(Uuid::now_v7()),
            visits::household_id.eq(beta.h1),
            visits::micro_grid_id.eq(beta.m1),
            visits::leader_id.eq(beta.leader1.id),
            visits::visited_at.eq(local(2026, 3, 10, 9, 0)),
            visits::method.eq("phone"),
            visits::summary.eq("电话回访"),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    roll_up(&mut conn, beta.id).await;
    let t = &d.t;
    let ranges = [
        (FROM, TO),
        ("2026-03-04", "2026-03-04"),
        ("2026-01-01", "2026-03-31"),
    ];
    for sc in [Sc::All, Sc::Grid(t.g1), Sc::Grid(t.g2), Sc::Micro(t.m2)] {
        for (from, to) in ranges {
            let got = app
                .get(
                    &format!(
                        "/api/v1/stats/summary?{}{}",
                        range_query(from, to),
                        sc.query()
                    ),
                    &t.supervisor.token,
                )
                .await
                .expect(200);
            assert_eq!(
                got,
                d.summary(sc, date(from), date(to)),
                "{sc:?} {from}..{to}"
            );
        }
    }
    // And the figures a person reads off the list above, written out once.
    let all = app
        .get(
            &format!("/api/v1/stats/summary?{}", range_query(FROM, TO)),
            &t.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(all["visits"], 8);
    assert_eq!(all["households_visited"], 4);
    assert_eq!(all["grids"], json!({"village": 1, "enterprise": 1}));
    assert_eq!(all["micro_grids"], json!({"village": 2, "enterprise": 1}));
    assert_eq!(all["leaders"], 2);
    assert_eq!(all["groups"], 2);
    assert_eq!(all["households_in_group"], 2);
    assert_eq!(all["households_acquainted"], 1);
    assert_eq!(all["issues"]["raised"], 4);
    assert_eq!(all["issues"]["resolved"], 3);
    assert_eq!(all["issues"]["open"], 2);
    assert_eq!(all["issues"]["satisfaction_rate"], 0.5);
    // No issue was routed to a department: no time limit, so no on-time rate.
    assert_eq!(all["issues"]["on_time_rate"], Value::Null);
    assert!(all["issues"]["median_working_days"].is_number());
    // Nothing resolved with feedback in the range: no rate, not zero.
    let quiet = app
        .get(
            "/api/v1/stats/summary?from=2026-03-04&to=2026-03-09",
            &t.supervisor.token,
        )
        .await
        .expect(200);
    assert_eq!(quiet["issues"]["satisfaction_rate"], Value::Null);
}

#[tokio::test]
async fn range_edges_follow_the_local_calendar() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let token = &d.t.supervisor.token;
    let visits = |from: &'static str, to: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/stats/summary?from={from}&to={to}"), token)
                .await
                .expect(200)["visits"]
                .as_i64()
                .unwrap()
        }
    };
    // 03-03 23:59 belongs to the 3rd, 03-04 00:01 to the 4th (local time, UTC+8).
    assert_eq!(visits("2026-03-03", "2026-03-03").await, 1);
    assert_eq!(visits("2026-03-04", "2026-03-04").await, 1);
    // 03-17 23:59 is in a range ending on the 17th; 03-18 00:01 is not.
    assert_eq!(visits("2026-03-17", "2026-03-17").await, 1);
    assert_eq!(visits("2026-03-18", "2026-03-18").await, 1);
    assert_eq!(visits(FROM, TO).await, 8);
    assert_eq!(visits("2026-03-03", "2026-03-18").await, 10);
}

#[tokio::test]
async fn breakdowns_match_the_hand_count() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let t = &d.t;
    for by in ["grid", "micro_grid", "leader", "week"] {
        for sc in [Sc::All, Sc::Grid(t.g1), Sc::Micro(t.m3)] {
            for (from, to) in [(FROM, TO), ("2026-02-01", "2026-03-31")] {
                let got = app
                    .get(
                        &format!(
                            "/api/v1/stats/breakdown?by={by}&{}{}",
                            range_query(from, to),
                            sc.query()
                        ),
                        &t.supervisor.token,
                    )
                    .await
                    .expect(200);
                assert_eq!(got["by"], by);
                assert_eq!(
                    got["rows"],
                    d.rows(by, sc, date(from), date(to)),
                    "by={by} {sc:?} {from}..{to}"
                );
            }
        }
    }
}

#[tokio::test]
async fn weeks_split_at_monday_midnight_local_time() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let body = app
        .get(
            &format!("/api/v1/stats/breakdown?by=week&{}", range_query(FROM, TO)),
            &d.t.admin.token,
        )
        .await
        .expect(200);
    let weeks: Vec<(&str, &str, i64)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                r["name"].as_str().unwrap(),
                r["visits"].as_i64().unwrap(),
            )
        })
        .collect();
    // Week 10: the 4th, the 5th (in m2) and Sunday 8th 23:59; week 11: Monday 9th 00:01 and
    // three in the industrial park; week 12: the 17th at 23:59.
    assert_eq!(
        weeks,
        vec![
            ("2026-W10", "2026-03-04/2026-03-08", 3),
            ("2026-W11", "2026-03-09/2026-03-15", 4),
            ("2026-W12", "2026-03-16/2026-03-17", 1),
        ]
    );
    assert!(body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["households"] == 4));
}

#[tokio::test]
async fn rows_without_work_are_listed_and_ordered_by_name() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let body = app
        .get(
            "/api/v1/stats/breakdown?by=micro_grid&from=2025-01-01&to=2025-01-31",
            &d.t.supervisor.token,
        )
        .await
        .expect(200);
    let names: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names.len(), 3);
    assert_eq!(names, sorted);
    assert!(body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["visits"] == 0 && r["coverage"] == 0.0));
}

#[tokio::test]
async fn scope_and_roles_are_enforced() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let t = &d.t;
    let beta = Township::create(&app, "beta").await;
    let operator = platform_admin(&app).await;
    for path in [
        "/api/v1/stats/summary",
        "/api/v1/stats/breakdown?by=grid",
        "/api/v1/stats/export?by=grid&format=csv",
    ] {
        app.get(path, &t.leader1.token)
            .await
            .expect_error(403, "forbidden");
        app.get(path, &operator.token)
            .await
            .expect_error(403, "forbidden");
        let sep = if path.contains('?') { '&' } else { '?' };
        // The grid supervisor is held to grid g1.
        app.get(
            &format!("{path}{sep}grid_id={}", t.g2),
            &t.grid_supervisor.token,
        )
        .await
        .expect_error(404, "not_found");
        app.get(
            &format!("{path}{sep}micro_grid_id={}", t.m3),
            &t.grid_supervisor.token,
        )
        .await
        .expect_error(404, "not_found");
        // Another township's ids do not exist here.
        app.get(
            &format!("{path}{sep}grid_id={}", beta.g1),
            &t.supervisor.token,
        )
        .await
        .expect_error(404, "not_found");
        app.get(
            &format!("{path}{sep}micro_grid_id={}", beta.m1),
            &t.admin.token,
        )
        .await
        .expect_error(404, "not_found");
        // A micro-grid outside the grid named with it.
        app.get(
            &format!("{path}{sep}grid_id={}&micro_grid_id={}", t.g1, t.m3),
            &t.supervisor.token,
        )
        .await
        .expect_error(404, "not_found");
        app.get(
            &format!("{path}{sep}from=2026-03-05&to=2026-03-04"),
            &t.supervisor.token,
        )
        .await
        .expect_error(422, "validation_failed");
        app.get(&format!("{path}{sep}from=2026-02-30"), &t.supervisor.token)
            .await
            .expect_error(400, "bad_request");
        app.get(&format!("{path}{sep}to=yesterday"), &t.supervisor.token)
            .await
            .expect_error(400, "bad_request");
        app.get(&format!("{path}{sep}bogus=1"), &t.supervisor.token)
            .await
            .expect_error(400, "bad_request");
    }
    // Without a grid asked for, the grid supervisor gets their grid: the same figures as
    // the township supervisor asking for g1.
    let own = app
        .get(
            &format!("/api/v1/stats/summary?{}", range_query(FROM, TO)),
            &t.grid_supervisor.token,
        )
        .await
        .expect(200);
    assert_eq!(own, d.summary(Sc::Grid(t.g1), date(FROM), date(TO)));
    let micro = app
        .get(
            &format!(
                "/api/v1/stats/breakdown?by=leader&{}&micro_grid_id={}",
                range_query(FROM, TO),
                t.m1
            ),
            &t.grid_supervisor.token,
        )
        .await
        .expect(200);
    assert_eq!(
        micro["rows"],
        d.rows("leader", Sc::Micro(t.m1), date(FROM), date(TO))
    );
    app.get("/api/v1/stats/breakdown?by=street", &t.supervisor.token)
        .await
        .expect_error(400, "bad_request");
    app.get("/api/v1/stats/breakdown", &t.supervisor.token)
        .await
        .expect_error(400, "bad_request");
    app.get(
        "/api/v1/stats/export?by=grid&format=pdf",
        &t.supervisor.token,
    )
    .await
    .expect_error(400, "bad_request");
    app.get("/api/v1/stats/export?by=grid&lang=fr", &t.supervisor.token)
        .await
        .expect_error(400, "bad_request");
    let unauthenticated = app
        .send(reqwest::Method::GET, "/api/v1/stats/summary", None, None)
        .await;
    unauthenticated.expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn the_default_range_is_the_last_30_days_ending_today() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let body = app
        .get("/api/v1/stats/summary", &d.t.supervisor.token)
        .await
        .expect(200);
    let today = Utc::now().with_timezone(&TZ).date_naive();
    let to = date(body["to"].as_str().unwrap());
    // The request may straddle midnight.
    assert!(
        to == today || to == today - Duration::days(1),
        "{to} vs {today}"
    );
    assert_eq!(
        date(body["from"].as_str().unwrap()),
        to - Duration::days(29)
    );
    let only_from = app
        .get(
            "/api/v1/stats/summary?from=2026-03-04",
            &d.t.supervisor.token,
        )
        .await
        .expect(200);
    assert_eq!(only_from["from"], "2026-03-04");
}

/// Splits CSV text into records the way RFC 4180 reads them (quotes, doubled quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

fn expected_cells(rows: &Value) -> Vec<Vec<String>> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            vec![
                r["key"].as_str().unwrap().to_owned(),
                r["name"].as_str().unwrap().to_owned(),
                r["households"].to_string(),
                r["visits"].to_string(),
                r["households_visited"].to_string(),
                format!("{:.4}", r["coverage"].as_f64().unwrap()),
                r["issues_raised"].to_string(),
                r["issues_resolved"].to_string(),
                r["on_time_rate"]
                    .as_f64()
                    .map(|rate| format!("{rate:.4}"))
                    .unwrap_or_default(),
                r["median_working_days"]
                    .as_f64()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

#[tokio::test]
async fn csv_export_is_excel_ready_and_audited() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let t = &d.t;
    let resp = app
        .get(
            &format!(
                "/api/v1/stats/export?format=csv&by=micro_grid&{}",
                range_query(FROM, TO)
            ),
            &t.supervisor.token,
        )
        .await;
    assert_eq!(resp.status, 200);
    assert!(resp.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = resp.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename=\"alpha-stats-by-micro_grid-2026-03-04-to-2026-03-17.csv\""),
        "{disposition}"
    );
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    assert!(resp.bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let text = String::from_utf8(resp.bytes[3..].to_vec()).unwrap();
    assert!(
        text.starts_with(
            "微网格编号,微网格,户数,走访人次,走访户数,覆盖率,诉求数,已解决,按时办结率,\
             办结用时中位数（工作日）\r\n"
        ),
        "{text}"
    );
    // The comma in m1's name is inside quotes, so the row still has eight fields.
    assert!(text.contains(&format!("{},\"{M1_NAME}\",", t.m1)), "{text}");
    let records = parse_csv(&text);
    let expected = d.rows("micro_grid", Sc::All, date(FROM), date(TO));
    assert_eq!(records[1..].to_vec(), expected_cells(&expected));
    assert!(records.iter().all(|r| r.len() == 10));
    // No phone or ID number travels in an export.
    for (phone, id_number) in crate::fixtures::CONTACTS {
        assert!(!text.contains(phone) && !text.contains(id_number), "{text}");
    }

    let en = app
        .get(
            &format!(
                "/api/v1/stats/export?by=week&lang=en&{}&grid_id={}",
                range_query(FROM, TO),
                t.g1
            ),
            &t.supervisor.token,
        )
        .await;
    assert_eq!(en.status, 200);
    let text = String::from_utf8(en.bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with(
        "key,name,households,visits,households_visited,coverage,issues_raised,issues_resolved,\
         on_time_rate,median_working_days\r\n"
    ));
    assert_eq!(
        parse_csv(&text)[1..].to_vec(),
        expected_cells(&d.rows("week", Sc::Grid(t.g1), date(FROM), date(TO)))
    );

    // Both exports are in the audit log, with what was exported.
    let log = app
        .get("/api/v1/audit?action=stats.export", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(log["total"], 2);
    let newest = &log["items"][0];
    assert_eq!(newest["actor_id"], t.supervisor.id.to_string());
    assert_eq!(newest["entity"], "stats");
    assert_eq!(newest["entity_id"], t.g1.to_string());
    assert_eq!(newest["detail"]["by"], "week");
    assert_eq!(newest["detail"]["format"], "csv");
    assert_eq!(newest["detail"]["from"], FROM);
    assert_eq!(newest["detail"]["to"], TO);
    assert_eq!(newest["detail"]["scope"]["grid_id"], t.g1.to_string());
    assert_eq!(log["items"][1]["detail"]["by"], "micro_grid");
    assert!(log["items"][1]["at"].is_string());
    // A refused export leaves nothing behind.
    app.get("/api/v1/stats/export?by=grid", &t.leader1.token)
        .await
        .expect_error(403, "forbidden");
    let after = app
        .get("/api/v1/audit?action=stats.export", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(after["total"], 2);
}

fn cell(range: &calamine::Range<Data>, row: usize, col: usize) -> Data {
    range.get((row, col)).cloned().unwrap_or(Data::Empty)
}

#[tokio::test]
async fn xlsx_export_reads_back_with_numbers_and_a_chart() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let t = &d.t;
    let resp = app
        .get(
            &format!(
                "/api/v1/stats/export?format=xlsx&by=grid&{}",
                range_query(FROM, TO)
            ),
            &t.admin.token,
        )
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(resp.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("alpha-stats-by-grid-2026-03-04-to-2026-03-17.xlsx"));
    // The chart is a native Excel chart part of the package.
    let bytes = resp.bytes;
    assert!(bytes.windows(20).any(|w| w == b"xl/charts/chart1.xml"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["统计".to_owned(), "图表".to_owned()]
    );
    let sheet = book.worksheet_range("统计").unwrap();
    let headers: Vec<Data> = (0..8).map(|c| cell(&sheet, 0, c)).collect();
    assert_eq!(
        headers,
        [
            "网格编号",
            "网格",
            "户数",
            "走访人次",
            "走访户数",
            "覆盖率",
            "诉求数",
            "已解决"
        ]
        .map(|h| Data::String(h.into()))
        .to_vec()
    );
    let expected = d.rows("grid", Sc::All, date(FROM), date(TO));
    let expected = expected.as_array().unwrap();
    assert_eq!(sheet.height(), expected.len() + 1);
    for (i, row) in expected.iter().enumerate() {
        let r = i + 1;
        assert_eq!(
            cell(&sheet, r, 0),
            Data::String(row["key"].as_str().unwrap().into())
        );
        assert_eq!(
            cell(&sheet, r, 1),
            Data::String(row["name"].as_str().unwrap().into())
        );
        for (c, field) in [
            (2, "households"),
            (3, "visits"),
            (4, "households_visited"),
            (5, "coverage"),
            (6, "issues_raised"),
            (7, "issues_resolved"),
        ] {
            assert_eq!(
                cell(&sheet, r, c),
                Data::Float(row[field].as_f64().unwrap()),
                "row {r} {field}"
            );
        }
    }
    // English sheet names and headers with lang=en.
    let en = app
        .get(
            &format!(
                "/api/v1/stats/export?format=xlsx&by=leader&lang=en&{}",
                range_query(FROM, TO)
            ),
            &t.admin.token,
        )
        .await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(en.bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["stats".to_owned(), "chart".to_owned()]
    );
    let sheet = book.worksheet_range("stats").unwrap();
    assert_eq!(
        cell(&sheet, 0, 4),
        Data::String("households_visited".into())
    );
    let log = app
        .get("/api/v1/audit?action=stats.export", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(log["total"], 2);
    assert_eq!(log["items"][1]["detail"]["format"], "xlsx");
}

#[tokio::test]
async fn the_openapi_document_describes_statistics_and_audit() {
    let app = TestApp::spawn().await;
    let doc = app
        .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    for path in [
        "/api/v1/stats/summary",
        "/api/v1/stats/breakdown",
        "/api/v1/stats/export",
        "/api/v1/audit",
    ] {
        let op = &doc["paths"][path]["get"];
        assert!(op.is_object(), "{path} missing");
        for status in ["200", "401", "403"] {
            assert!(op["responses"][status].is_object(), "{path} {status}");
        }
    }
    assert!(doc["components"]["schemas"]["Summary"].is_object());
    assert!(doc["components"]["schemas"]["Row"].is_object());
}

#[tokio::test]
async fn days_and_weeks_are_the_townships_own() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let mut conn = app.db().await;
    // UTC+5:45: its midnight is 02:15 in Shanghai, so a Shanghai reading would differ.
    diesel::update(lianxin::db::schema::tenants::table)
        .filter(lianxin::db::schema::tenants::id.eq(t.id))
        .set(lianxin::db::schema::tenants::timezone.eq("Asia/Kathmandu"))
        .execute(&mut conn)
        .await
        .unwrap();
    let kathmandu: Tz = chrono_tz::Asia::Kathmandu;
    // Sunday 2026-03-08 23:59 there: the 8th, ISO week 10.
    let late_sunday = kathmandu
        .with_ymd_and_hms(2026, 3, 8, 23, 59, 0)
        .unwrap()
        .with_timezone(&Utc);
    diesel::insert_into(visits::table)
        .values((
            visits::tenant_id.eq(t.id),
            visits::id.eq(Uuid::now_v7()),
            visits::household_id.eq(t.h1),
            visits::micro_grid_id.eq(t.m1),
            visits::leader_id.eq(t.leader1.id),
            visits::visited_at.eq(late_sunday),
            visits::method.eq("door"),
            visits::summary.eq("入户"),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    roll_up(&mut conn, t.id).await;
    let token = &t.supervisor.token;
    let on = |day: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/stats/summary?from={day}&to={day}"), token)
                .await
                .expect(200)["visits"]
                .clone()
        }
    };
    assert_eq!(on("2026-03-08").await, 1);
    assert_eq!(on("2026-03-09").await, 0);
    let weeks = app
        .get(
            "/api/v1/stats/breakdown?by=week&from=2026-03-02&to=2026-03-15",
            token,
        )
        .await
        .expect(200);
    assert_eq!(weeks["rows"][0]["key"], "2026-W10");
    assert_eq!(weeks["rows"][0]["visits"], 1);
    assert_eq!(weeks["rows"][1]["visits"], 0);
    // Ten years at most in one request.
    app.get("/api/v1/stats/summary?from=2010-01-01&to=2026-01-01", token)
        .await
        .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn the_chart_draws_every_row_of_the_breakdown_as_well_formed_svg() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let t = &d.t;
    let query = format!("by=micro_grid&{}", range_query(FROM, TO));
    let resp = app
        .get(&format!("/api/v1/stats/chart?{query}"), &t.supervisor.token)
        .await;
    assert_eq!(resp.status, 200);
    assert!(resp.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("image/svg+xml"));
    let svg = String::from_utf8(resp.bytes.clone()).unwrap();
    // Well-formed XML whatever the names hold.
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(&svg);
    let (mut texts, mut text) = (Vec::new(), String::new());
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Text(part)) => text.push_str(&part.xml10_content()),
            Ok(Event::GeneralRef(entity)) => text.push(match &*entity.xml10_content() {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                other => panic!("unexpected entity {other}"),
            }),
            Ok(_) => {
                if !text.is_empty() {
                    texts.push(std::mem::take(&mut text));
                }
            }
            Err(e) => panic!(
                "not well-formed at {}: {e}\n{svg}",
                reader.buffer_position()
            ),
        }
    }
    // A bar per row of the breakdown, labelled with its name and figures.
    let breakdown = app
        .get(
            &format!("/api/v1/stats/breakdown?{query}"),
            &t.supervisor.token,
        )
        .await
        .expect(200);
    for row in breakdown["rows"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        assert!(texts.iter().any(|t| t == name), "{name} missing:\n{svg}");
        let figures = format!(
            "{} · {:.1}%",
            row["visits"],
            row["coverage"].as_f64().unwrap() * 100.0
        );
        assert!(svg.contains(&figures), "{figures} missing:\n{svg}");
    }
    assert!(
        texts.iter().any(|t| t.contains("按微网格统计")),
        "title:\n{svg}"
    );

    // As the other statistics: leaders 403, another grid for a grid supervisor 404.
    app.get(&format!("/api/v1/stats/chart?{query}"), &t.leader1.token)
        .await
        .expect_error(403, "forbidden");
    app.get(
        &format!("/api/v1/stats/chart?{query}&grid_id={}", t.g2),
        &t.grid_supervisor.token,
    )
    .await
    .expect_error(404, "not_found");
    app.get("/api/v1/stats/chart?by=month", &t.supervisor.token)
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn the_lowest_coverage_rows_come_first_and_limit_cuts_them() {
    let app = TestApp::spawn().await;
    let d = dataset(&app).await;
    let t = &d.t;
    // A micro-grid nobody has visited yet: last by name, first by coverage.
    let fresh = app
        .post(
            &format!("/api/v1/grids/{}/micro-grids", t.g1),
            &t.admin.token,
            json!({"name": "新埭村第3微网格"}),
        )
        .await
        .expect(201);
    app.post(
        "/api/v1/households",
        &t.admin.token,
        json!({"micro_grid_id": fresh["id"], "kind": "village", "name": "陈阿婆", "address": "新埭村5组8号"}),
    )
    .await
    .expect(201);
    let path = |extra: &str| {
        format!(
            "/api/v1/stats/breakdown?by=micro_grid&{}{extra}",
            range_query(FROM, TO)
        )
    };
    let rows = |body: Value| body["rows"].as_array().unwrap().clone();
    let coverages = |rows: &[Value]| -> Vec<f64> {
        rows.iter()
            .map(|r| r["coverage"].as_f64().unwrap())
            .collect()
    };
    // The default order (by name, checked against the hand count elsewhere), re-sorted here:
    // stable, so equal coverage keeps name order.
    let by_name = rows(app.get(&path(""), &t.supervisor.token).await.expect(200));
    let mut lowest = by_name.clone();
    lowest.sort_by(|a, b| {
        let (a, b) = (
            a["coverage"].as_f64().unwrap(),
            b["coverage"].as_f64().unwrap(),
        );
        a.total_cmp(&b)
    });
    assert_eq!(by_name.last().unwrap()["name"], "新埭村第3微网格");
    assert_eq!(lowest[0]["name"], "新埭村第3微网格");
    assert_eq!(lowest[0]["coverage"], 0.0);

    let got = app
        .get(&path("&sort=coverage&limit=2"), &t.supervisor.token)
        .await
        .expect(200);
    assert_eq!(rows(got), lowest[..2]);
    let got = app
        .get(&path("&sort=-coverage"), &t.supervisor.token)
        .await
        .expect(200);
    let mut highest = coverages(&lowest);
    highest.reverse();
    assert_eq!(coverages(&rows(got)), highest);
    // A limit alone takes the first rows by name.
    let got = app
        .get(&path("&sort=name&limit=1"), &t.supervisor.token)
        .await
        .expect(200);
    assert_eq!(rows(got), by_name[..1]);
    // The scope still holds: a grid supervisor's lowest are their grid's.
    let got = app
        .get(&path("&sort=coverage&limit=10"), &t.grid_supervisor.token)
        .await
        .expect(200);
    let in_g1: Vec<Value> = lowest
        .iter()
        .filter(|r| r["name"].as_str().unwrap().starts_with("新埭村"))
        .cloned()
        .collect();
    assert_eq!(rows(got), in_g1);
    for (extra, status, code) in [
        ("&limit=0", 422, "validation_failed"),
        ("&limit=10001", 422, "validation_failed"),
        ("&limit=ten", 400, "bad_request"),
        ("&sort=visits", 400, "bad_request"),
    ] {
        app.get(&path(extra), &t.supervisor.token)
            .await
            .expect_error(status, code);
    }
}
