-- The issues of a household that still wait for a resolution, for the dossier (一户一档).
-- Most issues end resolved, so over years a household's history is mostly resolved issues;
-- this index holds only the waiting ones, and the dossier reads it without touching the rest
-- (its query writes `status <> 'resolved'` out so the planner can prove the predicate).
CREATE INDEX issues_waiting ON issues (tenant_id, household_id, raised_at DESC)
    WHERE status <> 'resolved';
