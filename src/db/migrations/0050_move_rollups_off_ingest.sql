-- Issue #5, part two: a cheaper insert trigger and a fast population view.
--
-- 1. record_rollups_daily goes: daily answers sum the hourly rollup.
-- 2. Every rollup leaves the insert path. The triggers (and the partition drop) only
--    append the statement's changes, grouped, as signed deltas to record_rollup_deltas, a
--    heap without indexes (no upsert, no row lock shared between collectors). A background
--    step, fold_record_rollup_deltas(), moves them into the rollups; count queries read
--    rollup + pending deltas, so counts never lag. Why this is exact: a delta is written by
--    the same statement, hence commits in the same transaction, as the record change it
--    describes; the fold takes every delta visible to one statement snapshot
--    (DELETE … RETURNING) and, in that same statement, recomputes last_seen from the
--    records visible to that snapshot, and commits atomically. So at all times
--    rollup + pending deltas = f(committed records), whatever order ids commit in, and a
--    record deleted before the fold saw it leaves +1 and -1 that cancel. No id watermark
--    or per-record flag is needed. Folds are serialised by an advisory lock. The machine
--    rollup and the population histograms are read without the pending deltas:
--    population lags ingest by the fold interval (about a second).
-- 3. Population histograms, kept by the fold from each changed key's old and new last_seen:
--    machines per (classification, system_name, build, external, UTC day of last_seen), and
--    for the wildcard view, per (build, external, day) of each (build, machine, source)'s
--    latest record over all classifications and systems (record_machine_build_rollups).
--    A window "last_seen > now - N days" sums the histogram days after the boundary day and
--    counts only the boundary day's machines in the machine rollup (indexed by last_seen).

DROP TABLE record_rollups_daily;

-- Signed changes not yet folded into the rollups, one row per statement and key: count > 0
-- added records (last_seen: their latest client time), count < 0 removed records.
CREATE TABLE record_rollup_deltas (
  bucket         timestamptz NOT NULL,
  classification text        NOT NULL,
  build          text        NOT NULL,
  severity       smallint    NOT NULL,
  system_name    text        NOT NULL,
  external       boolean     NOT NULL,
  host_type      text        NOT NULL,
  architecture   text        NOT NULL,
  machine_id     text        NOT NULL,
  count          bigint      NOT NULL,
  last_seen      bigint      NOT NULL
);

-- Per (build, machine, source): the latest client time over all classifications and systems.
CREATE TABLE record_machine_build_rollups (
  build      text    NOT NULL,
  machine_id text    NOT NULL,
  external   boolean NOT NULL,
  last_seen  bigint  NOT NULL,
  PRIMARY KEY (build, machine_id, external)
);
CREATE INDEX record_machine_build_rollups_last_seen ON record_machine_build_rollups (last_seen);

CREATE TABLE record_population_days (
  classification text    NOT NULL,
  system_name    text    NOT NULL,
  build          text    NOT NULL,
  external       boolean NOT NULL,
  day            bigint  NOT NULL,
  machines       bigint  NOT NULL,
  PRIMARY KEY (classification, system_name, build, external, day)
);

CREATE TABLE record_population_build_days (
  build    text    NOT NULL,
  external boolean NOT NULL,
  day      bigint  NOT NULL,
  machines bigint  NOT NULL,
  PRIMARY KEY (build, external, day)
);

-- The boundary day's machines of one (classification, system); and a (build, machine,
-- source)'s keys when the fold recomputes its latest over all of them.
CREATE INDEX record_machine_rollups_last_seen ON record_machine_rollups (classification, system_name, last_seen);
CREATE INDEX record_machine_rollups_machine ON record_machine_rollups (build, machine_id, external);

