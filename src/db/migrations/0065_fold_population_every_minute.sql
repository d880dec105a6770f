-- Issue #5: the population part of the fold runs once a minute instead of every five
-- seconds, and every lookup of a machine-level row goes by its key.
--
-- 1. Two folds instead of one. At 10 M records and ~2,000 records/s from 2,000 machines,
--    nearly all of the five-second fold (0063/0064: ~1.15 of ~1.2 s) went to its
--    population part: per changed machine key, an upsert into each of five per-machine
--    tables and their histograms. A machine seen again within the interval costs its keys
--    once, so folding population less often saves in proportion. Counts cannot wait: the
--    count queries add the pending deltas, which must stay a few seconds of ingest.
--    fold_record_count_deltas() (every five seconds) moves the deltas into the count
--    rollups and stages their machine part, grouped per machine key, in
--    record_machine_deltas; fold_record_population_deltas() (every minute) folds the
--    staged rows as 0063 did. fold_record_rollup_deltas() does both, as before.
--    Exact for the reason 0050 gives: staging commits with the removal of the deltas, and
--    the population fold takes the staged rows and reads records under one snapshot;
--    last_seen is a maximum recomputed from records where a removal may have lowered it,
--    and counts add, so changes folded over several folds end equal. Population now lags
--    ingest by up to a minute.
-- 2. Lookups by key. 0063 joined the per-machine tables to the changed keys by hash when
--    the planner expected many keys: the prefix level (4.2 M rows at 10 M records) was read
--    whole, 0.3–2.6 s per fold, depending on the deltas' statistics when the function's
--    plan was made. Every stored row is now fetched by its key (LATERAL … OFFSET 0, as
--    0060 did for the count rollups).

SELECT pg_advisory_xact_lock(7069078318);

-- The machine part of folded deltas, waiting for the population fold: per count fold and
-- machine key, the net count change and the latest client time added and removed.
CREATE TABLE record_machine_deltas (
  classification text    NOT NULL,
  system_name    text    NOT NULL,
  build          text    NOT NULL,
  machine_id     text    NOT NULL,
  external       boolean NOT NULL,
  n              bigint  NOT NULL,
  added          bigint,
  removed        bigint
);

