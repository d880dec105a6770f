-- Issue #5: the fold's upserts into the machine rollups become HOT updates.
--
-- Every fold rewrites last_seen of each changed (key, machine) row in five per-machine
-- tables (0050, 0062, 0063). last_seen was a column of each table's boundary-day index
-- (0061), so no update could be HOT: each wrote a new tuple into every index of its table,
-- ~13 index insertions per changed key.
--
-- The boundary-day indexes now hold the UTC day of last_seen (seen_day, a stored
-- generated column) instead of last_seen itself. A machine seen again on the same day
-- changes no indexed value, and with room left on each page (fillfactor 80) the update
-- stays on its page and touches no index: on the 10 M bench database the fold's time per
-- record fell from 175–238 µs to 90–155 µs under load (docs/PERFORMANCE.md). The
-- population view's boundary day reads last_seen from the heap for that day's machines
-- (no longer index-only, 0061).
--
-- Adding a stored column rewrites each table (with the new fillfactor): under 100 s at
-- 10 M records, under the fold's advisory lock.

SELECT pg_advisory_xact_lock(7069078318);

DROP INDEX record_machine_rollups_last_seen;
DROP INDEX record_machine_build_rollups_last_seen;
DROP INDEX record_machine_classification_rollups_last_seen;
DROP INDEX record_machine_system_rollups_last_seen;
DROP INDEX record_machine_prefix_rollups_last_seen;

ALTER TABLE record_machine_rollups
  ADD COLUMN seen_day bigint GENERATED ALWAYS AS (record_population_day(last_seen)) STORED, SET (fillfactor = 80);
ALTER TABLE record_machine_build_rollups
  ADD COLUMN seen_day bigint GENERATED ALWAYS AS (record_population_day(last_seen)) STORED, SET (fillfactor = 80);
ALTER TABLE record_machine_classification_rollups
  ADD COLUMN seen_day bigint GENERATED ALWAYS AS (record_population_day(last_seen)) STORED, SET (fillfactor = 80);
ALTER TABLE record_machine_system_rollups
  ADD COLUMN seen_day bigint GENERATED ALWAYS AS (record_population_day(last_seen)) STORED, SET (fillfactor = 80);
ALTER TABLE record_machine_prefix_rollups
  ADD COLUMN seen_day bigint GENERATED ALWAYS AS (record_population_day(last_seen)) STORED, SET (fillfactor = 80);

-- The boundary day's machines of one key; build and external are never updated, so
-- including them keeps updates HOT.
CREATE INDEX record_machine_rollups_seen_day ON record_machine_rollups (classification, system_name, seen_day) INCLUDE (build, external);
CREATE INDEX record_machine_build_rollups_seen_day ON record_machine_build_rollups (seen_day) INCLUDE (build, external);
CREATE INDEX record_machine_classification_rollups_seen_day ON record_machine_classification_rollups (classification, seen_day) INCLUDE (build, external);
CREATE INDEX record_machine_system_rollups_seen_day ON record_machine_system_rollups (system_name, seen_day) INCLUDE (build, external);
CREATE INDEX record_machine_prefix_rollups_seen_day ON record_machine_prefix_rollups (classification, seen_day) INCLUDE (build, external);

-- The rewritten tables have no statistics for seen_day: without them the fold's and the
-- population view's plans are guesses until autovacuum gets to these tables.
ANALYZE record_machine_rollups, record_machine_build_rollups, record_machine_classification_rollups, record_machine_system_rollups, record_machine_prefix_rollups;
