-- Running hashes over the event log in notification order. Each checkpoint covers every
-- event up to `notification_id`; an auditor keeps the digest of one outside the system and
-- later asks `canbao verify --since DIGEST` whether the log still hashes the same.
CREATE TABLE audit_checkpoint (
    notification_id bigint PRIMARY KEY,
    event_count     bigint      NOT NULL,
    running_hash    text        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
