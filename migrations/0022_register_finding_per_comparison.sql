-- A comparison's findings are a partition of their own (LIST by comparison). A comparison then
-- writes them the way bulk loads are written: its parallel join creates the partition's table
-- (CREATE TABLE AS may run its query over the cores; INSERT … SELECT cannot), the key's index is
-- built once over the finished table, and the table is attached. Sorting the findings and filling
-- the one shared index a row at a time took 0.9–1.2 s of a 2.5–3 s comparison at 725,000 persons.
-- Reading one comparison's findings prunes to its partition; forgetting a comparison is dropping
-- a table. The findings already kept move to partitions of their own.
ALTER TABLE register_finding RENAME TO register_finding_unpartitioned;
ALTER TABLE register_finding_unpartitioned RENAME CONSTRAINT register_finding_pkey
    TO register_finding_unpartitioned_pkey;

CREATE TABLE register_finding (
    comparison_id     uuid NOT NULL,
    kind              text COLLATE "C" NOT NULL,   -- not_in_register, mismatch, death_unrecorded, not_enrolled
    id_number         text COLLATE "C" NOT NULL,
    name              text NOT NULL,
    region            text COLLATE "C" NOT NULL,   -- the enrollment's region; the household region for the not-enrolled
    household_region  text,
    person_id         uuid,
    reason            text,                        -- 附件3 reason for the not-enrolled
    detail            text NOT NULL
) PARTITION BY LIST (comparison_id);
-- The key (kind, region, ID number) is unique within each partition, that is within each comparison,
-- by an index of the partition's own: without the comparison's id in every entry, built in a
-- third less time.

DO $$
DECLARE
    kept uuid;
    own text;
BEGIN
    FOR kept IN SELECT DISTINCT comparison_id FROM register_finding_unpartitioned LOOP
        own := 'register_finding_' || replace(kept::text, '-', '');  -- register_comparison.findings_table
        EXECUTE format('CREATE TABLE %I PARTITION OF register_finding FOR VALUES IN (%L)', own, kept);
        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (kind, region, id_number)', own || '_key', own);
    END LOOP;
END $$;
INSERT INTO register_finding SELECT * FROM register_finding_unpartitioned;
DROP TABLE register_finding_unpartitioned;
