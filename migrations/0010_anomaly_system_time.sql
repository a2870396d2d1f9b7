-- Anomalies are kept with the system times they were believed over, so 附件2's "after" column 6
-- counts what was wrong as known then. The anomalies projection is recomputed.
ALTER TABLE anomaly ADD COLUMN recorded_from timestamptz;
ALTER TABLE anomaly ADD COLUMN recorded_to timestamptz;
TRUNCATE anomaly;
CREATE INDEX anomaly_current ON anomaly (kind, region) WHERE recorded_to IS NULL;
DO $$ BEGIN
    IF to_regclass('projection_tracking') IS NOT NULL THEN
        DELETE FROM projection_tracking WHERE application_name = 'anomalies';
    END IF;
    IF to_regclass('projection_quarantine') IS NOT NULL THEN
        DELETE FROM projection_quarantine WHERE projection = 'anomalies';
    END IF;
END $$;
