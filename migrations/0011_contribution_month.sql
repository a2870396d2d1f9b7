-- Months paid (缴费记录) as the ledger knows them now, by unit and month: what a unit's
-- contribution list (单位缴费记录查询) reads without replaying every staff member's stream.
CREATE TABLE contribution_month (
    person_id       uuid          NOT NULL,
    month           date          NOT NULL,
    insurance_type  text          NOT NULL,
    region          text          NOT NULL,
    unit_code       text          NOT NULL,
    base            numeric(14,2) NOT NULL,
    unit_amount     numeric(14,2) NOT NULL,
    personal_amount numeric(14,2) NOT NULL,
    paid_on         date,
    PRIMARY KEY (person_id, month, insurance_type, region)
);
CREATE INDEX contribution_month_by_unit ON contribution_month (unit_code, month);
