// Count aggregates answered from the record rollups (migration 0030) instead of the raw
// table: counts per build, classification, host type and time bucket. A receive-time
// range is split into whole days (record_rollups_daily, migration 0060), whole hours at
// its edges (record_rollups_hourly), each plus the deltas not yet folded (migration
// 0050), and the sub-hour remainders (records, a few minutes of rows), so every answer
// equals the raw query's. Only for filters isRollupFilter accepts.

import type { Queryable } from '../pool.ts';
import { buildRecordFilterSql, type RecordFilter } from './record-filter.ts';
import { BUILD_ORDER_SQL, type KeyCount, type TimeseriesCount, type TimeseriesOptions } from './stats.ts';

// A rollup as it stands for a reader: the folded rows plus the pending deltas (the fold
// commits both sides at once, so every snapshot sees each change exactly once).
const HOURLY_SOURCE = `(SELECT bucket, classification, build, severity, system_name, external, count FROM record_rollups_hourly
  UNION ALL SELECT bucket, classification, build, severity, system_name, external, count FROM record_rollup_deltas)`;
const DAILY_SOURCE = `(SELECT bucket, classification, build, severity, system_name, external, count FROM record_rollups_daily
  UNION ALL SELECT date_trunc('day', bucket, 'UTC'), classification, build, severity, system_name, external, count FROM record_rollup_deltas)`;
const HOST_SOURCE = `(SELECT bucket, host_type, architecture, classification, external, count FROM record_host_rollups_daily
  UNION ALL SELECT date_trunc('day', bucket, 'UTC'), host_type, architecture, classification, external, count FROM record_rollup_deltas)`;

/** A count rollup of migrations 0030/0050/0060: its sources per bucket size and its key columns. */
interface Cube {
  tables: Partial<Record<'day' | 'hour', string>>;
  columns: ReadonlySet<string>;
}

// Coarsest-first preference: the first cube holding every needed column answers.
const CUBES: readonly Cube[] = [
  { tables: { day: DAILY_SOURCE, hour: HOURLY_SOURCE }, columns: new Set(['classification', 'build', 'severity', 'system_name', 'external']) },
  { tables: { day: HOST_SOURCE }, columns: new Set(['host_type', 'architecture', 'classification', 'external']) },
];

/** The column each rollup-able filter field reads; receive times are the buckets. */
const FILTER_COLUMNS: Partial<Record<keyof RecordFilter, string>> = {
  severity: 'severity', severityMin: 'severity', severityMax: 'severity', classification: 'classification', build: 'build',
  systemName: 'system_name', architecture: 'architecture', hostType: 'host_type', external: 'external',
  receivedWithinSeconds: '', receivedFrom: '', receivedTo: '',
};

/** The cube that can answer a filter grouped by `groupColumn`, or undefined (raw table). */
export function findCube(filter: RecordFilter, groupColumn?: string): Cube | undefined {
  const needed = new Set<string>(groupColumn ? [groupColumn] : []);
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const column = FILTER_COLUMNS[key as keyof RecordFilter];
    if (column === undefined) return undefined;
    if (column) needed.add(column);
  }
  return CUBES.find((cube) => [...needed].every((c) => cube.columns.has(c)));
}

/** Whether the count aggregates can answer this filter (grouped by `groupColumn`) from a rollup. */
export function isRollupFilter(filter: RecordFilter, groupColumn?: string): boolean {
  return findCube(filter, groupColumn) !== undefined;
}

export type RollupLevel = 'day' | 'hour' | 'raw';
export interface RangeSegment {
  level: RollupLevel;
  /** inclusive; undefined: unbounded */
  from?: Date;
  /** exclusive; undefined: unbounded */
  to?: Date;
}

const UNIT_MS: Record<Exclude<RollupLevel, 'raw'>, number> = { day: 86_400_000, hour: 3_600_000 };

/**
 * Splits [from, to) into the coarsest segments the levels allow: whole UTC days, then
 * whole hours, then the rest for the raw table. `levels` is coarsest first.
 */