-- The UTC day (days since 1970) of a client time in seconds, rounding down also before 1970.
CREATE FUNCTION record_population_day(seconds bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT floor(seconds::numeric / 86400)::bigint $$;

-- The statement that appends the rows of `source` (a transition table, a partition or
-- records itself) to the deltas, signed by `sign`.
CREATE FUNCTION record_rollup_deltas_sql(source text, sign int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    'INSERT INTO record_rollup_deltas (bucket, classification, build, severity, system_name, external, host_type, architecture, machine_id, count, last_seen)
     SELECT date_trunc(''hour'', received_at, ''UTC''), classification, build, severity, system_name, external, host_type, architecture, machine_id,
       %s * count(*), max(timestamp_client)
     FROM %s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9', sign, source)
$$;

CREATE OR REPLACE FUNCTION record_rollups_add_sql(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY[record_rollup_deltas_sql(source, 1)] $$;

-- `leaving` is no longer needed (last_seen is recomputed by the fold, after the change
-- committed); the parameter stays for the callers' signature.
CREATE OR REPLACE FUNCTION record_rollups_subtract_sql(source text, leaving text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY[record_rollup_deltas_sql(source, -1)] $$;

DROP FUNCTION record_rollup_cubes();
DROP FUNCTION record_rollup_prefixed(text, text);

-- The ingest path: one static append (plan cached per session), as record_rollups_add_sql.
CREATE OR REPLACE FUNCTION records_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO record_rollup_deltas (bucket, classification, build, severity, system_name, external, host_type, architecture, machine_id, count, last_seen)
  SELECT date_trunc('hour', received_at, 'UTC'), classification, build, severity, system_name, external, host_type, architecture, machine_id,
    count(*), max(timestamp_client)
  FROM inserted_records GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
  RETURN NULL;
END
$$;

-- TRUNCATE records locks it exclusively, and the fold reads records: no fold runs meanwhile.
CREATE OR REPLACE FUNCTION records_rollups_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM record_rollups_hourly;
  DELETE FROM record_host_rollups_daily;
  DELETE FROM record_machine_rollups;
  DELETE FROM record_rollup_deltas;
  DELETE FROM record_machine_build_rollups;
  DELETE FROM record_population_days;
  DELETE FROM record_population_build_days;
  RETURN NULL;
END
$$;

-- Folds every pending delta into the rollups and histograms; returns the deltas folded,
-- or NULL when `wait` is false and another fold holds `lock_key`. One statement, so the
-- deltas taken and the records read for last_seen come from one snapshot, taken after
-- the lock (a function's statements each take a new snapshot in READ COMMITTED).
CREATE FUNCTION fold_record_rollup_deltas(lock_key bigint, wait boolean) RETURNS bigint
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
    LEFT JOIN record_rollups_hourly r USING (bucket, classification, build, severity, system_name, external)
  ), hourly_upserted AS (
    INSERT INTO record_rollups_hourly AS r (bucket, classification, build, severity, system_name, external, count)
    SELECT bucket, classification, build, severity, system_name, external, new_count FROM hourly WHERE new_count > 0
    ON CONFLICT (bucket, classification, build, severity, system_name, external) DO UPDATE SET count = excluded.count
  ), hourly_removed AS (
    DELETE FROM record_rollups_hourly r USING hourly c
    WHERE c.new_count <= 0 AND (r.bucket, r.classification, r.build, r.severity, r.system_name, r.external) = (c.bucket, c.classification, c.build, c.severity, c.system_name, c.external)
  ), host AS (
    SELECT d.bucket, d.host_type, d.architecture, d.classification, d.external, coalesce(r.count, 0) + d.n AS new_count
    FROM (SELECT date_trunc('day', bucket, 'UTC') AS bucket, host_type, architecture, classification, external, sum(count) AS n FROM taken GROUP BY 1, 2, 3, 4, 5) d
    LEFT JOIN record_host_rollups_daily r USING (bucket, host_type, architecture, classification, external)
  ), host_upserted AS (
    INSERT INTO record_host_rollups_daily AS r (bucket, host_type, architecture, classification, external, count)
    SELECT bucket, host_type, architecture, classification, external, new_count FROM host WHERE new_count > 0
    ON CONFLICT (bucket, host_type, architecture, classification, external) DO UPDATE SET count = excluded.count
  ), host_removed AS (
    DELETE FROM record_host_rollups_daily r USING host c
    WHERE c.new_count <= 0 AND (r.bucket, r.host_type, r.architecture, r.classification, r.external) = (c.bucket, c.host_type, c.architecture, c.classification, c.external)
  ), delta AS (
    SELECT classification, system_name, build, machine_id, external, sum(count) AS n,
      max(last_seen) FILTER (WHERE count > 0) AS added, max(last_seen) FILTER (WHERE count < 0) AS removed
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
    LEFT JOIN record_machine_rollups r USING (classification, system_name, build, machine_id, external)
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
  ), latest AS (
    -- Per changed (build, machine, source): its unchanged keys as stored, the changed ones as they become.
    SELECT m.build, m.machine_id, m.external, b.last_seen AS old_seen, n.new_seen
    FROM changed_machines m
    LEFT JOIN record_machine_build_rollups b USING (build, machine_id, external)
    LEFT JOIN (
      SELECT build, machine_id, external, max(v) AS new_seen FROM (
        SELECT r.build, r.machine_id, r.external, r.last_seen AS v
        FROM record_machine_rollups r
        JOIN changed_machines USING (build, machine_id, external)
        LEFT JOIN change c USING (classification, system_name, build, machine_id, external)
        WHERE c.build IS NULL
        UNION ALL
        SELECT build, machine_id, external, new_seen FROM change WHERE new_count > 0
      ) z GROUP BY 1, 2, 3
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
  )
  SELECT count(*) INTO folded FROM taken;
  IF folded > 0 THEN
    DELETE FROM record_population_days WHERE machines = 0;
    DELETE FROM record_population_build_days WHERE machines = 0;
  END IF;
  RETURN folded;
END
$$;

-- Rebuilds the per-(build, machine, source) rollup and both histograms from
-- record_machine_rollups (after a bulk load; nothing may fold meanwhile).
CREATE FUNCTION fill_record_population_histograms() RETURNS void
LANGUAGE sql AS $$
  DELETE FROM record_machine_build_rollups;
  DELETE FROM record_population_days;
  DELETE FROM record_population_build_days;
  INSERT INTO record_machine_build_rollups (build, machine_id, external, last_seen)
  SELECT build, machine_id, external, max(last_seen) FROM record_machine_rollups GROUP BY 1, 2, 3;
  INSERT INTO record_population_days (classification, system_name, build, external, day, machines)
  SELECT classification, system_name, build, external, record_population_day(last_seen), count(*) FROM record_machine_rollups GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO record_population_build_days (build, external, day, machines)
  SELECT build, external, record_population_day(last_seen), count(*) FROM record_machine_build_rollups GROUP BY 1, 2, 3;
$$;

-- The machine rollup filled by 0030.
SELECT fill_record_population_histograms();
