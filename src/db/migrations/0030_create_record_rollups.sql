-- Rollups of records for the aggregate API (issue #5), kept exact by statement-level
-- triggers on the partitioned records table (transition tables: one grouped upsert per
-- statement and rollup, not per row), so every insert and delete path stays consistent
-- without knowing about them. Dropping a day partition fires no trigger:
-- subtract_record_partition_rollups() runs first, in the drop's transaction. A rollup
-- row whose count reaches 0 is deleted.
--
-- Each count rollup ("cube") has few columns on purpose: every column multiplies its
-- rows, and the host type (hundreds of values in a real fleet) would make the main
-- cubes nearly as long as records. A query uses the first cube holding every column it
-- filters or groups on, or the raw table.
--   record_rollups_hourly / _daily: hour / day × classification, build, severity, system_name, external
--   record_host_rollups_daily:      day × host_type, architecture, classification, external
--   record_machine_rollups:         classification, system_name, build, machine_id, external, with the
--                                   latest client time (population: "latest record within N days")

CREATE TABLE record_rollups_hourly (
  bucket         timestamptz NOT NULL,
  classification text        NOT NULL,
  build          text        NOT NULL,
  severity       smallint    NOT NULL,
  system_name    text        NOT NULL,
  external       boolean     NOT NULL,
  count          bigint      NOT NULL,
  PRIMARY KEY (bucket, classification, build, severity, system_name, external)
);

CREATE TABLE record_rollups_daily (LIKE record_rollups_hourly INCLUDING ALL);

CREATE TABLE record_host_rollups_daily (
  bucket         timestamptz NOT NULL,
  host_type      text        NOT NULL,
  architecture   text        NOT NULL,
  classification text        NOT NULL,
  external       boolean     NOT NULL,
  count          bigint      NOT NULL,
  PRIMARY KEY (bucket, host_type, architecture, classification, external)
);

-- last_seen: max(timestamp_client) of the key's records; recomputed from records only
-- when a delete may have removed the latest one.
CREATE TABLE record_machine_rollups (
  classification text    NOT NULL,
  system_name    text    NOT NULL,
  build          text    NOT NULL,
  machine_id     text    NOT NULL,
  external       boolean NOT NULL,
  count          bigint  NOT NULL,
  last_seen      bigint  NOT NULL,
  PRIMARY KEY (classification, system_name, build, machine_id, external)
);

-- The count cubes: table, bucket unit, key columns (besides bucket). One definition
-- for the statements below.
CREATE FUNCTION record_rollup_cubes() RETURNS TABLE (name text, unit text, columns text)
LANGUAGE sql IMMUTABLE AS $$
  VALUES
    ('record_rollups_hourly', 'hour', 'classification, build, severity, system_name, external'),
    ('record_rollups_daily', 'day', 'classification, build, severity, system_name, external'),
    ('record_host_rollups_daily', 'day', 'host_type, architecture, classification, external')
$$;

-- "a, b" -> "r.a, r.b"
CREATE FUNCTION record_rollup_prefixed(columns text, prefix text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(prefix || trim(c), ', ' ORDER BY i) FROM unnest(string_to_array(columns, ',')) WITH ORDINALITY AS t(c, i)
$$;

-- The statements that add the rows of `source` (a transition table, a partition or
-- records itself) to every rollup. Text, so that the trigger functions EXECUTE them on
-- their own SPI connection, the only place where the transition tables are visible.
-- Rows go in key order so that concurrent writers lock rollup rows in one order.
CREATE FUNCTION record_rollups_add_sql(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(statement ORDER BY ord) FROM (
    SELECT 1 AS ord, format(
      'INSERT INTO %1$s AS r (bucket, %2$s, count)
       SELECT date_trunc(%3$L, received_at, ''UTC''), %2$s, count(*) FROM %4$s GROUP BY 1, %2$s ORDER BY 1, %2$s
       ON CONFLICT (bucket, %2$s) DO UPDATE SET count = r.count + excluded.count', c.name, c.columns, c.unit, source) AS statement
    FROM record_rollup_cubes() c
    UNION ALL
    SELECT 2, format(
      'INSERT INTO record_machine_rollups AS r (classification, system_name, build, machine_id, external, count, last_seen)
       SELECT classification, system_name, build, machine_id, external, count(*), max(timestamp_client)
       FROM %s GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
       ON CONFLICT (classification, system_name, build, machine_id, external)
       DO UPDATE SET count = r.count + excluded.count, last_seen = greatest(r.last_seen, excluded.last_seen)', source)
  ) s
$$;

-- The statements that subtract the rows of `source` from every rollup, delete rows left
-- at 0, and recompute last_seen of the machine keys whose latest record may be among
-- them. `leaving` is a condition on records (alias x) naming rows still visible there
-- that are on their way out (a partition about to be dropped); 'FALSE' when none are.
CREATE FUNCTION record_rollups_subtract_sql(source text, leaving text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(statement ORDER BY ord) FROM (
    SELECT 1 AS ord, format(
      'UPDATE %1$s r SET count = r.count - g.n
       FROM (SELECT date_trunc(%3$L, received_at, ''UTC'') AS bucket, %2$s, count(*) AS n FROM %4$s GROUP BY 1, %2$s) g
       WHERE (r.bucket, %5$s) = (g.bucket, %6$s)', c.name, c.columns, c.unit, source, record_rollup_prefixed(c.columns, 'r.'), record_rollup_prefixed(c.columns, 'g.')) AS statement
    FROM record_rollup_cubes() c
    UNION ALL
    SELECT 2, format(
      'DELETE FROM %1$s r USING (SELECT DISTINCT date_trunc(%3$L, received_at, ''UTC'') AS bucket, %2$s FROM %4$s) g
       WHERE r.count <= 0 AND (r.bucket, %5$s) = (g.bucket, %6$s)', c.name, c.columns, c.unit, source, record_rollup_prefixed(c.columns, 'r.'), record_rollup_prefixed(c.columns, 'g.'))
    FROM record_rollup_cubes() c
    UNION ALL
    SELECT 3, format(
      'UPDATE record_machine_rollups r SET count = r.count - g.n
       FROM (SELECT classification, system_name, build, machine_id, external, count(*) AS n FROM %s GROUP BY 1, 2, 3, 4, 5) g
       WHERE (r.classification, r.system_name, r.build, r.machine_id, r.external) = (g.classification, g.system_name, g.build, g.machine_id, g.external)', source)
    UNION ALL
    SELECT 4, format(
      'DELETE FROM record_machine_rollups r
       USING (SELECT DISTINCT classification, system_name, build, machine_id, external FROM %s) g
       WHERE r.count <= 0 AND (r.classification, r.system_name, r.build, r.machine_id, r.external) = (g.classification, g.system_name, g.build, g.machine_id, g.external)', source)
    UNION ALL
    -- Only keys whose latest record may have gone: retention of old records leaves last_seen.
    SELECT 5, format(
      'UPDATE record_machine_rollups r SET last_seen = coalesce((
         SELECT max(x.timestamp_client) FROM records x
         WHERE x.machine_id = r.machine_id AND x.build = r.build AND x.classification = r.classification
           AND x.system_name = r.system_name AND x.external = r.external AND NOT (%s)), r.last_seen)
       FROM (SELECT classification, system_name, build, machine_id, external, max(timestamp_client) AS latest FROM %s GROUP BY 1, 2, 3, 4, 5) g
       WHERE (r.classification, r.system_name, r.build, r.machine_id, r.external) = (g.classification, g.system_name, g.build, g.machine_id, g.external)
         AND g.latest >= r.last_seen', leaving, source)
  ) s
$$;

-- The ingest path: static statements (plans cached per session), the same as
-- record_rollups_add_sql('inserted_records') produces.
CREATE FUNCTION records_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO record_rollups_hourly AS r (bucket, classification, build, severity, system_name, external, count)
  SELECT date_trunc('hour', received_at, 'UTC'), classification, build, severity, system_name, external, count(*)
  FROM inserted_records GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, classification, build, severity, system_name, external) DO UPDATE SET count = r.count + excluded.count;
  INSERT INTO record_rollups_daily AS r (bucket, classification, build, severity, system_name, external, count)
  SELECT date_trunc('day', received_at, 'UTC'), classification, build, severity, system_name, external, count(*)
  FROM inserted_records GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, classification, build, severity, system_name, external) DO UPDATE SET count = r.count + excluded.count;
  INSERT INTO record_host_rollups_daily AS r (bucket, host_type, architecture, classification, external, count)
  SELECT date_trunc('day', received_at, 'UTC'), host_type, architecture, classification, external, count(*)
  FROM inserted_records GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (bucket, host_type, architecture, classification, external) DO UPDATE SET count = r.count + excluded.count;
  INSERT INTO record_machine_rollups AS r (classification, system_name, build, machine_id, external, count, last_seen)
  SELECT classification, system_name, build, machine_id, external, count(*), max(timestamp_client)
  FROM inserted_records GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (classification, system_name, build, machine_id, external)
  DO UPDATE SET count = r.count + excluded.count, last_seen = greatest(r.last_seen, excluded.last_seen);
  RETURN NULL;
END
$$;

CREATE FUNCTION records_rollups_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  statement text;
BEGIN
  FOREACH statement IN ARRAY record_rollups_subtract_sql('deleted_records', 'FALSE') LOOP
    EXECUTE statement;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION records_rollups_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  statement text;
BEGIN
  FOREACH statement IN ARRAY record_rollups_subtract_sql('old_records', 'FALSE') || record_rollups_add_sql('new_records') LOOP
    EXECUTE statement;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION records_rollups_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM record_rollups_hourly;
  DELETE FROM record_rollups_daily;
  DELETE FROM record_host_rollups_daily;
  DELETE FROM record_machine_rollups;
  RETURN NULL;
END
$$;

CREATE TRIGGER records_rollups_insert AFTER INSERT ON records
  REFERENCING NEW TABLE AS inserted_records FOR EACH STATEMENT EXECUTE FUNCTION records_rollups_after_insert();
CREATE TRIGGER records_rollups_delete AFTER DELETE ON records
  REFERENCING OLD TABLE AS deleted_records FOR EACH STATEMENT EXECUTE FUNCTION records_rollups_after_delete();
CREATE TRIGGER records_rollups_update AFTER UPDATE ON records
  REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION records_rollups_after_update();
CREATE TRIGGER records_rollups_truncate AFTER TRUNCATE ON records
  FOR EACH STATEMENT EXECUTE FUNCTION records_rollups_after_truncate();

-- Called before a day partition (attached or detached) is dropped, in the drop's
-- transaction: its rows leave every rollup.
CREATE FUNCTION subtract_record_partition_rollups(partition regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  statement text;
BEGIN
  FOREACH statement IN ARRAY record_rollups_subtract_sql(partition::text, format('x.tableoid = %s', partition::oid)) LOOP
    EXECUTE statement;
  END LOOP;
END
$$;

-- Records stored before this migration.
DO $$
DECLARE
  statement text;
BEGIN
  FOREACH statement IN ARRAY record_rollups_add_sql('records') LOOP
    EXECUTE statement;
  END LOOP;
END
$$;
