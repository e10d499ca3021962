-- Priority groups (重点人群): a township may visit households carrying a tag more often than
-- its own interval (独居老人 every 3 days, say). One row per tag with its own interval; a tag
-- without a row follows the township's. A household is due when not visited within the
-- smallest interval of the township's and its tags' (src/households/queries.rs).
--
-- Made without its foreign key: on Citus the table is placed, and the key added, by the next
-- migration (2026-11-30-000550_citus_tag_intervals). lianxin_distribute in this file would
-- add the key back as the whole file's text, which Citus cannot forward ("cannot insert
-- multiple commands into a prepared statement").

CREATE TABLE tag_intervals (
    tenant_id           uuid NOT NULL,
    tag                 text NOT NULL,
    visit_interval_days integer NOT NULL CHECK (visit_interval_days BETWEEN 1 AND 365),
    PRIMARY KEY (tenant_id, tag)
);

ALTER TABLE tag_intervals ENABLE ROW LEVEL SECURITY;
ALTER TABLE tag_intervals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tag_intervals
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON tag_intervals TO lianxin_app;
