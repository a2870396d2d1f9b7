-- Streams a projection could not derive rows for (an event its row functions fail on, or a
-- value PostgreSQL refuses, such as a NUL stored by an older version). The stream's earlier
-- rows stay served, every other stream carries on, and the entry goes away when a later
-- event (an office's correction) lets the stream be derived again.
CREATE TABLE projection_quarantine (
    projection     text        NOT NULL,
    stream_id      uuid        NOT NULL,
    position       bigint      NOT NULL,  -- the log position the failed derivation read up to
    error          text        NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, stream_id)
);
