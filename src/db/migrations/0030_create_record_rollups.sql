-- Rollups of records for the aggregate API (issue #5): counts per hour and per day of
-- receive time by every column the aggregates group or filter on, and the machines per
-- (classification, system, build, machine, source) with their latest client time for
-- the population view. Kept exact by statement-level triggers on the partitioned
-- records table (transition tables: one grouped upsert per statement, not per row), so
-- every insert and delete path stays consistent without knowing about them. Dropping a
-- day partition fires no trigger: subtract_record_partition_rollups() runs first, in the
-- drop's transaction. A rollup row whose count reaches 0 is deleted.

CREATE TABLE record_rollups_hourly (
  hour           timestamptz NOT NULL,
  classification text        NOT NULL,
  build          text        NOT NULL,
  severity       smallint    NOT NULL,
  system_name    text        NOT NULL,
  host_type      text        NOT NULL,
  architecture   text        NOT NULL,
  external       boolean     NOT NULL,
  count          bigint      NOT NULL,
  PRIMARY KEY (hour, classification, build, severity, system_name, host_type, architecture, external)
);

CREATE TABLE record_rollups_daily (
  day            timestamptz NOT NULL,
  classification text        NOT NULL,
  build          text        NOT NULL,
  severity       smallint    NOT NULL,
  system_name    text        NOT NULL,
  host_type      text        NOT NULL,
  architecture   text        NOT NULL,
  external       boolean     NOT NULL,
  count          bigint      NOT NULL,
  PRIMARY KEY (day, classification, build, severity, system_name, host_type, architecture, external)
);

-- last_seen: max(timestamp_client) of the key's records (population windows are "latest
-- record within N days"); recomputed from records only when a delete may have removed it.
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

-- The statements that add the rows of `source` (a transition table, a partition or
-- records itself) to every rollup. Text, so that the trigger functions EXECUTE them on
-- their own SPI connection, the only place where the transition tables are visible.
-- Rows go in key order so that concurrent writers lock rollup rows in one order.
CREATE FUNCTION record_rollups_add_sql(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[
    format(
      'INSERT INTO record_rollups_hourly AS r (hour, classification, build, severity, system_name, host_type, architecture, external, count)
       SELECT date_trunc(''hour'', received_at, ''UTC''), classification, build, severity, system_name, host_type, architecture, external, count(*)
       FROM %s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
       ON CONFLICT (hour, classification, build, severity, system_name, host_type, architecture, external)
       DO UPDATE SET count = r.count + excluded.count', source),
    format(
      'INSERT INTO record_rollups_daily AS r (day, classification, build, severity, system_name, host_type, architecture, external, count)
       SELECT date_trunc(''day'', received_at, ''UTC''), classification, build, severity, system_name, host_type, architecture, external, count(*)
       FROM %s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
       ON CONFLICT (day, classification, build, severity, system_name, host_type, architecture, external)
       DO UPDATE SET count = r.count + excluded.count', source),
    format(
      'INSERT INTO record_machine_rollups AS r (classification, system_name, build, machine_id, external, count, last_seen)
       SELECT classification, system_name, build, machine_id, external, count(*), max(timestamp_client)
       FROM %s GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
       ON CONFLICT (classification, system_name, build, machine_id, external)
       DO UPDATE SET count = r.count + excluded.count, last_seen = greatest(r.last_seen, excluded.last_seen)', source)
  ]
$$;

-- The statements that subtract the rows of `source` from every rollup, delete rows left
-- at 0, and recompute last_seen of the machine keys whose latest record may be among
-- them. `leaving` is a condition on records (alias x) naming rows still visible there
-- that are on their way out (a partition about to be dropped); 'FALSE' when none are.
CREATE FUNCTION record_rollups_subtract_sql(source text, leaving text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[
    format(
      'UPDATE record_rollups_hourly r SET count = r.count - g.n
       FROM (SELECT date_trunc(''hour'', received_at, ''UTC'') AS hour, classification, build, severity, system_name, host_type, architecture, external, count(*) AS n
             FROM %s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) g
       WHERE (r.hour, r.classification, r.build, r.severity, r.system_name, r.host_type, r.architecture, r.external)
           = (g.hour, g.classification, g.build, g.severity, g.system_name, g.host_type, g.architecture, g.external)', source),
    format(
      'DELETE FROM record_rollups_hourly r
       USING (SELECT DISTINCT date_trunc(''hour'', received_at, ''UTC'') AS hour, classification, build, severity, system_name, host_type, architecture, external FROM %s) g
       WHERE r.count <= 0 AND (r.hour, r.classification, r.build, r.severity, r.system_name, r.host_type, r.architecture, r.external)
           = (g.hour, g.classification, g.build, g.severity, g.system_name, g.host_type, g.architecture, g.external)', source),
    format(
      'UPDATE record_rollups_daily r SET count = r.count - g.n
       FROM (SELECT date_trunc(''day'', received_at, ''UTC'') AS day, classification, build, severity, system_name, host_type, architecture, external, count(*) AS n
             FROM %s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) g
       WHERE (r.day, r.classification, r.build, r.severity, r.system_name, r.host_type, r.architecture, r.external)
           = (g.day, g.classification, g.build, g.severity, g.system_name, g.host_type, g.architecture, g.external)', source),
    format(
      'DELETE FROM record_rollups_daily r
       USING (SELECT DISTINCT date_trunc(''day'', received_at, ''UTC'') AS day, classification, build, severity, system_name, host_type, architecture, external FROM %s) g
       WHERE r.count <= 0 AND (r.day, r.classification, r.build, r.severity, r.system_name, r.host_type, r.architecture, r.external)
           = (g.day, g.classification, g.build, g.severity, g.system_name, g.host_type, g.architecture, g.external)', source),
    format(
      'UPDATE record_machine_rollups r SET count = r.count - g.n
       FROM (SELECT classification, system_name, build, machine_id, external, count(*) AS n FROM %s GROUP BY 1, 2, 3, 4, 5) g
       WHERE (r.classification, r.system_name, r.build, r.machine_id, r.external) = (g.classification, g.system_name, g.build, g.machine_id, g.external)', source),
    format(
      'DELETE FROM record_machine_rollups r
       USING (SELECT DISTINCT classification, system_name, build, machine_id, external FROM %s) g
       WHERE r.count <= 0 AND (r.classification, r.system_name, r.build, r.machine_id, r.external) = (g.classification, g.system_name, g.build, g.machine_id, g.external)', source),
    -- Only keys whose latest record may have gone: retention of old records leaves last_seen.
    format(
      'UPDATE record_machine_rollups r SET last_seen = coalesce((
         SELECT max(x.timestamp_client) FROM records x
         WHERE x.machine_id = r.machine_id AND x.build = r.build AND x.classification = r.classification
           AND x.system_name = r.system_name AND x.external = r.external AND NOT (%s)), r.last_seen)
       FROM (SELECT classification, system_name, build, machine_id, external, max(timestamp_client) AS latest FROM %s GROUP BY 1, 2, 3, 4, 5) g
       WHERE (r.classification, r.system_name, r.build, r.machine_id, r.external) = (g.classification, g.system_name, g.build, g.machine_id, g.external)
         AND g.latest >= r.last_seen', leaving, source)
  ]
$$;

CREATE FUNCTION records_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  statement text;
BEGIN
  FOREACH statement IN ARRAY record_rollups_add_sql('inserted_records') LOOP
    EXECUTE statement;
  END LOOP;
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
