-- Findings are a read model, written with their comparison in one transaction; checking the
-- foreign key row by row cost a tenth of a comparison's time. (The ledger never deletes a
-- comparison; whoever does removes its findings by the same comparison_id.)
ALTER TABLE register_finding DROP CONSTRAINT register_finding_comparison_id_fkey;
