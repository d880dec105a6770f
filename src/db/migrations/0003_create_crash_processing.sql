-- What background crash processing needs beyond 0002: per-record display fields,
-- the normalised frames behind each signature, and the reprocess jobs that
-- re-evaluate every crash record after a blacklist change or a reset.

-- Shown by the backtraces view (reference-backend §8.7) without parsing the payload.
ALTER TABLE crash_analysis
  ADD COLUMN program text,
  ADD COLUMN signal  integer;

-- Retention deletes the analysis of expired records by receive time.
CREATE INDEX crash_analysis_received_at_idx ON crash_analysis (received_at);

-- A signature is a hash of its frames, so one row per signature never changes.
CREATE TABLE crash_signatures (
  signature  text        PRIMARY KEY,
  frames     text[]      NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- "Submit" and "Reset" (reference-backend §8.8, §10.3): one job runs at a time and
-- at most one waits; a request while one waits joins it (requests counts them).
-- The running job walks crash_analysis by record_id up to upto_record_id, so a
-- restarted server resumes it from cursor_record_id.
CREATE TABLE reprocess_jobs (
  id               integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reason           text        NOT NULL,
  requests         integer     NOT NULL DEFAULT 1,
  requested_at     timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  total            integer     NOT NULL DEFAULT 0,
  done             integer     NOT NULL DEFAULT 0,
  upto_record_id   bigint,
  cursor_record_id bigint      NOT NULL DEFAULT 0,
  CHECK (finished_at IS NULL OR started_at IS NOT NULL)
);
CREATE UNIQUE INDEX reprocess_jobs_one_waiting_idx ON reprocess_jobs ((true)) WHERE started_at IS NULL;
CREATE UNIQUE INDEX reprocess_jobs_one_running_idx ON reprocess_jobs ((true))
  WHERE started_at IS NOT NULL AND finished_at IS NULL;
