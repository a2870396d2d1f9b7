-- The cleanup lists of seed 001 (附件4/5) show, on each line, the 个人编号 the enrollment's own
-- region gave the person and the household address (户籍地址) recorded for them.
ALTER TABLE current_enrollment ADD COLUMN local_person_number text;
ALTER TABLE person_view ADD COLUMN address text;
-- Rows derived before these columns existed are recomputed: the enrollments projection
-- starts again from the first event (`canbao serve` catches it up; or run
-- `canbao projections rebuild enrollments`).
TRUNCATE person_view, current_enrollment, enrollment_spell;
DO $$ BEGIN
    IF to_regclass('projection_tracking') IS NOT NULL THEN  -- made by the runner, on a ledger's first start
        DELETE FROM projection_tracking WHERE application_name = 'enrollments';
    END IF;
END $$;
