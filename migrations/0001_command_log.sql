-- Every command the ledger accepted, keyed by the caller's command id, written in the same
-- transaction as its events: retrying a command with the same id records nothing new and
-- returns the first result.
CREATE TABLE command_log (
    command_id   uuid PRIMARY KEY,
    command_type text        NOT NULL,
    recorded_at  timestamptz NOT NULL,
    -- [[stream id, version], ...] of the events the command recorded, in order.
    positions    jsonb       NOT NULL
);
