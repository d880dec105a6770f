// Distinct machines per build over several client-time windows, internal and external
// (reference §8.11), in one pass over the filtered records.

import type { Queryable } from '../pool.ts';
import { buildRecordFilterSql, type RecordFilter } from './record-filter.ts';
import { BUILD_ORDER_SQL } from './stats.ts';

export interface BuildPopulation {
  build: string;
  /** per window, in the order asked: distinct internal and external machines */
  windows: { internal: number; external: number }[];
}

/**
 * Counts distinct machine ids per build; `windowDays[i]` null means no time limit, N means
 * timestamp_client within the last N days (client time, reference §6.3).
 */
export async function countMachinesByBuild(db: Queryable, filter: RecordFilter, windowDays: readonly (number | null)[]): Promise<BuildPopulation[]> {
  return countMachinesIn(db, 'records', 'max(timestamp_client)', filter, windowDays);
}

/**
 * The population query over `table` (records, or record_machine_rollups whose
 * `max(last_seen)` is the same latest client time); both are fixed names, never input.
 */
export async function countMachinesIn(
  db: Queryable,
  table: 'records' | 'record_machine_rollups',
  latest: 'max(timestamp_client)' | 'max(last_seen)',
  filter: RecordFilter,
  windowDays: readonly (number | null)[],
): Promise<BuildPopulation[]> {
  const params: unknown[] = [];
  const where = buildRecordFilterSql(filter, params);
  // A machine is in a window when its latest record is: one pass groups (build, machine,
  // source) with the latest client time, then plain counts replace count(DISTINCT).
  const columns = windowDays.flatMap((days, i) => {
    const since = days === null ? '' : ` AND last_seen > extract(epoch FROM now())::bigint - $${params.push(days)}::bigint * 86400`;
    return [
      `count(*) FILTER (WHERE NOT external${since})::int AS internal_${i}`,
      `count(*) FILTER (WHERE external${since})::int AS external_${i}`,
    ];
  });
  const result = await db.query<Record<string, number> & { build: string }>(
    `WITH machines AS (
       SELECT build, machine_id, external, ${latest} AS last_seen FROM ${table} WHERE ${where}
       GROUP BY build, machine_id, external
     )
     SELECT build, ${columns.join(', ')} FROM machines GROUP BY build ORDER BY ${BUILD_ORDER_SQL}`,
    params,
  );
  return result.rows.map((row) => ({
    build: row.build,
    windows: windowDays.map((_, i) => ({ internal: row[`internal_${i}`] ?? 0, external: row[`external_${i}`] ?? 0 })),
  }));
}