export function splitReceivedRange(from: Date | undefined, to: Date | undefined, levels: readonly RollupLevel[]): RangeSegment[] {
  const [level, ...finer] = levels;
  if (level === undefined || level === 'raw') return [{ level: 'raw', from, to }];
  if (from && to && from.getTime() >= to.getTime()) return [];
  const unit = UNIT_MS[level];
  const start = from && new Date(Math.ceil(from.getTime() / unit) * unit);
  const end = to && new Date(Math.floor(to.getTime() / unit) * unit);
  if (start && end && start.getTime() >= end.getTime()) return splitReceivedRange(from, to, finer);
  const segments: RangeSegment[] = [];
  if (from && start && from.getTime() < start.getTime()) segments.push(...splitReceivedRange(from, start, finer));
  segments.push({ level, from: start, to: end });
  if (to && end && end.getTime() < to.getTime()) segments.push(...splitReceivedRange(end, to, finer));
  return segments;
}

/** The filter's receive-time bounds as one [from, to) range; `now` resolves receivedWithinSeconds. */
export function receivedBounds(filter: RecordFilter, now: Date): { from?: Date; to?: Date } {
  let from = filter.receivedFrom;
  if (filter.receivedWithinSeconds !== undefined) {
    const since = new Date(now.getTime() - filter.receivedWithinSeconds * 1000);
    if (!from || since.getTime() > from.getTime()) from = since;
  }
  return { from, to: filter.receivedTo };
}

/**
 * A UNION ALL over the segments producing the grouping columns and `n`, the count:
 * `columns(level, timeColumn)` gives the select expressions for each source.
 */
function buildCountSourceSql(
  filter: RecordFilter,
  params: unknown[],
  cube: Cube,
  /** the largest bucket the answer may use: hour for hourly series */
  coarsest: 'day' | 'hour',
  columns: (timeColumn: string) => string[],
  now: Date,
): string {
  const { from, to } = receivedBounds(filter, now);
  const levels = (['day', 'hour'] as const).filter((l) => cube.tables[l] && !(coarsest === 'hour' && l === 'day'));
  const base: RecordFilter = { ...filter, receivedWithinSeconds: undefined, receivedFrom: undefined, receivedTo: undefined };
  const parts = splitReceivedRange(from, to, [...levels, 'raw']).map((segment) => {
    if (segment.level === 'raw') {
      const cols = columns('received_at');
      const where = buildRecordFilterSql({ ...base, receivedFrom: segment.from, receivedTo: segment.to }, params);
      return `SELECT ${cols.join(', ')}, count(*) AS n FROM records WHERE ${where} GROUP BY ${cols.map((_, i) => i + 1).join(', ')}`;
    }
    const table = cube.tables[segment.level];
    const time = 'bucket';
    const cols = columns(time);
    let where = buildRecordFilterSql(base, params);
    if (segment.from) where += ` AND ${time} >= $${params.push(segment.from)}::timestamptz`;
    if (segment.to) where += ` AND ${time} < $${params.push(segment.to)}::timestamptz`;
    return `SELECT ${cols.join(', ')}, sum(count) AS n FROM ${table} AS rollup WHERE ${where} GROUP BY ${cols.map((_, i) => i + 1).join(', ')}`;
  });
  // An empty range still needs a typed, empty source.
  if (parts.length === 0) return `SELECT ${columns('received_at').join(', ')}, 0::bigint AS n FROM records WHERE FALSE`;
  return parts.join('\nUNION ALL\n');
}

async function countByColumn(db: Queryable, filter: RecordFilter, column: string, order: string, now: Date, extra?: (params: unknown[]) => string): Promise<KeyCount[]> {
  const cube = findCube(filter, column);
  if (!cube) throw new Error(`no rollup answers this filter grouped by ${column}: check isRollupFilter first`);
  const params: unknown[] = [];
  const source = buildCountSourceSql(filter, params, cube, 'day', () => [`${column} AS key`], now);
  const condition = extra ? extra(params) : 'TRUE';
  const result = await db.query<KeyCount>(
    // A key whose records all went before the fold nets to 0: the raw query has no such row.
    `SELECT key, sum(n)::int AS count FROM (${source}) s WHERE ${condition} GROUP BY key HAVING sum(n) <> 0 ORDER BY ${order}`,
    params,
  );
  return result.rows;
}

