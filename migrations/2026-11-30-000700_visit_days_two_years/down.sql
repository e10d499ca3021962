
CREATE OR REPLACE FUNCTION visit_day_bit(day smallint) RETURNS bit(371)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT set_bit(repeat('0', 371)::bit(371), $1, 1) $$;

CREATE OR REPLACE FUNCTION visit_day_list(days bit(371)) RETURNS smallint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_agg(d::smallint ORDER BY d) FROM generate_series(0, 370) d
          WHERE get_bit($1, d) = 1 $$;

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
                            repeats)
    SELECT k.tenant_id, k.year, k.household_id, k.micro_grid_id, k.leader_id,
           bit_or(visit_day_bit(k.day)),
           CASE WHEN count(*) > 1 THEN visit_day_repeats(array_agg(k.day)) END
    FROM (SELECT visit_day_year(v.visited_at, t.timezone) AS year,
                 visit_day_index(v.visited_at, t.timezone) AS day,
                 v.tenant_id, v.household_id, v.micro_grid_id, v.leader_id
          FROM visits v JOIN tenants t ON t.id = v.tenant_id
          WHERE v.tenant_id = tenant OFFSET 0) k
    GROUP BY k.tenant_id, k.year, k.household_id, k.micro_grid_id, k.leader_id;
    GET DIAGNOSTICS made = ROW_COUNT;
    RETURN made;
END
$$;

DO $$
BEGIN
    EXECUTE 'TRUNCATE visit_days';
    EXECUTE 'DROP INDEX visit_days_multi';
    EXECUTE 'ALTER TABLE visit_days DROP COLUMN multi';
    EXECUTE 'ALTER TABLE visit_days ALTER COLUMN days TYPE bit(371)';
END
$$;

SELECT visit_days_rebuild(id) FROM tenants;