-- The count rollups from the pending deltas; their machine part is staged.
CREATE FUNCTION fold_record_count_deltas(lock_key bigint, wait boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  folded bigint;
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(lock_key);
  ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
    RETURN NULL;
  END IF;
  WITH taken AS (
    DELETE FROM record_rollup_deltas RETURNING *
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

-- The machine rollups, the per-machine levels and their histograms from the staged machine
-- deltas: 0063's population steps, with each stored row looked up by its key.
CREATE FUNCTION fold_record_population_deltas(lock_key bigint, wait boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  folded bigint;
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(lock_key);
  ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
    RETURN NULL;
  END IF;
  WITH taken AS (
    DELETE FROM record_machine_deltas RETURNING *
  ), delta AS (
    SELECT classification, system_name, build, machine_id, external, sum(n) AS n, max(added) AS added, max(removed) AS removed
    FROM taken GROUP BY 1, 2, 3, 4, 5
  ), change AS (
    -- last_seen from records only when a removed record may have been the latest.
    SELECT d.classification, d.system_name, d.build, d.machine_id, d.external, r.count AS old_count, r.last_seen AS old_seen,
      coalesce(r.count, 0) + d.n AS new_count,
      CASE WHEN d.removed >= greatest(r.last_seen, d.added) THEN coalesce((
        SELECT max(x.timestamp_client) FROM records x
        WHERE x.machine_id = d.machine_id AND x.build = d.build AND x.classification = d.classification
          AND x.system_name = d.system_name AND x.external = d.external), greatest(r.last_seen, d.added))
      ELSE greatest(r.last_seen, d.added) END AS new_seen
    FROM delta d
    LEFT JOIN LATERAL (
      SELECT x.count, x.last_seen FROM record_machine_rollups x
      WHERE (x.classification, x.system_name, x.build, x.machine_id, x.external) = (d.classification, d.system_name, d.build, d.machine_id, d.external)
      OFFSET 0
    ) r ON true
  ), upserted AS (
    INSERT INTO record_machine_rollups AS r (classification, system_name, build, machine_id, external, count, last_seen)
    SELECT classification, system_name, build, machine_id, external, new_count, new_seen FROM change WHERE new_count > 0
    ON CONFLICT (classification, system_name, build, machine_id, external)
    DO UPDATE SET count = excluded.count, last_seen = excluded.last_seen
  ), removed AS (
    DELETE FROM record_machine_rollups r USING change c
    WHERE c.new_count <= 0 AND (r.classification, r.system_name, r.build, r.machine_id, r.external) = (c.classification, c.system_name, c.build, c.machine_id, c.external)
  ), days AS (
    INSERT INTO record_population_days AS h (classification, system_name, build, external, day, machines)
    SELECT classification, system_name, build, external, day, sum(n) FROM (
      SELECT classification, system_name, build, external, record_population_day(old_seen) AS day, -1 AS n FROM change WHERE old_count IS NOT NULL
      UNION ALL
      SELECT classification, system_name, build, external, record_population_day(new_seen), 1 FROM change WHERE new_count > 0
    ) cells GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0
    ON CONFLICT (classification, system_name, build, external, day) DO UPDATE SET machines = h.machines + excluded.machines
  ), changed_machines AS (
    SELECT DISTINCT build, machine_id, external FROM change
  ), machine_keys AS (
    -- Every machine rollup key of a changed (build, machine, source) after this fold:
    -- unchanged keys as stored, changed ones as they become (removed ones left out).
    SELECT r.classification, r.system_name, r.build, r.machine_id, r.external, r.last_seen
    FROM changed_machines m
    CROSS JOIN LATERAL (
      SELECT x.classification, x.system_name, x.build, x.machine_id, x.external, x.last_seen FROM record_machine_rollups x
      WHERE (x.build, x.machine_id, x.external) = (m.build, m.machine_id, m.external)
      OFFSET 0
    ) r
    WHERE NOT EXISTS (
      SELECT 1 FROM change c
      WHERE (c.classification, c.system_name, c.build, c.machine_id, c.external) = (r.classification, r.system_name, r.build, r.machine_id, r.external)
    )
    UNION ALL
    SELECT classification, system_name, build, machine_id, external, new_seen FROM change WHERE new_count > 0
  ), latest AS (
    -- Per changed (build, machine, source): the stored latest and the latest of its keys after this fold.
    SELECT m.build, m.machine_id, m.external, b.last_seen AS old_seen, n.new_seen
    FROM changed_machines m
    LEFT JOIN LATERAL (
      SELECT x.last_seen FROM record_machine_build_rollups x
      WHERE (x.build, x.machine_id, x.external) = (m.build, m.machine_id, m.external)
      OFFSET 0
    ) b ON true
    LEFT JOIN (
      SELECT build, machine_id, external, max(last_seen) AS new_seen FROM machine_keys GROUP BY 1, 2, 3
    ) n USING (build, machine_id, external)
  ), builds_upserted AS (
    INSERT INTO record_machine_build_rollups AS b (build, machine_id, external, last_seen)
    SELECT build, machine_id, external, new_seen FROM latest WHERE new_seen IS NOT NULL
    ON CONFLICT (build, machine_id, external) DO UPDATE SET last_seen = excluded.last_seen
  ), builds_removed AS (
    DELETE FROM record_machine_build_rollups b USING latest l
    WHERE l.new_seen IS NULL AND (b.build, b.machine_id, b.external) = (l.build, l.machine_id, l.external)
  ), build_days AS (
    INSERT INTO record_population_build_days AS h (build, external, day, machines)
    SELECT build, external, day, sum(n) FROM (
      SELECT build, external, record_population_day(old_seen) AS day, -1 AS n FROM latest WHERE old_seen IS NOT NULL
      UNION ALL
      SELECT build, external, record_population_day(new_seen), 1 FROM latest WHERE new_seen IS NOT NULL
    ) cells GROUP BY 1, 2, 3 HAVING sum(n) <> 0
    ON CONFLICT (build, external, day) DO UPDATE SET machines = h.machines + excluded.machines
  ), classification_latest AS (
    SELECT m.classification, m.build, m.machine_id, m.external, b.last_seen AS old_seen, n.new_seen
    FROM (SELECT DISTINCT classification, build, machine_id, external FROM change) m
    LEFT JOIN LATERAL (
      SELECT x.last_seen FROM record_machine_classification_rollups x
      WHERE (x.classification, x.build, x.machine_id, x.external) = (m.classification, m.build, m.machine_id, m.external)
      OFFSET 0
    ) b ON true
    LEFT JOIN (
      SELECT classification, build, machine_id, external, max(last_seen) AS new_seen FROM machine_keys GROUP BY 1, 2, 3, 4
    ) n USING (classification, build, machine_id, external)
  ), classifications_upserted AS (
    INSERT INTO record_machine_classification_rollups AS b (classification, build, machine_id, external, last_seen)
    SELECT classification, build, machine_id, external, new_seen FROM classification_latest WHERE new_seen IS NOT NULL
    ON CONFLICT (classification, build, machine_id, external) DO UPDATE SET last_seen = excluded.last_seen
  ), classifications_removed AS (
    DELETE FROM record_machine_classification_rollups b USING classification_latest l
    WHERE l.new_seen IS NULL AND (b.classification, b.build, b.machine_id, b.external) = (l.classification, l.build, l.machine_id, l.external)
  ), classification_days AS (
    INSERT INTO record_population_classification_days AS h (classification, build, external, day, machines)
    SELECT classification, build, external, day, sum(n) FROM (
      SELECT classification, build, external, record_population_day(old_seen) AS day, -1 AS n FROM classification_latest WHERE old_seen IS NOT NULL
      UNION ALL
      SELECT classification, build, external, record_population_day(new_seen), 1 FROM classification_latest WHERE new_seen IS NOT NULL
    ) cells GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
    ON CONFLICT (classification, build, external, day) DO UPDATE SET machines = h.machines + excluded.machines
  ), system_latest AS (
    SELECT m.system_name, m.build, m.machine_id, m.external, b.last_seen AS old_seen, n.new_seen
    FROM (SELECT DISTINCT system_name, build, machine_id, external FROM change) m
    LEFT JOIN LATERAL (
      SELECT x.last_seen FROM record_machine_system_rollups x
      WHERE (x.system_name, x.build, x.machine_id, x.external) = (m.system_name, m.build, m.machine_id, m.external)
      OFFSET 0
    ) b ON true
    LEFT JOIN (
      SELECT system_name, build, machine_id, external, max(last_seen) AS new_seen FROM machine_keys GROUP BY 1, 2, 3, 4
    ) n USING (system_name, build, machine_id, external)
  ), systems_upserted AS (
    INSERT INTO record_machine_system_rollups AS b (system_name, build, machine_id, external, last_seen)
    SELECT system_name, build, machine_id, external, new_seen FROM system_latest WHERE new_seen IS NOT NULL
    ON CONFLICT (system_name, build, machine_id, external) DO UPDATE SET last_seen = excluded.last_seen
  ), systems_removed AS (
    DELETE FROM record_machine_system_rollups b USING system_latest l
    WHERE l.new_seen IS NULL AND (b.system_name, b.build, b.machine_id, b.external) = (l.system_name, l.build, l.machine_id, l.external)
  ), system_days AS (
    INSERT INTO record_population_system_days AS h (system_name, build, external, day, machines)
    SELECT system_name, build, external, day, sum(n) FROM (
      SELECT system_name, build, external, record_population_day(old_seen) AS day, -1 AS n FROM system_latest WHERE old_seen IS NOT NULL
      UNION ALL
      SELECT system_name, build, external, record_population_day(new_seen), 1 FROM system_latest WHERE new_seen IS NOT NULL
    ) cells GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
    ON CONFLICT (system_name, build, external, day) DO UPDATE SET machines = h.machines + excluded.machines
  ), prefix_latest AS (
    -- Per changed (prefix, build, machine, source): the latest of the machine's keys whose
    -- classification has the prefix, after this fold.
    SELECT m.classification, m.build, m.machine_id, m.external, b.last_seen AS old_seen, n.new_seen
    FROM (
      SELECT DISTINCT p.prefix AS classification, c.build, c.machine_id, c.external
      FROM change c CROSS JOIN LATERAL unnest(record_classification_prefixes(c.classification)) AS p(prefix)
    ) m
    LEFT JOIN LATERAL (
      SELECT x.last_seen FROM record_machine_prefix_rollups x
      WHERE (x.classification, x.build, x.machine_id, x.external) = (m.classification, m.build, m.machine_id, m.external)
      OFFSET 0
    ) b ON true
    LEFT JOIN (
      SELECT p.prefix AS classification, k.build, k.machine_id, k.external, max(k.last_seen) AS new_seen
      FROM machine_keys k CROSS JOIN LATERAL unnest(record_classification_prefixes(k.classification)) AS p(prefix)
      GROUP BY 1, 2, 3, 4
    ) n USING (classification, build, machine_id, external)
  ), prefixes_upserted AS (
    INSERT INTO record_machine_prefix_rollups AS b (classification, build, machine_id, external, last_seen)
    SELECT classification, build, machine_id, external, new_seen FROM prefix_latest WHERE new_seen IS NOT NULL
    ON CONFLICT (classification, build, machine_id, external) DO UPDATE SET last_seen = excluded.last_seen
  ), prefixes_removed AS (
    DELETE FROM record_machine_prefix_rollups b USING prefix_latest l
    WHERE l.new_seen IS NULL AND (b.classification, b.build, b.machine_id, b.external) = (l.classification, l.build, l.machine_id, l.external)
  ), prefix_days AS (
    INSERT INTO record_population_prefix_days AS h (classification, build, external, day, machines)
    SELECT classification, build, external, day, sum(n) FROM (
      SELECT classification, build, external, record_population_day(old_seen) AS day, -1 AS n FROM prefix_latest WHERE old_seen IS NOT NULL
      UNION ALL
      SELECT classification, build, external, record_population_day(new_seen), 1 FROM prefix_latest WHERE new_seen IS NOT NULL
    ) cells GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
    ON CONFLICT (classification, build, external, day) DO UPDATE SET machines = h.machines + excluded.machines
  )
  SELECT count(*) INTO folded FROM taken;
  IF folded > 0 THEN
    DELETE FROM record_population_days WHERE machines = 0;
    DELETE FROM record_population_build_days WHERE machines = 0;
    DELETE FROM record_population_classification_days WHERE machines = 0;
    DELETE FROM record_population_system_days WHERE machines = 0;
    DELETE FROM record_population_prefix_days WHERE machines = 0;
  END IF;
  RETURN folded;
END
$$;

-- Both folds in one transaction: what was pending before the call is folded everywhere
-- when it returns. Returns the record deltas folded, or NULL when another fold runs and
-- `wait` is false.
CREATE OR REPLACE FUNCTION fold_record_rollup_deltas(lock_key bigint, wait boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  folded bigint;
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(lock_key);
  ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
    RETURN NULL;
  END IF;
  -- The lock is held: the inner folds take it again at once.
  folded := fold_record_count_deltas(lock_key, true);
  PERFORM fold_record_population_deltas(lock_key, true);
  RETURN folded;
END
$$;

-- TRUNCATE records empties every rollup (as 0063, plus the staged machine deltas).
CREATE OR REPLACE FUNCTION records_rollups_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM record_rollups_hourly;
  DELETE FROM record_rollups_daily;
  DELETE FROM record_host_rollups_daily;
  DELETE FROM record_machine_rollups;
  DELETE FROM record_rollup_deltas;
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
