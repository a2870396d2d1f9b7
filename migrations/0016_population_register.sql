-- The population register (公安人口库) as versioned reference snapshots (seed 001: 通过与公安人口库
-- 信息比对…清理虚假参保, 形成本市未参保人员信息库). A later extract is a new version, never an
-- overwrite; each version has its own system time (loaded_at).
CREATE TABLE reference_version (
    version_id  serial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    source      text NOT NULL,
    loaded_at   timestamptz NOT NULL,
    persons     integer NOT NULL
);

CREATE TABLE reference_person (
    version_id        integer NOT NULL REFERENCES reference_version,
    id_number         text NOT NULL,   -- 18 digits (a 15-digit number is upgraded)
    name              text NOT NULL,
    gender            text NOT NULL,
    birth_date        date NOT NULL,
    household_region  text NOT NULL,
    address           text,
    status            text NOT NULL,   -- 1 alive, 2 dead, 3 moved abroad, 4 in custody, 5 in service (军人)
    status_date       date,
    coverage          text,            -- outside basic medical insurance: 公费医疗, 医疗照顾, 离休
    PRIMARY KEY (version_id, id_number)
);

-- A comparison of the ledger (as of a valid date, as known at a system time) with one version.
CREATE TABLE register_comparison (
    comparison_id  uuid PRIMARY KEY,
    version_id     integer NOT NULL REFERENCES reference_version,
    as_of          date NOT NULL,
    known_at       timestamptz NOT NULL,
    made_at        timestamptz NOT NULL
);

-- What it found: suspected fake enrollments, deaths not recorded, the not-enrolled (附件3).
CREATE TABLE register_finding (
    comparison_id     uuid NOT NULL REFERENCES register_comparison ON DELETE CASCADE,
    kind              text NOT NULL,   -- not_in_register, mismatch, death_unrecorded, not_enrolled
    id_number         text NOT NULL,
    name              text NOT NULL,
    region            text NOT NULL,   -- the enrollment's region; the household region for the not-enrolled
    household_region  text,
    person_id         uuid,
    reason            text,            -- 附件3 reason for the not-enrolled
    detail            text NOT NULL,
    PRIMARY KEY (comparison_id, kind, id_number, region)
);
CREATE INDEX register_finding_list ON register_finding (comparison_id, kind, region, id_number);
