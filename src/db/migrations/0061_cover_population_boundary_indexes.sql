-- Issue #5: the population view's boundary day read from the index alone.
--
-- Each population window counts the machines of its boundary day from the machine
-- rollups through their last_seen indexes (migration 0050). Those indexes held only the
-- key, so every matching row cost a heap visit: ~7,500 rows on ~7,000 scattered pages
-- per window at 10 M records, 330 ms for the default view when the pages were not in
-- shared buffers. With the columns the count reads (build, external) included, it is an
-- index-only scan: 17 ms.

DROP INDEX record_machine_rollups_last_seen;
CREATE INDEX record_machine_rollups_last_seen ON record_machine_rollups (classification, system_name, last_seen) INCLUDE (build, external);

DROP INDEX record_machine_build_rollups_last_seen;
CREATE INDEX record_machine_build_rollups_last_seen ON record_machine_build_rollups (last_seen) INCLUDE (build, external);
