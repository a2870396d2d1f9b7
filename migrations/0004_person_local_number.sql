-- The local person number (人员编号) of legacy systems, for the cleanup lists of seed 001.
-- Filled by `canbao projections rebuild enrollments`.
ALTER TABLE person_view ADD COLUMN local_person_number text;
