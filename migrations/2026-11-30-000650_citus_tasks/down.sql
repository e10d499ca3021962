ALTER TABLE visits DROP CONSTRAINT visits_task_household_fkey;
ALTER TABLE task_households DROP CONSTRAINT task_households_household_fkey;
ALTER TABLE task_households DROP CONSTRAINT task_households_task_fkey;
ALTER TABLE tasks DROP CONSTRAINT tasks_tenant_id_fkey;
