DROP INDEX issues_department;
ALTER TABLE issue_events DROP CONSTRAINT issue_events_action_check;
ALTER TABLE issue_events ADD CONSTRAINT issue_events_action_check
    CHECK (action IN ('raise', 'escalate', 'resolve', 'reopen', 'feedback'));
ALTER TABLE issues DROP CONSTRAINT issues_status_check;
ALTER TABLE issues ADD CONSTRAINT issues_status_check
    CHECK (status IN ('open', 'escalated', 'resolved'));
ALTER TABLE issues DROP COLUMN extension_days;
ALTER TABLE issues DROP COLUMN due_on;
ALTER TABLE issues DROP COLUMN department_id;
ALTER TABLE users DROP COLUMN department_id;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('tenant_admin', 'supervisor', 'leader'));
DROP TABLE calendar_days;
DROP TABLE departments;
