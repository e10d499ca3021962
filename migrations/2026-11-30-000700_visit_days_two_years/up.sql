-- The visit rollup's rows cover two ISO years (docs/stats.md, "The visit rollup").
--
-- A row of `year` Y now holds the days of ISO years Y and Y + 1: bit d is day d of Y, bit
-- 371 + d day d of Y + 1 (day index as before: (ISO week - 1) * 7 + ISO weekday - 1). Every
-- visit sets its day in two rows, its own year's and the year before's, so any range that
-- touches at most two consecutive ISO years (a year back from any day, every month, every
-- week) is read from one row per household and key instead of two: the statistics no
-- longer merge each household's years (a hash of every household, the largest part of a
-- year's summary). The price is a second row updated per visit (docs/performance.md).
--
-- `multi`: when a row is made, the household already had a row of another micro-grid or
-- recorder in that year (or gets two in the same statement). Only such households' rows need
-- merging to count each household once; the rest are counted as they are.

-- Not additive (migrations/README.md): stop the instances of earlier versions before it runs.
-- They read 371-day rows and would set one row of a visit's two; this migration makes every
-- township's rollup again from the visits, so nothing stored before it is missed.

-- (Return typmods are not kept: the functions below return `bit`, now 742 long.)
CREATE OR REPLACE FUNCTION visit_day_bit(day smallint) RETURNS bit(742)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT set_bit(repeat('0', 742)::bit(742), $1, 1) $$;

CREATE OR REPLACE FUNCTION visit_day_list(days bit(742)) RETURNS smallint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_agg(d::smallint ORDER BY d) FROM generate_series(0, 741) d
          WHERE get_bit($1, d) = 1 $$;

-- Makes a township's rollup again from its visits (see 2026-11-30-000200_visit_days).
CREATE OR REPLACE FUNCTION visit_days_rebuild(tenant uuid) RETURNS bigint
    LANGUAGE plpgsql
    SET work_mem = '256MB'
    SET jit = off
    AS $$
DECLARE
    made bigint;
BEGIN
    DELETE FROM visit_days WHERE tenant_id = tenant;
    INSERT INTO visit_days (tenant_id, year, household_id, micro_grid_id, leader_id, days,
                            repeats, multi)
    SELECT r.tenant_id, r.year, r.household_id, r.micro_grid_id, r.leader_id, r.days,
           r.repeats,
           count(*) OVER (PARTITION BY r.tenant_id, r.year, r.household_id) > 1
    FROM (SELECT k.tenant_id, e.year, k.household_id, k.micro_grid_id, k.leader_id,
                 bit_or(visit_day_bit(e.day)) AS days,
                 CASE WHEN count(*) > 1 THEN visit_day_repeats(array_agg(e.day)) END AS repeats
          -- OFFSET 0: each visit's day computed once, not at every mention.
          FROM (SELECT visit_day_year(v.visited_at, t.timezone) AS year,
                       visit_day_index(v.visited_at, t.timezone) AS day,
                       v.tenant_id, v.household_id, v.micro_grid_id, v.leader_id
                FROM visits v JOIN tenants t ON t.id = v.tenant_id
                WHERE v.tenant_id = tenant OFFSET 0) k
          -- Each visit in its own year's row and in the year before's.
          CROSS JOIN LATERAL (VALUES (k.year, k.day),
                                     ((k.year - 1)::smallint, (k.day + 371)::smallint))
                AS e (year, day)
          -- tenant_id from the visits, so that Citus can run it on the township's worker.
          GROUP BY k.tenant_id, e.year, k.household_id, k.micro_grid_id, k.leader_id) r;
    GET DIAGNOSTICS made = ROW_COUNT;
    RETURN made;
END
$$;

-- The functions first: Citus refuses to change a function after a parallel operation on a
-- distributed table in the same transaction. Each statement on the table a string of its
-- own, so that Citus can forward it.
DO $$
BEGIN
    EXECUTE 'TRUNCATE visit_days';
    EXECUTE 'ALTER TABLE visit_days ALTER COLUMN days TYPE bit(742)';
    EXECUTE 'ALTER TABLE visit_days ADD COLUMN multi boolean NOT NULL DEFAULT false';
    EXECUTE 'CREATE INDEX visit_days_multi ON visit_days (tenant_id, year, household_id) '
            'WHERE multi';
END
$$;

SELECT visit_days_rebuild(id) FROM tenants;
