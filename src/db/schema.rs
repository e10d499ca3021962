// The tables of `migrations/`, for diesel's query builder. Kept by hand; keep in step with
// the migrations (the test suite runs every query against the migrated schema).

pub mod sql_types {
    /// PostgreSQL's 64-bit transaction id (`pg_current_xact_id()`), never wrapping.
    #[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
    #[diesel(postgres_type(name = "xid8"))]
    pub struct Xid8;
}

diesel::table! {
    tenants (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        timezone -> Text,
        visit_interval_days -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    platform_admins (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        active -> Bool,
        token_version -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    grids (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        name -> Text,
        kind -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        role -> Text,
        phone -> Nullable<Text>,
        grid_id -> Nullable<Uuid>,
        password_hash -> Text,
        active -> Bool,
        token_version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        department_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    micro_grids (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        grid_id -> Uuid,
        name -> Text,
        group_name -> Nullable<Text>,
        leader_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        changed_xid -> Xid8,
    }
}

diesel::table! {
    leader_assignments (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        micro_grid_id -> Uuid,
        user_id -> Uuid,
        from_at -> Timestamptz,
        to_at -> Nullable<Timestamptz>,
        assigned_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    households (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        micro_grid_id -> Uuid,
        kind -> Text,
        name -> Text,
        address -> Text,
        phone -> Nullable<Text>,
        id_number -> Nullable<Text>,
        members -> Nullable<Int4>,
        tags -> Array<Text>,
        note -> Nullable<Text>,
        acquainted_at -> Nullable<Timestamptz>,
        in_group -> Bool,
        last_visited_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        changed_xid -> Xid8,
    }
}

diesel::table! {
    household_moves (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        household_id -> Uuid,
        from_micro_grid_id -> Uuid,
        to_micro_grid_id -> Uuid,
        moved_at -> Timestamptz,
        moved_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    visits (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        household_id -> Uuid,
        micro_grid_id -> Uuid,
        leader_id -> Uuid,
        visited_at -> Timestamptz,
        method -> Text,
        summary -> Text,
        acquainted -> Bool,
        joined_group -> Bool,
        created_at -> Timestamptz,
        task_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    issues (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        household_id -> Uuid,
        micro_grid_id -> Uuid,
        visit_id -> Nullable<Uuid>,
        category -> Text,
        description -> Text,
        status -> Text,
        raised_by -> Uuid,
        raised_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
        resolution -> Nullable<Text>,
        satisfied -> Nullable<Bool>,
        feedback_comment -> Nullable<Text>,
        feedback_at -> Nullable<Timestamptz>,
        changed_xid -> Xid8,
        department_id -> Nullable<Uuid>,
        due_on -> Nullable<Date>,
        extension_days -> Nullable<Int4>,
    }
}

diesel::table! {
    issue_events (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        issue_id -> Uuid,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Uuid,
        at -> Timestamptz,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        chain_id -> Uuid,
        tenant_id -> Nullable<Uuid>,
        user_id -> Uuid,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        spent_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        replaced_by -> Nullable<Bytea>,
    }
}

diesel::table! {
    audit_log (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<Uuid>,
        ip -> Nullable<Text>,
        detail -> Nullable<Jsonb>,
    }
}

diesel::table! {
    tag_intervals (tenant_id, tag) {
        tenant_id -> Uuid,
        tag -> Text,
        visit_interval_days -> Int4,
    }
}

diesel::table! {
    departments (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    calendar_days (tenant_id, day) {
        tenant_id -> Uuid,
        day -> Date,
        workday -> Bool,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    tasks (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        title -> Text,
        description -> Text,
        due_on -> Date,
        repeat -> Nullable<Text>,
        grid_ids -> Array<Uuid>,
        micro_grid_ids -> Array<Uuid>,
        tags -> Array<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    task_households (tenant_id, task_id, household_id) {
        tenant_id -> Uuid,
        task_id -> Uuid,
        household_id -> Uuid,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    platform_admins,
    grids,
    users,
    micro_grids,
    leader_assignments,
    households,
    household_moves,
    visits,
    issues,
    issue_events,
    refresh_tokens,
    audit_log,
    departments,
    calendar_days,
    tasks,
    task_households,
);
