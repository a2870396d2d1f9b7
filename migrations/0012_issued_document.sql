-- Documents the ledger printed (参保凭证, 参保证明, 缴费记录): what each stated and on what it
-- was based, so a printed or forwarded copy can be verified later. Rows are only ever added.
CREATE TABLE issued_document (
    code             text        PRIMARY KEY,
    kind             text        NOT NULL,
    subject_id       uuid        NOT NULL,
    certificate_type text        NOT NULL,
    id_whole         boolean     NOT NULL,  -- whether the ID number was printed whole (else masked)
    as_of            date        NOT NULL,
    known_at         timestamptz NOT NULL,
    months_from      date,
    months_to        date,
    ledger_position  bigint      NOT NULL,  -- the last event of the log when it was printed
    facts_digest     text        NOT NULL,  -- SHA-256 of what it states
    text_digest      text        NOT NULL,  -- SHA-256 of the PDF's text, the code line left out
    issued_by        text        NOT NULL,
    issued_at        timestamptz NOT NULL
);
CREATE INDEX issued_document_subject ON issued_document (subject_id);
