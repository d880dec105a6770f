// Machine-check (MCE) and thermal report aggregates (reference §8.9, §8.10): weekly
// counts on client time, per classification, build and status, and the top machines.
// MCE reads mce_reports (migration 0032: the org.clearlinux/mce/% records' columns and
// parsed status) when it holds the filter's columns, else records, with the same answers.

import type { Queryable } from '../pool.ts';
import { buildRecordFilterSql, isCopiedColumnFilter, type RecordFilter } from './record-filter.ts';

export interface MceCounts {
  /** counts per classification and `%U` week (Sunday-based, 0..53, UTC) */
  weekly: { classification: string; week: number; count: number }[];
  byClassification: { classification: string; count: number }[];
  byBuild: { build: string; count: number }[];
  /** counts per the last 32 bits of the status code, as 8 hex digits */
  byStatus: { status: string; count: number }[];
}

export interface MceMachine {
  machineId: string;
  total: number;
  byBuild: { build: string; count: number }[];
}

// The client times that get a week (also in migration 0066): to_timestamp() fails before
// the first, and the reference's week numbers end with year 9999.
const FIRST_TIMESTAMP = -210_866_803_200; // 4714-11-24 00:00:00 BC UTC
const LAST_TIMESTAMP = 253_402_300_799; // 9999-12-31 23:59:59 UTC
const STATUS_REGEX = 'STATUS.*([A-Fa-f0-9]{8}) MCGSTATUS'; // also in migration 0032
const MCE_REPORTS_PREFIX = 'org.clearlinux/mce/'; // mce_reports holds every class under it

/** The %U week (Sunday-based, UTC) of a record's client time; NULL outside first..last. */
function weekOfClientTime(first: string, last: string): string {
  return `CASE WHEN timestamp_client BETWEEN ${first} AND ${last} THEN
    (extract(doy FROM to_timestamp(timestamp_client) AT TIME ZONE 'UTC')::int + 6
     - extract(dow FROM to_timestamp(timestamp_client) AT TIME ZONE 'UTC')::int) / 7
  END`;
}

/** mce_reports when it holds these classes and the filter's columns, else records. */
function mceSource(filter: RecordFilter, classifications: readonly string[]): 'mce_reports' | 'records' {
  return isCopiedColumnFilter(filter) && classifications.every((c) => c.startsWith(MCE_REPORTS_PREFIX)) ? 'mce_reports' : 'records';
}

/** The four MCE aggregates in one scan (GROUPING SETS). */
export async function countMceReports(db: Queryable, filter: RecordFilter, classifications: readonly string[]): Promise<MceCounts> {
  const params: unknown[] = [];
  const source = mceSource(filter, classifications);
  const where = buildRecordFilterSql(filter, params);
  const classes = `$${params.push(classifications)}::text[]`;
  const status = source === 'mce_reports' ? 'status' : `substring(payload FROM $${params.push(STATUS_REGEX)}::text)`;
  // mce_reports stores the week (migration 0066, the same expression).
  const week = source === 'mce_reports' ? 'week::int' : weekOfClientTime(`$${params.push(FIRST_TIMESTAMP)}::bigint`, `$${params.push(LAST_TIMESTAMP)}::bigint`);
  const result = await db.query<{ grouping_set: string; classification: string | null; week: number | null; build: string | null; status: string | null; count: number }>(
    `WITH m AS (
       SELECT classification, build, ${status} AS status, ${week} AS week
       FROM ${source} WHERE ${where} AND classification = ANY(${classes})
     )
     SELECT CASE WHEN GROUPING(week) = 0 THEN 'week' WHEN GROUPING(classification) = 0 THEN 'classification'
                 WHEN GROUPING(build) = 0 THEN 'build' ELSE 'status' END AS grouping_set,
       classification, week, build, status, count(*)::int AS count
     FROM m
     GROUP BY GROUPING SETS ((classification, week), (classification), (build), (status))`,
    params,
  );
  const counts: MceCounts = { weekly: [], byClassification: [], byBuild: [], byStatus: [] };
  for (const r of result.rows) {
    if (r.grouping_set === 'week' && r.classification !== null && r.week !== null) counts.weekly.push({ classification: r.classification, week: r.week, count: r.count });
    else if (r.grouping_set === 'classification' && r.classification !== null) counts.byClassification.push({ classification: r.classification, count: r.count });
    else if (r.grouping_set === 'build' && r.build !== null) counts.byBuild.push({ build: r.build, count: r.count });
    else if (r.grouping_set === 'status' && r.status !== null) counts.byStatus.push({ status: r.status, count: r.count });
  }
  // Sorted here, by code point like the reference's Python sorted(), whatever the database collation.
  counts.weekly.sort((a, b) => compareText(a.classification, b.classification) || a.week - b.week);
  counts.byClassification.sort((a, b) => b.count - a.count || compareText(a.classification, b.classification));
  counts.byBuild.sort((a, b) => compareText(a.build, b.build));
  counts.byStatus.sort((a, b) => compareText(a.status, b.status));
  return counts;
}

/** The machines with the most MCE reports, with their per-build counts, and how many machines there are. */
export async function listTopMceMachines(
  db: Queryable,
  filter: RecordFilter,
  classifications: readonly string[],
  limit: number,
): Promise<{ machineCount: number; machines: MceMachine[] }> {
  const params: unknown[] = [];
  const where = buildRecordFilterSql(filter, params);
  const classes = `$${params.push(classifications)}::text[]`;
  const result = await db.query<{ machine_id: string; total: number; machines: number; build: string; count: number }>(
    `WITH per AS (
       SELECT machine_id, build, count(*)::int AS n FROM ${mceSource(filter, classifications)}
       WHERE ${where} AND classification = ANY(${classes}) GROUP BY machine_id, build
     ), totals AS (
       SELECT machine_id, sum(n)::int AS total, count(*) OVER ()::int AS machines FROM per
       GROUP BY machine_id ORDER BY total DESC, machine_id LIMIT $${params.push(limit)}::int
     )
     SELECT t.machine_id, t.total, t.machines, p.build, p.n AS count
     FROM totals t JOIN per p USING (machine_id)
     ORDER BY t.total DESC, t.machine_id, p.build`,
    params,
  );
  const machines: MceMachine[] = [];
  for (const r of result.rows) {
    let current = machines[machines.length - 1];
    if (current?.machineId !== r.machine_id) {
      current = { machineId: r.machine_id, total: r.total, byBuild: [] };
      machines.push(current);
    }
    current.byBuild.push({ build: r.build, count: r.count });
  }
  return { machineCount: result.rows[0]?.machines ?? 0, machines };
}

/**
 * Thermal reports per week index ⌈(timestamp_client − yearStart) / 604800⌉ (reference §8.10),
 * newest week first; reports before yearStart are dropped.
 */
export async function countThermalReportsByWeek(db: Queryable, filter: RecordFilter, classification: string, yearStart: number): Promise<{ week: number; count: number }[]> {
  const params: unknown[] = [];
  const where = buildRecordFilterSql(filter, params);
  const start = `$${params.push(yearStart)}::bigint`;
  const result = await db.query<{ week: number; count: number }>(
    `SELECT ceil((timestamp_client - ${start})::numeric / 604800)::int AS week, count(*)::int AS count
     FROM records WHERE ${where} AND classification = $${params.push(classification)}::text AND timestamp_client >= ${start}
     GROUP BY 1 ORDER BY 1 DESC`,
    params,
  );
  return result.rows;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
