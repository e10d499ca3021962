-- The priority groups' intervals are tenant-owned: on Citus, distributed by tenant_id with the
-- rest of the township (nothing happens on plain PostgreSQL); then the key to tenants, as a
-- string of its own so that Citus can forward it (migrations/README.md).
SELECT lianxin_distribute('tag_intervals');

DO $$
BEGIN
    EXECUTE 'ALTER TABLE tag_intervals ADD CONSTRAINT tag_intervals_tenant_id_fkey '
            'FOREIGN KEY (tenant_id) REFERENCES tenants (id)';
END
$$;
