-- Each version of the population register is a partition of its own (LIST by version): a comparison
-- reads the one version it names. In one table it read every version loaded before — a city that
-- loads an extract each month would compare against twelve times the register by the end of a
-- year. Loading a version creates its partition (importer/register_file.py, `version_table`) and
-- COPYs into it; forgetting a version would be dropping a table. The versions kept move to
-- partitions of their own.
ALTER TABLE reference_person RENAME TO reference_person_unpartitioned;
ALTER TABLE reference_person_unpartitioned RENAME CONSTRAINT reference_person_pkey
    TO reference_person_unpartitioned_pkey;
ALTER TABLE reference_person_unpartitioned RENAME CONSTRAINT reference_person_version_id_fkey
    TO reference_person_unpartitioned_version_id_fkey;

-- The same columns, defaults and key as before (migration 0016 states them); a foreign key is not
-- copied by LIKE, so it is added again.
CREATE TABLE reference_person (LIKE reference_person_unpartitioned INCLUDING ALL) PARTITION BY LIST (version_id);
ALTER TABLE reference_person ADD FOREIGN KEY (version_id) REFERENCES reference_version;

DO $$
DECLARE
    kept integer;
BEGIN
    FOR kept IN SELECT version_id FROM reference_version LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF reference_person FOR VALUES IN (%s)',
                       'reference_person_v' || kept, kept);  -- register_file.version_table
    END LOOP;
END $$;
INSERT INTO reference_person SELECT * FROM reference_person_unpartitioned;
DROP TABLE reference_person_unpartitioned;
