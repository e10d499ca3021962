-- The visit row alone: the household (and its micro-grid's leader) looked up and one row
-- inserted into visits, with its four indexes. Time-ordered ids like a phone's UUID v7.
\set n random(1, :households)
INSERT INTO visits (tenant_id, id, household_id, micro_grid_id, leader_id, visited_at,
                    method, summary, acquainted, joined_group)
SELECT h.tenant_id,
       (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
        || '7' || substr(md5(random()::text), 1, 19))::uuid,
       h.id, h.micro_grid_id, m.leader_id, now() - interval '1 hour', 'door', 'bench visit',
       false, false
FROM households h
JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id
WHERE h.tenant_id = :tenant::uuid AND h.id = md5('bench-hh-' || :n)::uuid;
