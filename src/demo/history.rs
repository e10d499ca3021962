//! N weeks of field work (走亲) on the demo township: who visited whom, when and how, and
//! what residents asked for, followed to resolution (融亲).
//!
//! Visits are kept compact in memory (a million of them fit in some tens of megabytes) so
//! that each household's final state is known before its row is written: the rows can then
//! go to PostgreSQL by COPY in foreign-key order with no update afterwards.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::RngExt;
use uuid::Uuid;

use super::texts::{self, Request};
use super::township::{weighted, Ids, Township};
use super::variation;
use crate::domain::{HouseholdKind, IssueCategory, IssueStatus, VisitMethod};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

pub struct Visit {
    pub id: Uuid,
    pub at_ms: i64,
    pub household: u32,
    pub leader: u16,
    pub method: VisitMethod,
    pub summary: &'static str,
    pub acquainted: bool,
    pub joined_group: bool,
}

/// What the visits left on a household (its row's `acquainted_at`, `in_group`,
/// `last_visited_at`), and when it came onto the roster (`created_at`) if lately.
#[derive(Clone, Copy, Default)]
pub struct HouseholdState {
    pub added_ms: Option<i64>,
    pub acquainted_ms: Option<i64>,
    pub in_group: bool,
    pub last_visited_ms: Option<i64>,
}

pub struct Event {
    pub id: Uuid,
    pub action: &'static str,
    pub from: Option<IssueStatus>,
    pub to: IssueStatus,
    pub actor: Uuid,
    pub at_ms: i64,
    pub note: Option<&'static str>,
}

pub struct Issue {
    pub id: Uuid,
    pub household: u32,
    pub visit: Uuid,
    pub raised_by: Uuid,
    pub raised_ms: i64,
    pub category: IssueCategory,
    pub request: &'static Request,
    pub status: IssueStatus,
    pub resolved_ms: Option<i64>,
    pub satisfied: Option<bool>,
    pub feedback_comment: Option<&'static str>,
    pub feedback_ms: Option<i64>,
    pub events: Vec<Event>,
}

pub struct History {
    pub visits: Vec<Visit>,
    pub households: Vec<HouseholdState>,
    pub issues: Vec<Issue>,
}

impl History {
    pub fn event_count(&self) -> usize {
        self.issues.iter().map(|i| i.events.len()).sum()
    }
}

