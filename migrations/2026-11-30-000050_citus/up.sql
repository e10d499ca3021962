-- Citus: townships spread over workers, each township whole on one of them.
--
-- Only on a database where the `citus` extension is installed (and the coordinator and its
-- workers added, docs/scaling.md); on plain PostgreSQL this migration only creates the two
-- functions below, which then do nothing.
--
-- `tenants` becomes a reference table (a copy on every node), every tenant-owned table is
-- distributed by `tenant_id`, all colocated with `grids` (a township's rows of every table on
-- the same worker), `platform_admins` and `refresh_tokens` stay on the coordinator.
--
-- Citus refuses to distribute a table that a foreign key ties to a local table or to a
-- "Citus local table" (what `create_reference_table('tenants')` turns every table
-- referencing `tenants` into), so the foreign keys of the tables being placed are dropped
-- first and added back, unchanged, once every table has its place: on distributed tables
-- Citus then creates them on every shard.

CREATE FUNCTION lianxin_citus() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') $$;

-- Places tables on a Citus cluster: `reference` copied to every node, `distributed` by
-- `tenant_id` and colocated with `grids` (the first one distributed starts the group).
-- Tables already placed are left alone; without Citus it does nothing.
CREATE FUNCTION lianxin_citus_place(reference regclass[], distributed regclass[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    tables regclass[];
    t regclass;
    fk record;
    kept text[] := '{}';
BEGIN
    IF NOT lianxin_citus() THEN
        RETURN;
    END IF;
    -- Placing tables with foreign keys between them in one transaction needs one connection
    -- per worker (Citus refuses parallel shard DDL after a reference-table change).
    SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
    SELECT coalesce(array_agg(c), '{}') INTO reference
    FROM unnest(reference) c
    WHERE NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = c AND p.partmethod = 'n'
                      AND p.repmodel = 't');
    SELECT coalesce(array_agg(c), '{}') INTO distributed
    FROM unnest(distributed) c
    WHERE NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = c AND p.partmethod = 'h');
    tables := reference || distributed;
    IF cardinality(tables) = 0 THEN
        RETURN;
    END IF;

    -- Every foreign key from or to a table being placed: kept as written, then dropped.
    FOR fk IN
        SELECT conrelid::regclass AS tab, conname, pg_get_constraintdef(oid) AS def
        FROM pg_constraint
        WHERE contype = 'f' AND (conrelid = ANY (tables) OR confrelid = ANY (tables))
        ORDER BY conrelid, conname
    LOOP
        kept := kept || format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tab, fk.conname, fk.def);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tab, fk.conname);
    END LOOP;

    FOREACH t IN ARRAY tables LOOP
        -- A table Citus took in as a "local table" because of a foreign key to a reference
        -- table goes back to a plain table before it is placed.
        IF EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = t AND p.partmethod = 'n'
                   AND p.repmodel <> 't') THEN
            PERFORM undistribute_table(t);
        END IF;
    END LOOP;

    FOREACH t IN ARRAY reference LOOP
        PERFORM create_reference_table(t);
    END LOOP;
    FOREACH t IN ARRAY distributed LOOP
        IF t <> 'grids'::regclass
           AND EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = 'grids'::regclass) THEN
            PERFORM create_distributed_table(t, 'tenant_id', colocate_with => 'grids');
        ELSE
            PERFORM create_distributed_table(t, 'tenant_id');
        END IF;
    END LOOP;

    FOREACH fk.def IN ARRAY kept LOOP
        EXECUTE fk.def;
    END LOOP;
END
$$;

-- What a later migration calls for a new tenant-owned table (migrations/README.md):
-- `SELECT lianxin_distribute('new_table');` distributes it by `tenant_id`, colocated with the
-- township's other tables, its foreign keys kept. Without Citus it does nothing.
CREATE FUNCTION lianxin_distribute(VARIADIC tables regclass[]) RETURNS void
    LANGUAGE sql
    AS $$ SELECT lianxin_citus_place('{}', tables) $$;

DO $$
BEGIN
    IF NOT lianxin_citus() THEN
        RETURN;
    END IF;
    -- The coordinator opens its connections to the workers as the role the query runs as:
    -- the service's role must be able to log in there. It has no password, so it still cannot
    -- log in anywhere pg_hba.conf does not let the cluster's own nodes in (docs/scaling.md,
    -- "Node authentication"). Citus propagates the change to the workers.
    ALTER ROLE lianxin_app LOGIN;
    PERFORM lianxin_citus_place(
        ARRAY['tenants']::regclass[],
        ARRAY['grids', 'users', 'micro_grids', 'leader_assignments', 'households', 'household_moves',
              'visits', 'issues', 'issue_events', 'audit_log']::regclass[]);
END
$$;
