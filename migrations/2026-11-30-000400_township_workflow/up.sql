-- The township's workflow (issue 14, api.md "Township workflow"): the offices issues are
-- routed to, the working-day calendar their time limits are counted in, the role `handler`
-- (staff of one office), and the issue's new steps.
--
-- Both new tables are tenant-owned, keyed by tenant_id first, under row-level security and,
-- on Citus, distributed by tenant_id with the rest of the township (migrations/README.md).

-- The township's offices (站所/部门): the land office, civil affairs... Named once per township.
CREATE TABLE departments (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- The exceptions to "Monday to Friday are working days": public holidays that fall on a
-- weekday (workday false) and the make-up working days (调休) that fall on a weekend (workday
-- true). Only exceptions are stored: a year is a few dozen rows.
CREATE TABLE calendar_days (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    workday   boolean NOT NULL,
    note      text,
    PRIMARY KEY (tenant_id, day)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON departments, calendar_days TO lianxin_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['departments', 'calendar_days']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant())',
            t);
    END LOOP;
END
$$;

-- Placed before the foreign keys below point at them: Citus keys distributed tables only to
-- colocated distributed tables. Nothing happens on plain PostgreSQL.
SELECT lianxin_distribute('departments', 'calendar_days');

-- Changes to tables Citus already holds, each statement its own string (migrations/README.md).
-- * users: a handler belongs to exactly one department, and only a handler has one.
-- * issues: the office it is routed to, its time limit (a day of the township's calendar),
--   and a pending request for more time (how many working days, kept until granted or
--   refused). Existing issues have none of these: routing is new.
-- * the statuses and event actions of the new steps; the old ones keep their meaning.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE users ADD COLUMN department_id uuid';
    EXECUTE 'ALTER TABLE users DROP CONSTRAINT users_role_check';
    EXECUTE 'ALTER TABLE users ADD CONSTRAINT users_role_check '
            'CHECK (role IN (''tenant_admin'', ''supervisor'', ''leader'', ''handler''))';
    EXECUTE 'ALTER TABLE users ADD CONSTRAINT users_handler_department '
            'CHECK ((role = ''handler'') = (department_id IS NOT NULL))';
    EXECUTE 'ALTER TABLE users ADD CONSTRAINT users_department_fkey '
            'FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)';
    EXECUTE 'ALTER TABLE issues ADD COLUMN department_id uuid';
    EXECUTE 'ALTER TABLE issues ADD COLUMN due_on date';
    EXECUTE 'ALTER TABLE issues ADD COLUMN extension_days integer '
            'CHECK (extension_days BETWEEN 1 AND 30)';
    EXECUTE 'ALTER TABLE issues ADD CONSTRAINT issues_department_fkey '
            'FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)';
    EXECUTE 'ALTER TABLE issues DROP CONSTRAINT issues_status_check';
    EXECUTE 'ALTER TABLE issues ADD CONSTRAINT issues_status_check CHECK (status IN '
            '(''open'', ''escalated'', ''resolved'', ''assigned'', ''accepted'', ''done''))';
    EXECUTE 'ALTER TABLE issue_events DROP CONSTRAINT issue_events_action_check';
    EXECUTE 'ALTER TABLE issue_events ADD CONSTRAINT issue_events_action_check CHECK (action IN '
            '(''raise'', ''escalate'', ''resolve'', ''reopen'', ''feedback'', ''assign'', '
            '''accept'', ''extend'', ''extension'', ''done'', ''verify''))';
    -- A department's list and the 督办 list: its waiting issues by time limit.
    EXECUTE 'CREATE INDEX issues_department ON issues (tenant_id, department_id, due_on) '
            'WHERE department_id IS NOT NULL';
END
$$;
