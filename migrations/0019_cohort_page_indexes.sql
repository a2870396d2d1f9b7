-- Keyset pages of duplicate sets and of current anomalies read in their key order: without these
-- indexes every page sorted the whole table (issue 20: a page of 50 duplicate sets was 5x the floor).
CREATE INDEX duplicate_set_page ON duplicate_set (first_enrollment_id, second_enrollment_id);
CREATE INDEX anomaly_page ON anomaly (subject_id, kind) WHERE recorded_to IS NULL;
