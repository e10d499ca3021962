DO $$
BEGIN
    IF lianxin_citus() AND EXISTS (SELECT FROM pg_dist_partition
                                   WHERE logicalrelid = 'visit_days'::regclass) THEN
        PERFORM undistribute_table('visit_days');
    END IF;
END
$$;