/** countRecordsByBuild, from the rollups. */
export async function countRollupsByBuild(db: Queryable, filter: RecordFilter, buildPattern?: string, now = new Date()): Promise<KeyCount[]> {
  const order = BUILD_ORDER_SQL.replaceAll('build', 'key');
  return countByColumn(db, filter, 'build', order, now, buildPattern === undefined ? undefined : (params) => `key ~ $${params.push(buildPattern)}::text`);
}

/** countRecordsByClassification, from the rollups. */
export async function countRollupsByClassification(db: Queryable, filter: RecordFilter, now = new Date()): Promise<KeyCount[]> {
  return countByColumn(db, filter, 'classification', 'sum(n) DESC, key', now);
}

/** countRecordsByHostType, from the rollups. */
export async function countRollupsByHostType(db: Queryable, filter: RecordFilter, now = new Date()): Promise<KeyCount[]> {
  return countByColumn(db, filter, 'host_type', 'sum(n) DESC, key', now);
}

const GROUP_KEY_SQL: Record<TimeseriesOptions['groupBy'], string> = {
  none: `'all'::text`,
  classification: 'classification',
  build: 'build',
  severity: 'severity::text',
  system_name: 'system_name',
  host_type: 'host_type',
};

const GROUP_COLUMNS: Record<TimeseriesOptions['groupBy'], string | undefined> = {
  none: undefined,
  classification: 'classification',
  build: 'build',
  severity: 'severity',
  system_name: 'system_name',
  host_type: 'host_type',
};

/**
 * The cube for a series: receive time, hour or day buckets, and a cube with every
 * column and (for hours) an hourly table; hour buckets by host type stay raw.
 */
function findTimeseriesCube(filter: RecordFilter, options: TimeseriesOptions): Cube | undefined {
  if (options.axis !== 'received' || (options.bucketSeconds !== 3600 && options.bucketSeconds !== 86_400)) return undefined;
  const cube = findCube(filter, GROUP_COLUMNS[options.groupBy]);
  return cube && (options.bucketSeconds === 86_400 || cube.tables.hour) ? cube : undefined;
}

/** Whether countRollupsOverTime can answer this series. */
export function isRollupTimeseries(filter: RecordFilter, options: TimeseriesOptions): boolean {
  return findTimeseriesCube(filter, options) !== undefined;
}

/** countRecordsOverTime on receive time in hour or day buckets, from the rollups. */
export async function countRollupsOverTime(db: Queryable, filter: RecordFilter, options: TimeseriesOptions, now = new Date()): Promise<TimeseriesCount[]> {
  const cube = findTimeseriesCube(filter, options);
  if (!cube) throw new Error('no rollup answers this series: check isRollupTimeseries first');
  const params: unknown[] = [];
  const unit = options.bucketSeconds === 86_400 ? 'day' : 'hour';
  const unitParam = `$${params.push(unit)}::text`;
  const source = buildCountSourceSql(
    filter,
    params,
    cube,
    unit,
    (time) => [`date_trunc(${unitParam}, ${time}, 'UTC') AS bucket`, `${GROUP_KEY_SQL[options.groupBy]} AS key`],
    now,
  );
  const limit = `$${params.push(options.seriesLimit)}::int`;
  const result = await db.query<TimeseriesCount>(
    `WITH counts AS (
       SELECT bucket, key, sum(n) AS n FROM (${source}) s GROUP BY 1, 2 HAVING sum(n) <> 0
     ), ranked AS (
       SELECT key, row_number() OVER (ORDER BY sum(n) DESC, key) AS rank FROM counts GROUP BY key
     )
     SELECT extract(epoch FROM c.bucket)::float8 AS bucket, CASE WHEN r.rank <= ${limit} THEN c.key END AS key, sum(c.n)::float8 AS count
     FROM counts c JOIN ranked r ON r.key = c.key
     GROUP BY c.bucket, 2`,
    params,
  );
  return result.rows;
}
