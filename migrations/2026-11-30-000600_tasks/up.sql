-- Tasks sent down to the leaders (任务下发, api.md "Township workflow"): what the township
-- asks to be done at a set of households ("notify every household about flood season"), and
-- which households those are, fixed when the task is made. A household is done when a visit
-- linked to the task was made (in the current round of a repeating task): the link is
-- `visits.task_id`, so one visit serves both and nothing is counted twice.
--
-- Both tables are tenant-owned, under row-level security; their foreign keys (to tenants,
-- and the visits' to the task's households) come in the next migration, after Citus has
-- placed the tables (2026-11-30-000400_township_workflow says why).

CREATE TABLE tasks (
    tenant_id      uuid NOT NULL,
    id             uuid NOT NULL,
    title          text NOT NULL,
    description    text NOT NULL,
    -- The first round's last day; a repeating task's later rounds follow by week or month.
    due_on         date NOT NULL,
    repeat         text CHECK (repeat IN ('weekly', 'monthly')),
    -- What the task was sent to, as sent (the households are in task_households).
    grid_ids       uuid[] NOT NULL DEFAULT '{}',
    micro_grid_ids uuid[] NOT NULL DEFAULT '{}',
    tags           text[] NOT NULL DEFAULT '{}',
    created_by     uuid NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX tasks_newest ON tasks (tenant_id, created_at DESC);

CREATE TABLE task_households (
    tenant_id    uuid NOT NULL,
    task_id      uuid NOT NULL,
    household_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, task_id, household_id)
);

-- A leader's tasks: those holding one of their households.
CREATE INDEX task_households_household ON task_households (tenant_id, household_id);

GRANT SELECT, INSERT, UPDATE ON tasks TO lianxin_app;
GRANT SELECT, INSERT ON task_households TO lianxin_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tasks', 'task_households']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())',
            t);
    END LOOP;
END
$$;

-- The visit's link to a task, each statement its own string (migrations/README.md). Only
-- linked visits are indexed, so the hot write path of the others pays nothing for it.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE visits ADD COLUMN task_id uuid';
    EXECUTE 'CREATE INDEX visits_task ON visits (tenant_id, task_id, household_id, visited_at) '
            'WHERE task_id IS NOT NULL';
END
$$;
