-- Which reference-server records `telemetrics import-reference` already copied:
-- one row per source record (a hash of its reference id, receive time and machine
-- id), pointing at the record it became, so a second import adds nothing. Rows
-- stay when retention or `forget` deletes the record: a re-import must not bring
-- back what was deleted on purpose.

CREATE TABLE imported_records (
  source_key  bytea       PRIMARY KEY,
  record_id   bigint      NOT NULL,
  received_at timestamptz NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
