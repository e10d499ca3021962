-- Citus: shard moves that let the township keep writing (logical replication), under
-- row-level security. Nothing happens on plain PostgreSQL but the function's creation.
--
-- A logical move (`citus_move_shard_placement` or the rebalancer with shard_transfer_mode
-- 'auto', the default, or 'force_logical') copies a township's shards to another worker and
-- then replays the writes made meanwhile through a subscription there. PostgreSQL 15 applies
-- those rows as the subscription's owner, a role Citus makes for the move
-- (`citus_shard_move_subscription_role_…`: a member of the tables' owner, no superuser), and
-- refuses tables whose row-level security applies to it: "cannot replicate into relation
-- with row-level security enabled". Ours are FORCEd, so it applies even to their owner, and
-- the move never finishes. On every node, an event trigger gives such a Citus subscription
-- owner BYPASSRLS when Citus (as superuser) hands it the subscription. Citus drops the role
-- when the move ends. A worker added later gets the trigger from
-- `SELECT lianxin_citus_logical_moves()` on the coordinator (docs/scaling.md).

CREATE FUNCTION lianxin_citus_logical_moves() RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    failed record;
BEGIN
    IF NOT lianxin_citus() THEN
        RETURN;
    END IF;
    -- Each node's own copy, not propagated: an event trigger is local to its node.
    FOR failed IN
        SELECT nodeid, result FROM run_command_on_all_nodes($cmd$
            SET citus.enable_ddl_propagation = off;
            CREATE OR REPLACE FUNCTION lianxin_citus_subscription_owner() RETURNS event_trigger
                LANGUAGE plpgsql
                SET citus.enable_ddl_propagation = off
                AS $f$
            DECLARE
                owner name;
            BEGIN
                -- Only Citus's own move and split roles, and only when a superuser (Citus)
                -- changed the subscription: granting BYPASSRLS takes one.
                IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                    RETURN;
                END IF;
                FOR owner IN
                    SELECT DISTINCT r.rolname
                    FROM pg_subscription s JOIN pg_roles r ON r.oid = s.subowner
                    WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND r.rolname ~ '^citus_shard_(move|split)_subscription_role_'
                      AND NOT r.rolbypassrls AND NOT r.rolsuper
                LOOP
                    EXECUTE format('ALTER ROLE %I BYPASSRLS', owner);
                END LOOP;
            END
            $f$;
            DROP EVENT TRIGGER IF EXISTS lianxin_citus_subscription_owner;
            CREATE EVENT TRIGGER lianxin_citus_subscription_owner ON ddl_command_end
                WHEN TAG IN ('ALTER SUBSCRIPTION')
                EXECUTE FUNCTION lianxin_citus_subscription_owner();
        $cmd$) WHERE NOT success
    LOOP
        -- Without it (not a superuser, a node down) logical moves wait forever; moves with
        -- shard_transfer_mode => 'block_writes' still work.
        RAISE WARNING 'node %: no logical shard moves under row-level security: %',
            failed.nodeid, failed.result;
    END LOOP;
END
$$;

SELECT lianxin_citus_logical_moves();
