-- The statistics' rollup is tenant-owned: on Citus, distributed by tenant_id with the rest of
-- the township (nothing happens on plain PostgreSQL, or when it is placed already).
SELECT lianxin_distribute('visit_days');
