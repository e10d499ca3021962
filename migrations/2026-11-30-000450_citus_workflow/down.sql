ALTER TABLE issues DROP CONSTRAINT issues_department_fkey;
ALTER TABLE users DROP CONSTRAINT users_department_fkey;
ALTER TABLE calendar_days DROP CONSTRAINT calendar_days_tenant_id_fkey;
ALTER TABLE departments DROP CONSTRAINT departments_tenant_id_fkey;
DO $$
DECLARE
    t text;
BEGIN
    IF NOT lianxin_citus() THEN
        RETURN;
    END IF;
    FOREACH t IN ARRAY ARRAY['departments', 'calendar_days'] LOOP
        IF EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = t::regclass) THEN
            PERFORM undistribute_table(t::regclass);
        END IF;
    END LOOP;
END
$$;
