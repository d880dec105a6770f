-- Issue #5: less work on the insert path for the aggregates.
--
-- 1. The rollup insert trigger appends one row per statement instead of one per key.
--    A collector batch of ~16 records from ~16 machines made ~16 rows in
--    record_rollup_deltas: one heap tuple and one WAL record each, deleted again by the
--    fold (as many more), and vacuumed. The trigger now groups the statement's records per
--    key as before and stores the groups as parallel arrays in a single row of
--    record_rollup_insert_deltas. Readers and the fold see both tables through
--    record_rollup_pending_deltas, one row per key as before, so every answer and the
--    fold's arithmetic are unchanged, and it stays exact for 0050's reason: the row commits
--    with the statement's records, the fold deletes what one snapshot sees and commits
--    with the rollups. Deletes, updates and partition drops still append rows to
--    record_rollup_deltas (they are rare and may be large).
-- 2. The MCE insert trigger becomes a row trigger with a WHEN condition. As a statement
--    trigger it ran a PL/pgSQL call and scanned the statement's rows for every batch,
--    though MCE records are a fraction of a percent of the traffic; a row trigger whose
--    WHEN is false queues nothing.
-- 3. mce_reports stores each report's week (%U of its client time, UTC), which
--    /api/stats/mce grouped by after computing it per row at every request.

SELECT pg_advisory_xact_lock(7069078318);

-- The deltas of one INSERT statement on records: element i of every array is one key.
CREATE TABLE record_rollup_insert_deltas (
  buckets         timestamptz[] NOT NULL,
  classifications text[]        NOT NULL,
  builds          text[]        NOT NULL,
  severities      smallint[]    NOT NULL,
  system_names    text[]        NOT NULL,
  externals       boolean[]     NOT NULL,
  host_types      text[]        NOT NULL,
  architectures   text[]        NOT NULL,
  machine_ids     text[]        NOT NULL,
  counts          bigint[]      NOT NULL,
  last_seens      bigint[]      NOT NULL
);

-- Every delta not yet folded, one row per key and statement, whichever table holds it.
CREATE VIEW record_rollup_pending_deltas AS
  SELECT bucket, classification, build, severity, system_name, external, host_type, architecture, machine_id, count, last_seen
  FROM record_rollup_deltas
  UNION ALL
  SELECT d.bucket, d.classification, d.build, d.severity, d.system_name, d.external, d.host_type, d.architecture, d.machine_id, d.count, d.last_seen
  FROM record_rollup_insert_deltas b
  CROSS JOIN LATERAL unnest(b.buckets, b.classifications, b.builds, b.severities, b.system_names, b.externals,
    b.host_types, b.architectures, b.machine_ids, b.counts, b.last_seens)
    AS d(bucket, classification, build, severity, system_name, external, host_type, architecture, machine_id, count, last_seen);

CREATE OR REPLACE FUNCTION records_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO record_rollup_insert_deltas
  SELECT array_agg(bucket), array_agg(classification), array_agg(build), array_agg(severity), array_agg(system_name),
    array_agg(external), array_agg(host_type), array_agg(architecture), array_agg(machine_id), array_agg(n), array_agg(last_seen)
  FROM (
    SELECT date_trunc('hour', received_at, 'UTC') AS bucket, classification, build, severity, system_name, external,
      host_type, architecture, machine_id, count(*) AS n, max(timestamp_client) AS last_seen
    FROM inserted_records GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ) g
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;

