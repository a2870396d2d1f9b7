-- Service requests (申请-受理-审核-办结, seeds 002/003/004): one row per request, the 台账 offices
-- keep. Deadlines are not stored: they are derived on reading from the working-day calendar,
-- so loading next year's official schedule makes provisional deadlines exact.
CREATE TABLE service_request (
    stream_id         uuid PRIMARY KEY,
    request_id        uuid NOT NULL UNIQUE,
    item_code         text NOT NULL,
    command           text NOT NULL,
    stage             text NOT NULL,
    region            text NOT NULL,       -- the insured region: its office reviews and completes
    person_id         uuid,                -- the person it is about (person commands)
    id_number         text,
    unit_code         text,                -- the unit it is about, or the unit that filed it
    applicant_kind    text NOT NULL,
    online_review     boolean NOT NULL,
    applied_on        date NOT NULL,
    accepted_on       date,
    accepted_by       text,
    reviewed_on       date,
    reviewed_by       text,
    completed_on      date,
    completed_by      text,
    rejection         text,
    applied_at        timestamptz NOT NULL,
    last_step_at      timestamptz NOT NULL
);
CREATE INDEX service_request_open ON service_request (stage, applied_at);
CREATE INDEX service_request_unit ON service_request (unit_code, applied_at);
CREATE INDEX service_request_person ON service_request (person_id);
CREATE INDEX service_request_region ON service_request (region, applied_at);

-- Official working-day schedules loaded after release (`canbao calendar load`): the State
-- Council's notice for a year the chinesecalendar package does not know yet, as data.
CREATE TABLE working_calendar (
    year              integer PRIMARY KEY,
    holidays          date[] NOT NULL,
    working_weekends  date[] NOT NULL,
    source            text NOT NULL,
    loaded_at         timestamptz NOT NULL DEFAULT now()
);
