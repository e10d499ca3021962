-- The workflow's tables placed on Citus in a migration of their own, as visit_days was
-- (2026-11-30-000250_citus_visit_days), then their foreign keys: to tenants, and users' and
-- issues' to departments, which Citus accepts only once both sides are colocated
-- distributed tables. On plain PostgreSQL only the keys are added.
SELECT lianxin_distribute('departments', 'calendar_days');

-- Each statement its own string, for Citus (migrations/README.md).
DO $$
BEGIN
    EXECUTE 'ALTER TABLE departments ADD CONSTRAINT departments_tenant_id_fkey '
            'FOREIGN KEY (tenant_id) REFERENCES tenants (id)';
    EXECUTE 'ALTER TABLE calendar_days ADD CONSTRAINT calendar_days_tenant_id_fkey '
            'FOREIGN KEY (tenant_id) REFERENCES tenants (id)';
    EXECUTE 'ALTER TABLE users ADD CONSTRAINT users_department_fkey '
            'FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)';
    EXECUTE 'ALTER TABLE issues ADD CONSTRAINT issues_department_fkey '
            'FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)';
END
$$;
