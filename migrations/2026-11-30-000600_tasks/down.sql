ALTER TABLE visits DROP COLUMN task_id;
DROP TABLE task_households;
DROP TABLE tasks;
