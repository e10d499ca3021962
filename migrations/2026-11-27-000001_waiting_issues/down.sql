DROP INDEX issues_waiting;
