-- Issue #5: less work on the insert path for the MCE report, and less per request.
--
-- 1. The MCE insert trigger becomes a row trigger with a WHEN condition. As a statement
--    trigger it ran a PL/pgSQL call and scanned the statement's rows for every collector
--    batch, though MCE records are a fraction of a percent of the traffic; a row trigger
--    whose WHEN is false queues nothing. (The rollup trigger still captures each batch in a
--    transition table; storing a batch's deltas as one row of arrays instead of one row per
--    key was tried and measured dearer: ~14 against ~10 µs of trigger time per record, and
--    the count fold's unnesting ~3 µs more, on a fresh database.)
-- 2. mce_reports stores each report's week (%U of its client time, UTC), which
--    /api/stats/mce grouped by after computing it per row at every request.

SELECT pg_advisory_xact_lock(7069078318);

-- 1. One MCE row per MCE record, from a row trigger that other records do not fire.
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

-- 2. The %U week (Sunday-based, 0..53) of the client time in UTC; NULL outside
--    4714 BC .. 9999-12-31, where to_timestamp() fails or /api/stats/mce gives no week.
--    The same expression as /api/stats/mce on records.
ALTER TABLE mce_reports ADD COLUMN week smallint GENERATED ALWAYS AS (
  CASE WHEN timestamp_client BETWEEN -210866803200 AND 253402300799 THEN
    ((extract(doy FROM to_timestamp(timestamp_client) AT TIME ZONE 'UTC')::int + 6
      - extract(dow FROM to_timestamp(timestamp_client) AT TIME ZONE 'UTC')::int) / 7)::smallint
  END
) STORED;
