//! The township and its history as rows, table by table in foreign-key order.

use super::copy::{Closed, CopyWriter};
use super::history::History;
use super::township::{Ids, Township, User};
use super::Area;

pub struct Emitted {
    pub households: usize,
    pub visits: usize,
    pub issues: usize,
    pub rows: u64,
}

pub fn emit(
    out: &mut CopyWriter,
    town: &Township,
    history: &History,
    password_hash: &str,
    ids: &mut Ids,
) -> Result<Emitted, Closed> {
    let set_up = town.set_up_ms;
    let tenant = town.tenant_id;
    let micro_grid_count = town.micro_grids.len() as u64;
    let rows = 1
        + town.grids.len() as u64
        + 2
        + town.leaders.len() as u64
        + 2 * micro_grid_count
        + town.households.len() as u64
        + history.visits.len() as u64
        + history.issues.len() as u64
        + history.event_count() as u64;
    out.total(rows)?;

    out.table(
        "tenants",
        "id, code, name, timezone, visit_interval_days, created_at",
    )?;
    out.uuid(tenant)
        .text(super::TENANT_CODE)
        .text(super::TENANT_NAME)
        .text("Asia/Shanghai")
        .int(7)
        .time(set_up);
    out.end_row()?;

    out.table("grids", "tenant_id, id, name, kind, created_at")?;
    for grid in &town.grids {
        let kind = if grid.area == Area::Park {
            "enterprise"
        } else {
            "village"
        };
        out.uuid(tenant)
            .uuid(grid.id)
            .text(&grid.name)
            .text(kind)
            .time(set_up);
        out.end_row()?;
    }

    out.table(
        "users",
        "tenant_id, id, username, display_name, role, phone, password_hash, created_at, updated_at",
    )?;
    let staff: Vec<&User> = [&town.admin, &town.supervisor]
        .into_iter()
        .chain(&town.leaders)
        .collect();
    for user in staff {
        out.uuid(tenant)
            .uuid(user.id)
            .text(&user.username)
            .text(&user.display_name)
            .text(user.role)
            .opt_text(user.phone.as_deref())
            .text(password_hash)
            .time(set_up)
            .time(set_up);
        out.end_row()?;
    }

    out.table(
        "micro_grids",
        "tenant_id, id, grid_id, name, group_name, leader_id, created_at",
    )?;
    for micro_grid in &town.micro_grids {
        out.uuid(tenant)
            .uuid(micro_grid.id)
            .uuid(town.grids[micro_grid.grid].id)
            .text(&micro_grid.name)
            .opt_text(micro_grid.group_name.as_deref())
            .uuid(town.leaders[micro_grid.leader].id)
            .time(set_up);
        out.end_row()?;
    }

    out.table(
        "leader_assignments",
        "tenant_id, id, micro_grid_id, user_id, from_at, assigned_by",
    )?;
    for micro_grid in &town.micro_grids {
        out.uuid(tenant)
            .uuid(ids.at(set_up))
            .uuid(micro_grid.id)
            .uuid(town.leaders[micro_grid.leader].id)
            .time(set_up)
            .uuid(town.admin.id);
        out.end_row()?;
    }

    out.table(
        "households",
        "tenant_id, id, micro_grid_id, kind, name, address, phone, id_number, members, tags, \
         note, acquainted_at, in_group, last_visited_at, created_at, updated_at",
    )?;
    for (household, state) in town.households.iter().zip(&history.households) {
        out.uuid(tenant)
            .uuid(household.id)
            .uuid(town.micro_grids[household.micro_grid].id)
            .text(household.kind.as_str())
            .text(&household.name)
            .text(&household.address)
            .opt_text(household.phone.as_deref())
            .opt_text(household.id_number.as_deref())
            .opt_int(household.members.map(i64::from))
            .words(&household.tags)
            .opt_text(household.note)
            .opt_time(state.acquainted_ms)
            .bool(state.in_group)
            .opt_time(state.last_visited_ms)
            .time(state.added_ms.unwrap_or(set_up))
            .time(state.last_visited_ms.or(state.added_ms).unwrap_or(set_up));
        out.end_row()?;
    }

    out.table(
        "visits",
        "tenant_id, id, household_id, micro_grid_id, leader_id, visited_at, method, summary, \
         acquainted, joined_group, created_at",
    )?;
    let mut summary = String::new();
    for visit in &history.visits {
        let household = &town.households[visit.household as usize];
        summary.clear();
        summary.push_str(visit.summary);
        if visit.joined_group {
            summary.push_str(super::texts::JOINED);
        }
        out.uuid(tenant)
            .uuid(visit.id)
            .uuid(household.id)
            .uuid(town.micro_grids[household.micro_grid].id)
            .uuid(town.leaders[visit.leader as usize].id)
            .time(visit.at_ms)
            .text(visit.method.as_str())
            .text(&summary)
            .bool(visit.acquainted)
            .bool(visit.joined_group)
            .time(visit.at_ms);
        out.end_row()?;
    }

    out.table(
        "issues",
        "tenant_id, id, household_id, micro_grid_id, visit_id, category, description, status, \
         raised_by, raised_at, resolved_at, resolution, satisfied, feedback_comment, feedback_at",
    )?;
    for issue in &history.issues {
        let household = &town.households[issue.household as usize];
        out.uuid(tenant)
            .uuid(issue.id)
            .uuid(household.id)
            .uuid(town.micro_grids[household.micro_grid].id)
            .uuid(issue.visit)
            .text(issue.category.as_str())
            .text(issue.request.description)
            .text(issue.status.as_str())
            .uuid(issue.raised_by)
            .time(issue.raised_ms)
            .opt_time(issue.resolved_ms)
            .opt_text(issue.resolved_ms.map(|_| issue.request.resolution))
            .opt_bool(issue.satisfied)
            .opt_text(issue.feedback_comment)
            .opt_time(issue.feedback_ms);
        out.end_row()?;
    }

    out.table(
        "issue_events",
        "tenant_id, id, issue_id, action, from_status, to_status, actor_id, at, note",
    )?;
    for issue in &history.issues {
        for event in &issue.events {
            out.uuid(tenant)
                .uuid(event.id)
                .uuid(issue.id)
                .text(event.action)
                .opt_text(event.from.map(|s| s.as_str()))
                .text(event.to.as_str())
                .uuid(event.actor)
                .time(event.at_ms)
                .opt_text(event.note);
            out.end_row()?;
        }
    }
    out.flush()?;
    Ok(Emitted {
        households: town.households.len(),
        visits: history.visits.len(),
        issues: history.issues.len(),
        rows,
    })
}
