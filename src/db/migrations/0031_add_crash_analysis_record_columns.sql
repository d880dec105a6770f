-- The crash views' filter and grouping columns, copied from each crash record into its
-- crash_analysis row when it is analysed (issue #5): the top lists and a guilty's
-- machines then read crash_analysis alone instead of joining every crash record's
-- heap row in records. Records are never updated, so the copies stay true; an
-- analysis is deleted with its record (retention, forget, partition drops).

ALTER TABLE crash_analysis
  ADD COLUMN classification   text,
  ADD COLUMN build            text,
  ADD COLUMN machine_id       text,
  ADD COLUMN system_name      text,
  ADD COLUMN severity         smallint,
  ADD COLUMN external         boolean,
  ADD COLUMN timestamp_client bigint;

-- Existing analyses. By id only: imported records carry microseconds that the
-- processor's received_at lost through a JS Date; the exact time is copied too.
UPDATE crash_analysis a SET
  received_at = r.received_at, classification = r.classification, build = r.build, machine_id = r.machine_id,
  system_name = r.system_name, severity = r.severity, external = r.external, timestamp_client = r.timestamp_client
FROM records r
WHERE r.id = a.record_id;

-- Analyses whose record is gone (a delete racing the processor's write) are orphans
-- that no view shows and the processor's cleanup deletes anyway.
DELETE FROM crash_analysis WHERE build IS NULL;

ALTER TABLE crash_analysis
  ALTER COLUMN classification SET NOT NULL,
  ALTER COLUMN build SET NOT NULL,
  ALTER COLUMN machine_id SET NOT NULL,
  ALTER COLUMN system_name SET NOT NULL,
  ALTER COLUMN severity SET NOT NULL,
  ALTER COLUMN external SET NOT NULL,
  ALTER COLUMN timestamp_client SET NOT NULL;

-- Top lists: the newest matching record per build, then each chosen build's client-time window.
CREATE INDEX crash_analysis_build_time_idx ON crash_analysis (build, timestamp_client) INCLUDE (guilty_id, signature);
-- A guilty's machines per build (replaces the guilty_id index).
DROP INDEX crash_analysis_guilty_idx;
CREATE INDEX crash_analysis_guilty_idx ON crash_analysis (guilty_id, build, machine_id) INCLUDE (timestamp_client);
-- The most frequent guilty of a signature (replaces the signature index).
DROP INDEX crash_analysis_signature_idx;
CREATE INDEX crash_analysis_signature_idx ON crash_analysis (signature, guilty_id);
