-- Machine-check and thermal records (classification org.clearlinux/mce/%) in a small
-- table of their own, with the status code parsed once, so /api/stats/mce reads a few
-- thousand narrow rows instead of filtering records (issue #5). Kept exact like the
-- rollups of 0030: statement-level triggers on records with transition tables insert
-- and delete the mce rows of each statement (other records cost one scan of the
-- statement's rows); a day partition's rows leave through
-- delete_record_partition_mce_reports() in the drop's transaction.

CREATE TABLE mce_reports (
  record_id        bigint      NOT NULL,
  received_at      timestamptz NOT NULL,
  classification   text        NOT NULL,
  build            text        NOT NULL,
  machine_id       text        NOT NULL,
  system_name      text        NOT NULL,
  severity         smallint    NOT NULL,
  external         boolean     NOT NULL,
  timestamp_client bigint      NOT NULL,
  -- reference §8.9: the last 32 bits of the status code, as 8 hex digits (NULL when absent)
  status           text,
  PRIMARY KEY (record_id, received_at)
);

-- The rows of `source` (a transition table, a partition or records) that belong in mce_reports.
CREATE FUNCTION mce_reports_select_sql(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    'SELECT id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client,
       substring(payload FROM %L) FROM %s WHERE classification LIKE %L',
    'STATUS.*([A-Fa-f0-9]{8}) MCGSTATUS', source, 'org.clearlinux/mce/%')
$$;

CREATE FUNCTION mce_reports_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mce_reports (record_id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client, status)
  SELECT id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client,
    substring(payload FROM 'STATUS.*([A-Fa-f0-9]{8}) MCGSTATUS')
  FROM inserted_records WHERE classification LIKE 'org.clearlinux/mce/%';
  RETURN NULL;
END
$$;

CREATE FUNCTION mce_reports_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mce_reports m USING deleted_records d
  WHERE d.classification LIKE 'org.clearlinux/mce/%' AND m.record_id = d.id AND m.received_at = d.received_at;
  RETURN NULL;
END
$$;

CREATE FUNCTION mce_reports_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mce_reports m USING old_records d
  WHERE d.classification LIKE 'org.clearlinux/mce/%' AND m.record_id = d.id AND m.received_at = d.received_at;
  EXECUTE 'INSERT INTO mce_reports ' || mce_reports_select_sql('new_records');
  RETURN NULL;
END
$$;

CREATE FUNCTION mce_reports_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mce_reports;
  RETURN NULL;
END
$$;

CREATE TRIGGER records_mce_insert AFTER INSERT ON records
  REFERENCING NEW TABLE AS inserted_records FOR EACH STATEMENT EXECUTE FUNCTION mce_reports_after_insert();
CREATE TRIGGER records_mce_delete AFTER DELETE ON records
  REFERENCING OLD TABLE AS deleted_records FOR EACH STATEMENT EXECUTE FUNCTION mce_reports_after_delete();
CREATE TRIGGER records_mce_update AFTER UPDATE ON records
  REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION mce_reports_after_update();
CREATE TRIGGER records_mce_truncate AFTER TRUNCATE ON records
  FOR EACH STATEMENT EXECUTE FUNCTION mce_reports_after_truncate();

-- Called before a day partition (attached or detached) is dropped, in the drop's transaction.
CREATE FUNCTION delete_record_partition_mce_reports(partition regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'DELETE FROM mce_reports m USING %s p WHERE p.classification LIKE %L AND m.record_id = p.id AND m.received_at = p.received_at',
    partition, 'org.clearlinux/mce/%');
END
$$;

-- Empties and refills the table from records: this migration's backfill, and bulk loads
-- that ran with the triggers off.
CREATE FUNCTION refill_mce_reports() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mce_reports;
  EXECUTE 'INSERT INTO mce_reports ' || mce_reports_select_sql('records');
END
$$;

SELECT refill_mce_reports();
