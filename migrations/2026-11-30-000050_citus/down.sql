-- Back to plain tables on the coordinator (Citus copies the shards' rows back).
DO $$
DECLARE
    t regclass;
BEGIN
    IF lianxin_citus() THEN
        SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
        FOR t IN SELECT logicalrelid FROM pg_dist_partition
                 WHERE logicalrelid::text IN ('grids', 'users', 'micro_grids', 'leader_assignments',
                     'households', 'household_moves', 'visits', 'issues', 'issue_events',
                     'audit_log', 'tenants', 'refresh_tokens')
        LOOP
            IF EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = t) THEN
                PERFORM undistribute_table(t, cascade_via_foreign_keys => true);
            END IF;
        END LOOP;
        ALTER ROLE lianxin_app NOLOGIN;
    END IF;
END
$$;
DROP FUNCTION lianxin_distribute(VARIADIC regclass[]);
DROP FUNCTION lianxin_citus_place(regclass[], regclass[]);
DROP FUNCTION lianxin_citus();
