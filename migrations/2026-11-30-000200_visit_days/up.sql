-- The visit rollup for statistics (docs/stats.md, "The visit rollup").
--
-- One row per household, micro-grid, recorder and ISO week-year of the township's local
-- calendar: a bitmap of the days on which that household had a visit there by that user, and
-- the extra visits of days with more than one. Every visit count and every distinct count of
-- households over any range of whole local days follows exactly from these rows: a year of a
-- township is ~2 rows per household instead of ~45 visits.
--
-- Day index: (ISO week - 1) * 7 + (ISO weekday - 1), 0..370, so an ISO week is 7 adjacent
-- bits and a week never spans two rows' years. Bit 0 is the leftmost bit.
--
-- Kept by every write of visits in the same statement (src/visits/queries.rs, the demo's
-- seed through visit_days_rebuild). Visits are never updated or deleted, and a visit keeps
-- its own micro-grid and recorder when its household moves, so nothing else changes a row.
-- A township's time zone is fixed when it is created; were it ever changed,
-- visit_days_rebuild(tenant) makes its rows again.

-- citus: distribute
CREATE TABLE visit_days (
    tenant_id     uuid NOT NULL,
    year          smallint NOT NULL,
    household_id  uuid NOT NULL,
    micro_grid_id uuid NOT NULL,
    leader_id     uuid NOT NULL,
    -- Bit d: at least one visit on day d of the ISO year (see above).
    days          bit(371) NOT NULL,
    -- A day index once for every visit beyond the first of its day; NULL when none.
    repeats       smallint[],
    PRIMARY KEY (tenant_id, year, household_id, micro_grid_id, leader_id)
) WITH (fillfactor = 80); -- room for the in-place (HOT) updates every visit makes

-- The day of a visit in its township's zone, as the rollup keys it.
CREATE FUNCTION visit_day_year(at timestamptz, zone text) RETURNS smallint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT extract(isoyear FROM $1 AT TIME ZONE $2)::smallint $$;

CREATE FUNCTION visit_day_index(at timestamptz, zone text) RETURNS smallint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT ((extract(week FROM $1 AT TIME ZONE $2) - 1) * 7
                  + extract(isodow FROM $1 AT TIME ZONE $2) - 1)::smallint $$;

-- The bitmap of a set of day indexes (an aggregate's input: bit_or over this).
CREATE FUNCTION visit_day_bit(day smallint) RETURNS bit(371)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT set_bit(repeat('0', 371)::bit(371), $1, 1) $$;

-- The day indexes of the set bits of a bitmap (only called when some are set).
CREATE FUNCTION visit_day_list(days bit(371)) RETURNS smallint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_agg(d::smallint ORDER BY d) FROM generate_series(0, 370) d
          WHERE get_bit($1, d) = 1 $$;

-- Every visit of `days` (with repetitions) beyond the first of its day; NULL when none.
CREATE FUNCTION visit_day_repeats(days smallint[]) RETURNS smallint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_agg(d ORDER BY d) FROM
          (SELECT d, row_number() OVER (PARTITION BY d) AS n FROM unnest($1) d) x
          WHERE n > 1 $$;

-- Makes a township's rollup again from its visits: the backfill below, the demo's seed
-- (which copies visits in bulk), and a repair should a row ever be doubted.
CREATE FUNCTION visit_days_rebuild(tenant uuid) RETURNS bigint
    LANGUAGE plpgsql
    -- One sort of a township's visits: in memory rather than spilled (900,000 visits take
    -- ~110 MB); no JIT for a statement run once.
    SET work_mem = '256MB'
    SET jit = off
    AS $$
DECLARE
    made bigint;
BEGIN
    DELETE FROM visit_days WHERE tenant_id = tenant;
    INSERT INTO visit_days (tenant_id, year, household_id, micro_grid_id, leader_id, days,
                            repeats)
    SELECT k.tenant_id, k.year, k.household_id, k.micro_grid_id, k.leader_id,
           bit_or(visit_day_bit(k.day)),
           CASE WHEN count(*) > 1 THEN visit_day_repeats(array_agg(k.day)) END
    -- OFFSET 0: each visit's day computed once, not at every mention.
    FROM (SELECT visit_day_year(v.visited_at, t.timezone) AS year,
                 visit_day_index(v.visited_at, t.timezone) AS day,
                 v.tenant_id, v.household_id, v.micro_grid_id, v.leader_id
          FROM visits v JOIN tenants t ON t.id = v.tenant_id
          WHERE v.tenant_id = tenant OFFSET 0) k
    -- tenant_id from the visits, so that Citus can run it on the township's worker.
    GROUP BY k.tenant_id, k.year, k.household_id, k.micro_grid_id, k.leader_id;
    GET DIAGNOSTICS made = ROW_COUNT;
    RETURN made;
END
$$;

ALTER TABLE visit_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE visit_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON visit_days
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON visit_days TO lianxin_app;
GRANT EXECUTE ON FUNCTION visit_day_year(timestamptz, text), visit_day_index(timestamptz, text),
    visit_day_bit(smallint), visit_day_list(bit), visit_day_repeats(smallint[]),
    visit_days_rebuild(uuid) TO lianxin_app;

-- The backfill: every township's visits so far.
SELECT visit_days_rebuild(id) FROM tenants;
