-- The visit row and the household update the API's statement also makes
-- (last_visited_at moves forward), in one statement.
\set n random(1, :households)
WITH ins AS (
    INSERT INTO visits (tenant_id, id, household_id, micro_grid_id, leader_id, visited_at,
                        method, summary, acquainted, joined_group)
    SELECT h.tenant_id,
           (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
            || '7' || substr(md5(random()::text), 1, 19))::uuid,
           h.id, h.micro_grid_id, m.leader_id, now() - interval '1 hour', 'door', 'bench visit',
           false, false
    FROM households h
    JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id
    WHERE h.tenant_id = :tenant::uuid AND h.id = md5('bench-hh-' || :n)::uuid
    RETURNING household_id, visited_at
)
UPDATE households h SET last_visited_at = greatest(h.last_visited_at, ins.visited_at)
FROM ins WHERE h.tenant_id = :tenant::uuid AND h.id = ins.household_id;
