DROP TABLE tag_intervals;
