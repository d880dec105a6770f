// The population view (reference §8.11) answered from record_machine_rollups (migration
// 0030): one row per (classification, system, build, machine, source) with its latest
// client time, instead of every record. Only for filters isMachineRollupFilter accepts.

import type { Queryable } from '../pool.ts';
import { countMachinesIn, type BuildPopulation } from './population.ts';
import type { RecordFilter } from './record-filter.ts';

/** The filter fields that are columns of record_machine_rollups. */
const MACHINE_ROLLUP_FIELDS = new Set<keyof RecordFilter>(['classification', 'systemName', 'build', 'machineId', 'external']);

/** Whether countMachinesByBuild can be answered from the machine rollup. */
export function isMachineRollupFilter(filter: RecordFilter): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || MACHINE_ROLLUP_FIELDS.has(key as keyof RecordFilter));
}

/** countMachinesByBuild, from the machine rollup. */
export async function countRollupMachinesByBuild(db: Queryable, filter: RecordFilter, windowDays: readonly (number | null)[]): Promise<BuildPopulation[]> {
  return countMachinesIn(db, 'record_machine_rollups', 'max(last_seen)', filter, windowDays);
}
