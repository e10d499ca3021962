-- The tasks' tables placed on Citus with the rest of the township (nothing happens on plain
-- PostgreSQL), then their foreign keys. A visit's task link names one of the task's
-- households: the key is on (tenant_id, task_id, household_id), so a visit that names no task
-- (task_id null) is not checked at all.
SELECT lianxin_distribute('tasks', 'task_households');

-- Each statement its own string, for Citus (migrations/README.md).
DO $$
BEGIN
    EXECUTE 'ALTER TABLE tasks ADD CONSTRAINT tasks_tenant_id_fkey '
            'FOREIGN KEY (tenant_id) REFERENCES tenants (id)';
    EXECUTE 'ALTER TABLE task_households ADD CONSTRAINT task_households_task_fkey '
            'FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id)';
    EXECUTE 'ALTER TABLE task_households ADD CONSTRAINT task_households_household_fkey '
            'FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id)';
    EXECUTE 'ALTER TABLE visits ADD CONSTRAINT visits_task_household_fkey '
            'FOREIGN KEY (tenant_id, task_id, household_id) '
            'REFERENCES task_households (tenant_id, task_id, household_id)';
END
$$;
