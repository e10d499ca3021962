ALTER TABLE micro_grids DROP COLUMN changed_xid;
ALTER TABLE issues DROP COLUMN changed_xid;
ALTER TABLE households DROP COLUMN changed_xid;
ALTER TABLE refresh_tokens DROP COLUMN replaced_by;
