-- An enrollment spell carries who the person was believed to be with it (certificate type, ID
-- number, name, gender, birth date, household region), over the same system time: the register
-- comparison (seed 001, issue 19) then asks one table who was enrolled on a date, as known at a
-- time, under which identity — one join with the register instead of two, and an identity as it
-- stood then rather than as it stands now. The rows are recomputed from the first event (`canbao
-- serve` catches them up; or run `canbao projections rebuild enrollments`); events are unchanged.
ALTER TABLE enrollment_spell
    ADD COLUMN certificate_type text,
    ADD COLUMN id_number        text,
    ADD COLUMN name             text,
    ADD COLUMN gender           text,
    ADD COLUMN birth_date       date,
    ADD COLUMN household_region text;
TRUNCATE person_view, current_enrollment, enrollment_spell, fake_removal;

-- What every migration that recomputes a projection does after emptying its tables (0007 and
-- 0010 wrote it out): forget how far the projection had got and what it had set aside, so it
-- starts again from the first event. The tables exist once a projection has run.
CREATE FUNCTION forget_projection_position(projection_name text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN
    IF to_regclass('projection_tracking') IS NOT NULL THEN
        DELETE FROM projection_tracking WHERE application_name = projection_name;
    END IF;
    IF to_regclass('projection_quarantine') IS NOT NULL THEN
        DELETE FROM projection_quarantine WHERE projection = projection_name;
    END IF;
END $$;
SELECT forget_projection_position('enrollments');

-- A comparison writes tens of thousands of findings at once. Their key columns are codes and
-- digits, ordered the same byte by byte: the "C" collation compares them with memcmp, where the
-- database's default (C.UTF-8 through libc) cost 5 µs an index entry. One unique index in the
-- order pages read (it was two, on the same four columns in two orders).
ALTER TABLE register_finding DROP CONSTRAINT register_finding_pkey;
DROP INDEX register_finding_list;
ALTER TABLE register_finding
    ALTER COLUMN kind TYPE text COLLATE "C",
    ALTER COLUMN id_number TYPE text COLLATE "C",
    ALTER COLUMN region TYPE text COLLATE "C";
ALTER TABLE register_finding ADD PRIMARY KEY (comparison_id, kind, region, id_number);
