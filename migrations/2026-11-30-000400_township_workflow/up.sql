-- The township's workflow (issue 14, api.md "Township workflow"): the offices issues are
-- routed to, the working-day calendar their time limits are counted in, the role `handler`
-- (staff of one office), and the issue's new steps.
--
-- Both new tables are tenant-owned, keyed by tenant_id first, under row-level security. Their
-- foreign keys (to tenants; users' and issues' to departments) come in the next migration,
-- after Citus has placed the tables: a table made with a key to the reference table
-- `tenants` becomes a "Citus local table" at once, and turning it back into a plain table
-- gives it a new OID under the feet of the statement placing it.

-- The township's offices (站所/部门): the land office, civil affairs... Named once per township.
CREATE TABLE departments (
    tenant_id  uuid NOT NULL,
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
    tenant_id uuid NOT NULL,
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

-- Changes to tables Citus already holds, each statement its own string (migrations/README.md).
-- * users: a handler belongs to exactly one department, and only a handler has one (the
--   foreign key to departments: next migration).
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
    EXECUTE 'ALTER TABLE issues ADD COLUMN department_id uuid';
    EXECUTE 'ALTER TABLE issues ADD COLUMN due_on date';
    -- Citus adds no column together with a constraint: the check is a statement of its own.
    EXECUTE 'ALTER TABLE issues ADD COLUMN extension_days integer';
    EXECUTE 'ALTER TABLE issues ADD CONSTRAINT issues_extension_days_check '
            'CHECK (extension_days BETWEEN 1 AND 30)';
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