/// `weeks` weeks of visits ending at `end_ms` (a local midnight).
pub fn simulate(
    town: &Township,
    weeks: u32,
    end_ms: i64,
    rng: &mut StdRng,
    ids: &mut Ids,
) -> History {
    let start_ms = end_ms - i64::from(weeks) * WEEK;
    let count = town.households.len();
    let mut state = vec![HouseholdState::default(); count];
    let plan = variation::plan(town, weeks, start_ms, rng);
    for (household, added) in state.iter_mut().zip(&plan.added_ms) {
        household.added_ms = *added;
    }
    // Some families join the micro-grid's group in the weeks after 认亲.
    let join_week: Vec<u32> = town
        .households
        .iter()
        .zip(&plan.acquaint_week)
        .map(|(household, &week)| {
            let has_group = town.micro_grids[household.micro_grid].group_name.is_some();
            if has_group && week != u32::MAX && rng.random_bool(0.8) {
                week + rng.random_range(0..3)
            } else {
                u32::MAX
            }
        })
        .collect();
    // Most leaders are diligent; lax ones miss more households and skip more weeks.
    let habits: Vec<(f64, f64)> = plan
        .lax
        .iter()
        .map(|&lax| {
            if lax {
                (rng.random_range(0.5..0.85), 0.12)
            } else {
                (rng.random_range(0.88..0.99), 0.03)
            }
        })
        .collect();
    let acquaint_week = &plan.acquaint_week;

    let mut visits = Vec::with_capacity(count * weeks as usize);
    let mut issues = Vec::new();
    for week in 0..weeks {
        let week_ms = start_ms + i64::from(week) * WEEK;
        for (leader, micro_grids) in town.leader_micro_grids.iter().enumerate() {
            let (mut diligence, mut absence) = habits[leader];
            if plan.slump[leader].contains(&week) {
                // Behind: out one week in three, and then hurried.
                (diligence, absence) = (diligence * 0.5, 0.7);
            }
            if rng.random_bool(absence) {
                continue;
            }
            for &m in micro_grids {
                // One round of the micro-grid a week, door to door from a morning or
                // afternoon start, moving on to the next day in the evening.
                let mut day = rng.random_range(0..7i64);
                let mut minute = rng.random_range(8 * 60 + 30..15 * 60i64);
                for h in town.micro_grids[m].households.clone() {
                    if week < acquaint_week[h] {
                        continue;
                    }
                    let first = state[h].acquainted_ms.is_none();
                    let found = if first {
                        0.95
                    } else {
                        diligence * plan.reach[h]
                    };
                    if !rng.random_bool(found) {
                        continue;
                    }
                    minute += rng.random_range(5..16);
                    if minute >= 20 * 60 {
                        day += 1;
                        minute = rng.random_range(8 * 60 + 30..9 * 60 + 30);
                    }
                    if day >= 7 {
                        break;
                    }
                    // On a public holiday most leaders stay home and most families are away.
                    let today = (i64::from(week) * 7 + day) as usize;
                    if plan.holiday[today] && rng.random_bool(0.85) {
                        continue;
                    }
                    let at_ms = week_ms + day * DAY + minute * MINUTE + rng.random_range(0..60_000);
                    let joined_group = !state[h].in_group && join_week[h] <= week;
                    let method = if first {
                        VisitMethod::Door
                    } else {
                        match weighted(rng, &[80, 12, 7, 1]) {
                            0 => VisitMethod::Door,
                            1 => VisitMethod::Phone,
                            2 if state[h].in_group => VisitMethod::Group,
                            2 => VisitMethod::Phone,
                            _ => VisitMethod::Other,
                        }
                    };
                    let kind = town.households[h].kind;
                    let summaries = match (first, method) {
                        (true, _) => texts::ACQUAINTANCE,
                        (_, VisitMethod::Door) if kind == HouseholdKind::Enterprise => {
                            texts::DOOR_ENTERPRISE
                        }
                        (_, VisitMethod::Door) => texts::DOOR_FAMILY,
                        (_, VisitMethod::Phone) => texts::PHONE,
                        (_, VisitMethod::Group) => texts::GROUP,
                        (_, VisitMethod::Other) => texts::OTHER,
                    };
                    let visit = Visit {
                        id: ids.at(at_ms),
                        at_ms,
                        household: h as u32,
                        leader: leader as u16,
                        method,
                        summary: summaries.choose(rng).expect("summaries"),
                        acquainted: first,
                        joined_group,
                    };
                    let household = &mut state[h];
                    if first {
                        household.acquainted_ms = Some(at_ms);
                    }
                    household.in_group |= joined_group;
                    household.last_visited_ms =
                        Some(household.last_visited_ms.map_or(at_ms, |t| t.max(at_ms)));
                    // A few percent of visits bring a request; the first visit more often.
                    let chance = match (first, method) {
                        (true, _) => 0.025,
                        (_, VisitMethod::Door) => 0.013,
                        _ => 0.005,
                    };
                    if rng.random_bool(chance) {
                        let raised_by = town.leaders[leader].id;
                        let resolver = town.supervisor.id;
                        issues.push(follow_up(rng, ids, &visit, raised_by, resolver, end_ms));
                    }
                    visits.push(visit);
                }
            }
        }
    }
    History {
        visits,
        households: state,
        issues,
    }
}

