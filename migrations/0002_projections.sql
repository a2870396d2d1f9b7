-- Read models derived from the event log. Every row is derived from the events of one
-- stream (a person or a unit) up to a tracked position; a stream's rows are replaced as a
-- whole whenever it changes, so re-applying a stream can never count anything twice.

CREATE TABLE person_view (
    person_id        uuid PRIMARY KEY,
    certificate_type text NOT NULL,
    id_number        text NOT NULL,
    name             text NOT NULL,
    gender           text NOT NULL,
    birth_date       date,
    survival_status  text NOT NULL,
    civil_servant    boolean NOT NULL,
    phone            text,
    household_region text,
    legacy_id_number text,
    merged_into      uuid
);
CREATE INDEX person_view_id_number ON person_view (id_number);

-- One row per open enrollment (正常参保 or 暂停参保): who is enrolled where, now.
CREATE TABLE current_enrollment (
    enrollment_id  uuid PRIMARY KEY,
    person_id      uuid NOT NULL,
    insurance_type text NOT NULL,
    scheme         text,
    region         text NOT NULL,
    pooling_region text NOT NULL,
    status         text NOT NULL,
    person_type    text NOT NULL,
    unit_code      text NOT NULL,
    since          date NOT NULL,
    last_change    date NOT NULL,
    imported       boolean NOT NULL
);
CREATE INDEX current_enrollment_person ON current_enrollment (person_id);
CREATE INDEX current_enrollment_unit ON current_enrollment (unit_code);
CREATE INDEX current_enrollment_region ON current_enrollment (region, insurance_type);

-- Bitemporal history: each spell says "from valid_from to valid_to (exclusive) the
-- enrollment had this status", and was believed from recorded_from to recorded_to.
CREATE TABLE enrollment_spell (
    person_id      uuid NOT NULL,
    enrollment_id  uuid NOT NULL,
    insurance_type text NOT NULL,
    scheme         text,
    region         text NOT NULL,
    pooling_region text NOT NULL,
    unit_code      text NOT NULL,
    person_type    text NOT NULL,
    status         text NOT NULL,
    valid_from     date NOT NULL,
    valid_to       date,
    recorded_from  timestamptz NOT NULL,
    recorded_to    timestamptz
);
CREATE INDEX enrollment_spell_person ON enrollment_spell (person_id);
CREATE INDEX enrollment_spell_cohort ON enrollment_spell (region, scheme, valid_from, recorded_from);
CREATE INDEX enrollment_spell_roster ON enrollment_spell (unit_code, valid_from) WHERE recorded_to IS NULL;

-- Open overlaps of two enrollments in force at once, with the cleanup rule's roles.
CREATE TABLE duplicate_set (
    person_id            uuid NOT NULL,
    kind                 text NOT NULL,
    first_enrollment_id  uuid NOT NULL,
    second_enrollment_id uuid NOT NULL,
    first_region         text NOT NULL,
    second_region        text NOT NULL,
    first_type           text NOT NULL,
    second_type          text NOT NULL,
    overlap_from         date NOT NULL,
    keep_enrollment_id   uuid,
    clean_enrollment_id  uuid,
    confirming_region    text,
    PRIMARY KEY (first_enrollment_id, second_enrollment_id)
);
CREATE INDEX duplicate_set_kind ON duplicate_set (kind, first_region);
CREATE INDEX duplicate_set_person ON duplicate_set (person_id);

CREATE TABLE anomaly (
    subject_id   uuid NOT NULL,
    subject_kind text NOT NULL,
    subject_code text NOT NULL,
    region       text,
    kind         text NOT NULL,
    detail       text NOT NULL
);
CREATE INDEX anomaly_kind ON anomaly (kind, region);
CREATE INDEX anomaly_subject ON anomaly (subject_id);

CREATE TABLE unit_view (
    unit_id         uuid PRIMARY KEY,
    unit_code       text NOT NULL,
    name            text NOT NULL,
    unit_type       text NOT NULL,
    management_type text NOT NULL,
    region          text NOT NULL,
    finance_funded  boolean NOT NULL,
    status          text NOT NULL,
    successor_codes text[] NOT NULL
);
CREATE UNIQUE INDEX unit_view_code ON unit_view (unit_code);

-- After a unit confirms its data in a campaign, unit-channel corrections wait until locked_until.
CREATE TABLE lock_window (
    unit_id      uuid NOT NULL,
    unit_code    text NOT NULL,
    campaign_id  text NOT NULL,
    confirmed_at timestamptz NOT NULL,
    locked_until date NOT NULL,
    PRIMARY KEY (unit_code, campaign_id)
);
CREATE INDEX lock_window_unit ON lock_window (unit_id);
