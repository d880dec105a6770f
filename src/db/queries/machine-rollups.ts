// The population view (reference §8.11) answered from the machine rollups (migrations
// 0030, 0050, 0062, 0063) instead of every record: one row per (classification, system, build,
// machine, source) with its latest client time, the same per (classification, build,
// machine, source), (classification prefix, build, machine, source), (system, build,
// machine, source) and (build, machine, source) over the unrestricted columns, and histograms of machines per day of that latest time. Only
// for filters isMachineRollupFilter accepts; answers lag ingest by the deltas not yet
// folded into population (up to POPULATION_FOLD_INTERVAL_MS, a minute, 0065). The boundary day is found by seen_day
// (0064) and its machines filtered by last_seen from the heap.

import type { Queryable } from '../pool.ts';
import { BUILD_ORDER_SQL } from './stats.ts';
import { countMachinesIn, type BuildPopulation } from './population.ts';
import { buildRecordFilterSql, type RecordFilter } from './record-filter.ts';

/**
 * The filter fields the machine rollup answers. Not machine_id, although it is a column:
 * one machine's records are few and indexed in records, while finding them in the rollup
 * (no machine_id index) reads all of its millions of rows.
 */
const MACHINE_ROLLUP_FIELDS = new Set<keyof RecordFilter>(['classification', 'systemName', 'build', 'external']);

/** Whether countMachinesByBuild can be answered from the machine rollup. */
export function isMachineRollupFilter(filter: RecordFilter): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || MACHINE_ROLLUP_FIELDS.has(key as keyof RecordFilter));
}

/**
 * Which histogram answers, and the filter it takes (only the columns that level has): an
 * exact classification and system, one of them exact and the other unrestricted
 * (migration 0062), a classification prefix of one or two segments with any system
 * (0063), or both unrestricted. Any other prefix goes to the machine rollup.
 */
type HistogramLevel = { days: string; machines: string; filter: RecordFilter };

/** The prefixes migration 0063 keeps a level for: one or two non-empty segments, each with its '/'. */
const PREFIX_LEVEL = /^[^/]+\/(?:[^/]+\/)?$/;

function findHistogramLevel(filter: RecordFilter): HistogramLevel | undefined {
  if (filter.machineId !== undefined) return undefined;
  const c = filter.classification;
  const s = filter.systemName;
  const cAny = c === undefined || c.kind === 'any';
  const sAny = s === undefined || s.kind === 'any';
  const { build, external } = filter;
  if (c?.kind === 'exact' && s?.kind === 'exact') return { days: 'record_population_days', machines: 'record_machine_rollups', filter };
  if (c?.kind === 'exact' && sAny) {
    return { days: 'record_population_classification_days', machines: 'record_machine_classification_rollups', filter: { classification: c, build, external } };
  }
  if (c?.kind === 'prefix' && PREFIX_LEVEL.test(c.value) && sAny) {
    return { days: 'record_population_prefix_days', machines: 'record_machine_prefix_rollups', filter: { classification: { kind: 'exact', value: c.value }, build, external } };
  }
  if (cAny && s?.kind === 'exact') {
    return { days: 'record_population_system_days', machines: 'record_machine_system_rollups', filter: { systemName: s, build, external } };
  }
  if (cAny && sAny) return { days: 'record_population_build_days', machines: 'record_machine_build_rollups', filter: { build, external } };
  return undefined;
}

/** countMachinesByBuild, from the machine rollups. */
export async function countRollupMachinesByBuild(db: Queryable, filter: RecordFilter, windowDays: readonly (number | null)[]): Promise<BuildPopulation[]> {
  const level = findHistogramLevel(filter);
  if (!level) return countMachinesIn(db, 'record_machine_rollups', 'max(last_seen)', filter, windowDays);
  const params: unknown[] = [];
  const where = buildRecordFilterSql(level.filter, params);
  const counts = (value: string) => `${value} FILTER (WHERE NOT external) AS internal, ${value} FILTER (WHERE external) AS external`;
  // Per window: the histogram's days after the boundary day, and the boundary day's
  // machines whose latest record is still inside (same "now" as the raw query).
  // w = -1 lists every build with a matching machine, as the raw query does.
  const builds = `SELECT build, -1 AS w, 0::bigint AS internal, 0::bigint AS external FROM ${level.days} WHERE ${where} GROUP BY build`;
  const parts = windowDays.flatMap((days, i) => {
    if (days === null) return [`SELECT build, ${i} AS w, ${counts('sum(machines)')} FROM ${level.days} WHERE ${where} GROUP BY build`];
    const cutoff = `(extract(epoch FROM now())::bigint - $${params.push(days)}::bigint * 86400)`;
    return [
      `SELECT build, ${i} AS w, ${counts('sum(machines)')} FROM ${level.days} WHERE ${where} AND day > record_population_day(${cutoff}) GROUP BY build`,
      `SELECT build, ${i} AS w, ${counts('count(*)')} FROM ${level.machines}
       WHERE ${where} AND seen_day = record_population_day(${cutoff}) AND last_seen > ${cutoff} GROUP BY build`,
    ];
  });
  const result = await db.query<{ build: string; w: number; internal: number; external: number }>(
    `SELECT build, w, coalesce(sum(internal), 0)::int AS internal, coalesce(sum(external), 0)::int AS external
     FROM (${[builds, ...parts].join('\nUNION ALL\n')}) s GROUP BY build, w ORDER BY ${BUILD_ORDER_SQL}, w`,
    params,
  );
  const populations = new Map<string, BuildPopulation>();
  for (const row of result.rows) {
    let entry = populations.get(row.build);
    if (!entry) {
      entry = { build: row.build, windows: windowDays.map(() => ({ internal: 0, external: 0 })) };
      populations.set(row.build, entry);
    }
    if (row.w >= 0) entry.windows[row.w] = { internal: row.internal, external: row.external };
  }
  return [...populations.values()];
}
