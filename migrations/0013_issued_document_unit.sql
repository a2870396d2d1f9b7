-- A unit's 参保证明 names the unit by its code (a unit imported from a legacy extract may have
-- no registration, so its code cannot be looked up from the stream id).
ALTER TABLE issued_document ADD COLUMN unit_code text;
