DROP TABLE visit_days;
DROP FUNCTION visit_days_rebuild(uuid);
DROP FUNCTION visit_day_repeats(smallint[]);
DROP FUNCTION visit_day_list(bit);
DROP FUNCTION visit_day_bit(smallint);
DROP FUNCTION visit_day_index(timestamptz, text);
DROP FUNCTION visit_day_year(timestamptz, text);
