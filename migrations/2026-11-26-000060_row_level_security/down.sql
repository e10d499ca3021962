DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['grids', 'users', 'micro_grids', 'leader_assignments', 'households',
                             'household_moves', 'visits', 'issues', 'issue_events', 'audit_log']
    LOOP
        EXECUTE format('DROP POLICY tenant_isolation ON %I', t);
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
END
$$;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM lianxin_app;
REVOKE USAGE ON SCHEMA public FROM lianxin_app;
DROP FUNCTION app_tenant();