-- 0065's count fold, taking the deltas of both tables. The two DELETEs and the records
-- the population fold reads later see one snapshot per statement, as before.
CREATE OR REPLACE FUNCTION fold_record_count_deltas(lock_key bigint, wait boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  folded bigint;
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(lock_key);
  ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
    RETURN NULL;
  END IF;
  WITH taken_rows AS (
    DELETE FROM record_rollup_deltas
    RETURNING bucket, classification, build, severity, system_name, external, host_type, architecture, machine_id, count, last_seen
  ), taken_statements AS (
    DELETE FROM record_rollup_insert_deltas RETURNING *
  ), taken AS (
    SELECT * FROM taken_rows
    UNION ALL
    SELECT d.* FROM taken_statements b
    CROSS JOIN LATERAL unnest(b.buckets, b.classifications, b.builds, b.severities, b.system_names, b.externals,
      b.host_types, b.architectures, b.machine_ids, b.counts, b.last_seens)
      AS d(bucket, classification, build, severity, system_name, external, host_type, architecture, machine_id, count, last_seen)
  ), hourly AS (
    SELECT d.bucket, d.classification, d.build, d.severity, d.system_name, d.external, coalesce(r.count, 0) + d.n AS new_count
    FROM (SELECT bucket, classification, build, severity, system_name, external, sum(count) AS n FROM taken GROUP BY 1, 2, 3, 4, 5, 6) d
    LEFT JOIN LATERAL (
      SELECT x.count FROM record_rollups_hourly x
      WHERE (x.bucket, x.classification, x.build, x.severity, x.system_name, x.external) = (d.bucket, d.classification, d.build, d.severity, d.system_name, d.external)
      OFFSET 0
    ) r ON true
  ), hourly_upserted AS (
    INSERT INTO record_rollups_hourly AS r (bucket, classification, build, severity, system_name, external, count)
    SELECT bucket, classification, build, severity, system_name, external, new_count FROM hourly WHERE new_count > 0
    ON CONFLICT (bucket, classification, build, severity, system_name, external) DO UPDATE SET count = excluded.count
  ), hourly_removed AS (
    DELETE FROM record_rollups_hourly r USING hourly c
    WHERE c.new_count <= 0 AND (r.bucket, r.classification, r.build, r.severity, r.system_name, r.external) = (c.bucket, c.classification, c.build, c.severity, c.system_name, c.external)
  ), daily AS (
    SELECT d.bucket, d.classification, d.build, d.severity, d.system_name, d.external, coalesce(r.count, 0) + d.n AS new_count
    FROM (SELECT date_trunc('day', bucket, 'UTC') AS bucket, classification, build, severity, system_name, external, sum(count) AS n FROM taken GROUP BY 1, 2, 3, 4, 5, 6) d
    LEFT JOIN LATERAL (
      SELECT x.count FROM record_rollups_daily x
      WHERE (x.bucket, x.classification, x.build, x.severity, x.system_name, x.external) = (d.bucket, d.classification, d.build, d.severity, d.system_name, d.external)
      OFFSET 0
    ) r ON true
  ), daily_upserted AS (
    INSERT INTO record_rollups_daily AS r (bucket, classification, build, severity, system_name, external, count)
    SELECT bucket, classification, build, severity, system_name, external, new_count FROM daily WHERE new_count > 0
    ON CONFLICT (bucket, classification, build, severity, system_name, external) DO UPDATE SET count = excluded.count
  ), daily_removed AS (
    DELETE FROM record_rollups_daily r USING daily c
    WHERE c.new_count <= 0 AND (r.bucket, r.classification, r.build, r.severity, r.system_name, r.external) = (c.bucket, c.classification, c.build, c.severity, c.system_name, c.external)
  ), host AS (
    SELECT d.bucket, d.host_type, d.architecture, d.classification, d.external, coalesce(r.count, 0) + d.n AS new_count
    FROM (SELECT date_trunc('day', bucket, 'UTC') AS bucket, host_type, architecture, classification, external, sum(count) AS n FROM taken GROUP BY 1, 2, 3, 4, 5) d
    LEFT JOIN LATERAL (
      SELECT x.count FROM record_host_rollups_daily x
      WHERE (x.bucket, x.host_type, x.architecture, x.classification, x.external) = (d.bucket, d.host_type, d.architecture, d.classification, d.external)
      OFFSET 0
    ) r ON true
  ), host_upserted AS (
    INSERT INTO record_host_rollups_daily AS r (bucket, host_type, architecture, classification, external, count)
    SELECT bucket, host_type, architecture, classification, external, new_count FROM host WHERE new_count > 0
    ON CONFLICT (bucket, host_type, architecture, classification, external) DO UPDATE SET count = excluded.count
  ), host_removed AS (
    DELETE FROM record_host_rollups_daily r USING host c
    WHERE c.new_count <= 0 AND (r.bucket, r.host_type, r.architecture, r.classification, r.external) = (c.bucket, c.host_type, c.architecture, c.classification, c.external)
  ), staged AS (
    INSERT INTO record_machine_deltas (classification, system_name, build, machine_id, external, n, added, removed)
    SELECT classification, system_name, build, machine_id, external, sum(count),
      max(last_seen) FILTER (WHERE count > 0), max(last_seen) FILTER (WHERE count < 0)
    FROM taken GROUP BY 1, 2, 3, 4, 5
  )
  SELECT count(*) INTO folded FROM taken;
  RETURN folded;
END
$$;

-- TRUNCATE records empties every rollup (as 0065, plus the statements' deltas).
CREATE OR REPLACE FUNCTION records_rollups_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM record_rollups_hourly;
  DELETE FROM record_rollups_daily;
  DELETE FROM record_host_rollups_daily;
  DELETE FROM record_machine_rollups;
  DELETE FROM record_rollup_deltas;
  DELETE FROM record_rollup_insert_deltas;
  DELETE FROM record_machine_deltas;
  DELETE FROM record_machine_build_rollups;
  DELETE FROM record_machine_classification_rollups;
  DELETE FROM record_machine_system_rollups;
  DELETE FROM record_population_days;
  DELETE FROM record_population_build_days;
  DELETE FROM record_population_classification_days;
  DELETE FROM record_population_system_days;
  DELETE FROM record_machine_prefix_rollups;
  DELETE FROM record_population_prefix_days;
  RETURN NULL;
END
$$;

-- Deltas a trigger of the previous version appended and no fold has taken yet are in
-- record_rollup_deltas, which the fold still reads: nothing to move.

-- 2. One MCE row per MCE record, from a row trigger that other records do not fire.
DROP TRIGGER records_mce_insert ON records;
DROP FUNCTION mce_reports_after_insert();

CREATE FUNCTION mce_report_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mce_reports (record_id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client, status)
  VALUES (NEW.id, NEW.received_at, NEW.classification, NEW.build, NEW.machine_id, NEW.system_name, NEW.severity, NEW.external,
    NEW.timestamp_client, substring(NEW.payload FROM 'STATUS.*([A-Fa-f0-9]{8}) MCGSTATUS'));
  RETURN NULL;
END
$$;

CREATE TRIGGER records_mce_insert AFTER INSERT ON records
  FOR EACH ROW WHEN (NEW.classification LIKE 'org.clearlinux/mce/%') EXECUTE FUNCTION mce_report_after_insert();

-- 3. The %U week (Sunday-based, 0..53) of the client time in UTC; NULL outside
--    4714 BC .. 9999-12-31, where to_timestamp() fails or /api/stats/mce gives no week.
--    The same expression as /api/stats/mce on records.
ALTER TABLE mce_reports ADD COLUMN week smallint GENERATED ALWAYS AS (
  CASE WHEN timestamp_client BETWEEN -210866803200 AND 253402300799 THEN
    ((extract(doy FROM to_timestamp(timestamp_client) AT TIME ZONE 'UTC')::int + 6
      - extract(dow FROM to_timestamp(timestamp_client) AT TIME ZONE 'UTC')::int) / 7)::smallint
  END
) STORED;
