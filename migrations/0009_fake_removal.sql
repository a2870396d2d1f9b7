-- Enrollments removed as fake (清理虚假参保) and when that was recorded: 附件2 counts a removal as
-- 虚假参保 only when it was recorded as one.
CREATE TABLE fake_removal (
    person_id     uuid        NOT NULL,
    enrollment_id uuid        NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (person_id, enrollment_id)
);
