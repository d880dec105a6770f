-- One row per retention purge: the proof that it ran, what it deleted, or why it
-- failed. A scheduled run claims its local day first (the unique scheduled_day),
-- so with several server processes on one database each day's purge runs once.
-- Manual runs (`telemetrics purge`) have no scheduled_day.

CREATE TABLE retention_runs (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scheduled_day date        UNIQUE,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  -- per step: {"label", "records", "crashAnalyses", "fingerprints"}; partitions dropped
  deleted       jsonb,
  error         text
);
CREATE INDEX retention_runs_started_at_idx ON retention_runs (started_at);
