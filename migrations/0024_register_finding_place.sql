-- A comparison's findings are keyed by their place, one text of kind, region and ID number
-- (projections/register_comparison.py PLACE), which sorts as the three columns did: its index is
-- built in half the time (a sort of one text column compares abbreviated keys), and a page is read
-- from it within the kind and region asked for. The partitions already kept change their key's
-- index to the place.
DO $$
DECLARE
    own text;
BEGIN
    FOR own IN SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'register_finding'::regclass LOOP
        EXECUTE format('DROP INDEX %I', own || '_key');
        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (((kind || '' '' || region || '' '' || id_number) COLLATE "C"))',
                       own || '_key', own);
    END LOOP;
END $$;
