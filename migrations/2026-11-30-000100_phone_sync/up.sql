-- What the leaders' phone app needs from the database.
--
-- 1. A lost answer to a token refresh. `replaced_by` is the hash of the token a refresh
--    issued in exchange for this one. While that replacement is unused, the phone that spent
--    this token may never have received it: presenting this token again within 60 seconds
--    is answered with a new pair instead of revoking the chain (`auth::sessions::rotate`).
--    Null on live tokens, on a token whose replay was forgiven once, and on a token spent by
--    such a forgiveness (so that neither is ever forgiven again).

-- 2. The phones' read side (`GET /sync/households?since=`). `changed_xid` is the transaction
--    that last changed what a phone keeps of a household:
--    - households: the household edited, moved, a visit of it recorded (the visit writer
--      updates the household row anyway);
--    - issues: the issue raised or moved on (kept on the issue, so that an issue's
--      transition never locks its household: the household assignment locks households,
--      then issues, and the opposite order could deadlock);
--    - micro_grids: a new leader (its households are new to that leader's phone).
--    New rows get it by default; writes set it to `pg_current_xact_id()`. A phone's cursor
--    is the xmin of the snapshot it was answered from: `households::sync` says why that never
--    misses a change committed while it read. Rows that exist already get 0 (a constant
--    default: no table rewrite); phones start with a full
--    sync, so nothing is missed. No index: a sync reads the few hundred households of the
--    caller's micro-grids, found by `households_due`, and checks the stamp on each.

-- On Citus each DDL statement must reach the workers alone: Citus forwards a statement's
-- query string, and a migration's file is one string of many statements ("cannot insert
-- multiple commands into a prepared statement"). EXECUTE gives each its own string.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE refresh_tokens ADD COLUMN replaced_by bytea';
    EXECUTE 'ALTER TABLE households ADD COLUMN changed_xid xid8 NOT NULL DEFAULT ''0''';
    EXECUTE 'ALTER TABLE households ALTER COLUMN changed_xid SET DEFAULT pg_current_xact_id()';
    EXECUTE 'ALTER TABLE issues ADD COLUMN changed_xid xid8 NOT NULL DEFAULT ''0''';
    EXECUTE 'ALTER TABLE issues ALTER COLUMN changed_xid SET DEFAULT pg_current_xact_id()';
    EXECUTE 'ALTER TABLE micro_grids ADD COLUMN changed_xid xid8 NOT NULL DEFAULT ''0''';
    EXECUTE 'ALTER TABLE micro_grids ALTER COLUMN changed_xid SET DEFAULT pg_current_xact_id()';
END
$$;
