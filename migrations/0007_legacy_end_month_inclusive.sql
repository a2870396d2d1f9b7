-- A legacy row's 缴费截止年月 now covers its whole month (seed 001 附件1): the person paid
-- through 201912 is enrolled on 2019-12-31. Every read model folded from persons' events is
-- recomputed from the first event (`canbao serve` catches them up; or run
-- `canbao projections rebuild`). The events themselves are unchanged.
TRUNCATE person_view, current_enrollment, enrollment_spell, duplicate_set, anomaly;
DO $$ BEGIN
    IF to_regclass('projection_tracking') IS NOT NULL THEN
        DELETE FROM projection_tracking WHERE application_name IN ('enrollments', 'duplicates', 'anomalies');
    END IF;
    IF to_regclass('projection_quarantine') IS NOT NULL THEN
        DELETE FROM projection_quarantine WHERE projection IN ('enrollments', 'duplicates', 'anomalies');
    END IF;
END $$;
