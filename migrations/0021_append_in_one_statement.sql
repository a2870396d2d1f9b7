-- One command's append as one statement: its command-log row, the event table's EXCLUSIVE lock
-- (commit order = notification order, as eventsourcing's recorder takes it), NOTIFY and the rows,
-- committed by PostgreSQL at the end of the statement. Every writer waits for that lock, so it is
-- held for PostgreSQL's own work only: sent as separate pipelined statements, the lock was taken
-- and then held across the client's next send — a Python thread that may be waiting for its
-- interpreter lock (at 16 clients, 7 to 8 writers were waiting for the table at any moment).
CREATE FUNCTION canbao_append(
    command_id uuid, command_type text, recorded_at timestamptz, positions jsonb,
    stream_ids uuid[], versions bigint[], topics text[], states bytea[], lock_wait text
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF command_id IS NOT NULL THEN
        INSERT INTO command_log (command_id, command_type, recorded_at, positions)
        VALUES (command_id, command_type, recorded_at, positions);
    END IF;
    IF cardinality(stream_ids) > 0 THEN
        PERFORM set_config('lock_timeout', lock_wait, true);
        LOCK TABLE canbao_events IN EXCLUSIVE MODE;
        PERFORM pg_notify('canbao_events', '');
        INSERT INTO canbao_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(stream_ids, versions, topics, states);
    END IF;
END
$$;