/// A request raised on `visit` and what happened to it until `end_ms`: most are resolved
/// within days, some go to the township first, a few are reopened; most resolved ones get
/// the family's word on it.
fn follow_up(
    rng: &mut StdRng,
    ids: &mut Ids,
    visit: &Visit,
    leader: Uuid,
    supervisor: Uuid,
    end_ms: i64,
) -> Issue {
    let category = IssueCategory::ALL[weighted(rng, &[20, 25, 15, 25, 15])];
    let request = texts::requests(category).choose(rng).expect("requests");
    let raised_ms = visit.at_ms;
    let mut events = Vec::new();
    let mut event = |ids: &mut Ids, action, from, to, actor, at_ms, note| {
        events.push(Event {
            id: ids.at(at_ms),
            action,
            from,
            to,
            actor,
            at_ms,
            note,
        });
    };
    event(
        ids,
        "raise",
        None,
        IssueStatus::Open,
        leader,
        raised_ms,
        None,
    );
    let mut status = IssueStatus::Open;
    let mut t = raised_ms;
    if rng.random_bool(0.18) {
        let at = office_hours(rng, t, 2 * HOUR..3 * DAY);
        if at < end_ms {
            let note = texts::ESCALATION_NOTES.choose(rng).copied();
            event(
                ids,
                "escalate",
                Some(status),
                IssueStatus::Escalated,
                leader,
                at,
                note,
            );
            status = IssueStatus::Escalated;
            t = at;
        }
    }
    let mut delay = if status == IssueStatus::Escalated {
        rng.random_range(2 * DAY..20 * DAY)
    } else {
        rng.random_range(4 * HOUR..7 * DAY)
    };
    if rng.random_bool(0.06) {
        delay *= 3;
    }
    // Some wait far too long: nobody takes them up for weeks, and the latest of these are
    // still waiting when the history ends.
    if rng.random_bool(0.05) {
        delay = rng.random_range(3 * WEEK..14 * WEEK);
    }
    let mut resolved_ms = None;
    let at = office_hours(rng, t, delay..delay + 1);
    if at < end_ms {
        let actor = if status == IssueStatus::Escalated {
            supervisor
        } else {
            leader
        };
        event(
            ids,
            "resolve",
            Some(status),
            IssueStatus::Resolved,
            actor,
            at,
            Some(request.resolution),
        );
        status = IssueStatus::Resolved;
        resolved_ms = Some(at);
        if rng.random_bool(0.03) {
            let reopened = office_hours(rng, at, DAY..5 * DAY);
            if reopened < end_ms {
                let note = texts::REOPEN_NOTES.choose(rng).copied();
                event(
                    ids,
                    "reopen",
                    Some(status),
                    IssueStatus::Open,
                    leader,
                    reopened,
                    note,
                );
                status = IssueStatus::Open;
                resolved_ms = None;
                let again = office_hours(rng, reopened, DAY..7 * DAY);
                if again < end_ms {
                    event(
                        ids,
                        "resolve",
                        Some(status),
                        IssueStatus::Resolved,
                        leader,
                        again,
                        Some(request.resolution),
                    );
                    status = IssueStatus::Resolved;
                    resolved_ms = Some(again);
                }
            }
        }
    }
    let (mut satisfied, mut feedback_comment, mut feedback_ms) = (None, None, None);
    if let Some(resolved) = resolved_ms {
        let at = office_hours(rng, resolved, 6 * HOUR..4 * DAY);
        if rng.random_bool(0.88) && at < end_ms {
            let pleased = rng.random_bool(0.96);
            let comments = if pleased {
                texts::SATISFIED_COMMENTS
            } else {
                texts::UNSATISFIED_COMMENTS
            };
            let comment = if rng.random_bool(0.5) {
                comments.choose(rng).copied()
            } else {
                None
            };
            event(ids, "feedback", Some(status), status, leader, at, comment);
            satisfied = Some(pleased);
            feedback_comment = comment;
            feedback_ms = Some(at);
        }
    }
    Issue {
        id: ids.at(raised_ms),
        household: visit.household,
        visit: visit.id,
        raised_by: leader,
        raised_ms,
        category,
        request,
        status,
        resolved_ms,
        satisfied,
        feedback_comment,
        feedback_ms,
        events,
    }
}

/// A time `delay` (a range) after `after`, moved into office hours (8:30–17:30 in the township, UTC+8 all
/// year) if it fell outside them — staff do not resolve issues at three in the night — and
/// never before `after`.
fn office_hours(rng: &mut StdRng, after: i64, delay: std::ops::Range<i64>) -> i64 {
    const OFFSET: i64 = 8 * HOUR;
    let at_ms = after + rng.random_range(delay);
    let local = at_ms + OFFSET;
    let time_of_day = local.rem_euclid(DAY);
    if (8 * HOUR + 30 * MINUTE..17 * HOUR + 30 * MINUTE).contains(&time_of_day) {
        return at_ms;
    }
    let moved =
        local - time_of_day + 8 * HOUR + 30 * MINUTE + rng.random_range(0..9 * HOUR) - OFFSET;
    if moved > after {
        moved
    } else {
        moved + DAY
    }
}
