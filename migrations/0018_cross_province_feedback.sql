-- The national platform's feedback of cross-province duplicates (seed 001 二.2 清理跨省重复参保):
-- each row the other province's enrollment of a person, kept per loaded file.
CREATE TABLE cross_province_feedback (
    batch                 text NOT NULL,
    row_number            integer NOT NULL,
    loaded_at             timestamptz NOT NULL,
    id_number             text NOT NULL,
    name                  text NOT NULL,
    other_region          text NOT NULL,
    other_insurance_type  text NOT NULL,
    other_start           date NOT NULL,
    other_unit            text,
    PRIMARY KEY (batch, row_number)
);
CREATE INDEX cross_province_feedback_id ON cross_province_feedback (id_number);
