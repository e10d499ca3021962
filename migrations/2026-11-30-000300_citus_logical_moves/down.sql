DO $$
BEGIN
    IF lianxin_citus() THEN
        PERFORM run_command_on_all_nodes(
            'DROP EVENT TRIGGER IF EXISTS lianxin_citus_subscription_owner; '
            'DROP FUNCTION IF EXISTS lianxin_citus_subscription_owner()');
    END IF;
END
$$;
DROP FUNCTION lianxin_citus_logical_moves();
