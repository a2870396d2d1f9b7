-- Verification campaigns (核对, seed 000) and their windows, so a unit-channel correction can be
-- checked against the campaigns that cover the unit's region.
CREATE TABLE campaign_view (
    stream_id       uuid PRIMARY KEY,
    campaign_id     text NOT NULL,
    name            text NOT NULL,
    region          text NOT NULL,
    export_from     date NOT NULL,
    export_to       date NOT NULL,
    correction_from date NOT NULL,
    correction_to   date NOT NULL,
    locked_until    date NOT NULL
);
CREATE INDEX campaign_view_window ON campaign_view (correction_to);
