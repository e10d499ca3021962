-- The second wall between townships: row-level security.
--
-- The service runs its queries as the role lianxin_app (switching to it on every pooled
-- connection, even when given a superuser URL). That role has no BYPASSRLS and is not a
-- superuser, and FORCE ROW LEVEL SECURITY holds the tables' owner to the policies too. Each
-- session says whose data it works on with `set_config('app.tenant_id', …)`; with the
-- setting unset or empty, app_tenant() is null and every policy matches no row.
--
-- Not under RLS: tenants (looked up by code at login, holds no personal data),
-- platform_admins (no tenant) and refresh_tokens (hashes only, found by hash at refresh).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lianxin_app') THEN
        CREATE ROLE lianxin_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;

-- Whoever runs the migrations may switch to the service's role.
DO $$
BEGIN
    EXECUTE format('GRANT lianxin_app TO %I', current_user);
EXCEPTION WHEN OTHERS THEN
    NULL; -- a superuser needs no membership; a role that cannot grant keeps its own rights
END
$$;

CREATE FUNCTION app_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

GRANT USAGE ON SCHEMA public TO lianxin_app;
GRANT EXECUTE ON FUNCTION app_tenant() TO lianxin_app;
GRANT SELECT, INSERT, UPDATE ON tenants, platform_admins TO lianxin_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON refresh_tokens TO lianxin_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON grids, users, micro_grids, leader_assignments,
    households, household_moves, visits, issues, issue_events TO lianxin_app;
-- The audit log is append-only for the service.
GRANT SELECT, INSERT ON audit_log TO lianxin_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['grids', 'users', 'micro_grids', 'leader_assignments', 'households',
                             'household_moves', 'visits', 'issues', 'issue_events', 'audit_log']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())',
            t);
    END LOOP;
END
$$;
