-- Who was enrolled where, under which resident identity, over valid and system time: the register
-- comparison's one side (seed 001, issue 19), kept narrow. The comparison read it from
-- enrollment_spell, whose rows are twice as wide (nineteen columns, 176 MB at 725,000 persons) and
-- a quarter of which it filtered out (riders, other statuses, other certificates): scanning them
-- was most of what the comparison did beyond a raw join of persons and register. Here only the
-- rows it can use, eleven columns (88 MB), and within a region a person's enrolled spells merged
-- into the stretches they cover together — one row a region on any date, as known at any time —
-- so that its findings come out once each.
-- The rows are derived by the enrollments projection: its tables are recomputed from the first
-- event (`canbao serve` catches them up; or run `canbao projections rebuild enrollments`).
CREATE TABLE enrolled_identity (
    person_id        uuid NOT NULL,
    region           text NOT NULL,
    id_number        text NOT NULL,
    name             text NOT NULL,
    gender           text,
    birth_date       date,
    household_region text,
    valid_from       date NOT NULL,
    valid_to         date,
    recorded_from    timestamptz NOT NULL,
    recorded_to      timestamptz
);
CREATE INDEX enrolled_identity_person ON enrolled_identity (person_id);

TRUNCATE person_view, current_enrollment, enrollment_spell, fake_removal;
SELECT forget_projection_position('enrollments');
