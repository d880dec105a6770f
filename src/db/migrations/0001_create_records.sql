-- Records, partitioned by server receive time (one partition per UTC day) so that
-- retention drops whole expired days in one step. Keeps every field of both wire
-- formats; column names follow the reference's flat schema where they exist.

CREATE SEQUENCE records_id_seq AS bigint;

CREATE TABLE records (
  id               bigint      NOT NULL DEFAULT nextval('records_id_seq'),
  received_at      timestamptz NOT NULL,
  machine_id       text        NOT NULL,
  host_type        text        NOT NULL,
  severity         smallint    NOT NULL,
  classification   text        NOT NULL,
  build            text        NOT NULL,
  architecture     text        NOT NULL,
  kernel_version   text        NOT NULL,
  record_version   smallint    NOT NULL,
  timestamp_client bigint      NOT NULL,
  payload_version  integer     NOT NULL,
  system_name      text        NOT NULL,
  board_name       text        NOT NULL,
  bios_version     text        NOT NULL,
  cpu_model        text        NOT NULL,
  event_id         text        NOT NULL,
  external         boolean     NOT NULL DEFAULT false,
  payload          text        NOT NULL,
  PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);

ALTER SEQUENCE records_id_seq OWNED BY records.id;

-- What the reference UI and API filter and sort on (reference-backend.md §6, §8);
-- the reference had none of these.
CREATE INDEX records_received_at_idx ON records (received_at);
CREATE INDEX records_classification_idx ON records (classification, id);
CREATE INDEX records_build_idx ON records (build, id);
CREATE INDEX records_machine_id_idx ON records (machine_id, id);
CREATE INDEX records_timestamp_client_idx ON records (timestamp_client);
CREATE INDEX records_system_name_idx ON records (system_name, id);
CREATE INDEX records_severity_idx ON records (severity, id);

-- Creates the daily partitions covering [first_day, first_day + days). Idempotent;
-- called at start, hourly, and by the writer when a row finds no partition.
CREATE FUNCTION ensure_record_partitions(first_day date, days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  day date;
  created integer := 0;
  name text;
BEGIN
  FOR i IN 0 .. days - 1 LOOP
    day := first_day + i;
    name := 'records_p' || to_char(day, 'YYYYMMDD');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE IF NOT EXISTS %I PARTITION OF records FOR VALUES FROM (%L) TO (%L)',
        name, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$$;

SELECT ensure_record_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);

-- Client retries are exact copies: one row per distinct record content seen in the
-- duplicate window, pointing at the stored record.
CREATE TABLE record_fingerprints (
  fingerprint bytea       PRIMARY KEY,
  record_id   bigint      NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX record_fingerprints_received_at_idx ON record_fingerprints (received_at);

-- Invalid records kept under the `quarantine` policy, with the raw request.
CREATE TABLE quarantined_records (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  code        text        NOT NULL,
  message     text        NOT NULL,
  path        text        NOT NULL,
  remote_addr text,
  headers     jsonb       NOT NULL,
  body        bytea       NOT NULL
);
CREATE INDEX quarantined_records_received_at_idx ON quarantined_records (received_at);
