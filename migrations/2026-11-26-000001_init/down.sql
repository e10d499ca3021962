DROP TABLE audit_log, refresh_tokens, issue_events, issues, visits, household_moves,
    households, leader_assignments, micro_grids, users, grids, platform_admins, tenants;
