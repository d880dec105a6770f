// Count aggregates answered from the record rollups (migration 0030) instead of the raw
// table: counts per build, classification, host type and time bucket. A receive-time
// range is split into whole days (record_rollups_daily), whole hours at its edges
// (record_rollups_hourly) and the sub-hour remainders (records, a few minutes of rows),
// so every answer equals the raw query's. Only for filters isRollupFilter accepts.

import type { Queryable } from '../pool.ts';
import { buildRecordFilterSql, type RecordFilter } from './record-filter.ts';
import { BUILD_ORDER_SQL, type KeyCount, type TimeseriesCount, type TimeseriesOptions } from './stats.ts';

/** The filter fields that are rollup columns or receive-time bounds. */
const ROLLUP_FIELDS = new Set<keyof RecordFilter>([
  'severity', 'severityMin', 'severityMax', 'classification', 'build', 'systemName', 'architecture', 'hostType', 'external',
  'receivedWithinSeconds', 'receivedFrom', 'receivedTo',
]);

/** Whether the count aggregates can answer this filter from the rollups. */
export function isRollupFilter(filter: RecordFilter): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || ROLLUP_FIELDS.has(key as keyof RecordFilter));
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

const TABLES = { day: ['record_rollups_daily', 'day'], hour: ['record_rollups_hourly', 'hour'] } as const;

/**
 * A UNION ALL over the segments producing the grouping columns and `n`, the count:
 * `columns(level, timeColumn)` gives the select expressions for each source.
 */
function buildCountSourceSql(
  filter: RecordFilter,
  params: unknown[],
  levels: readonly RollupLevel[],
  columns: (timeColumn: string) => string[],
  now: Date,
): string {
  const { from, to } = receivedBounds(filter, now);
  const base: RecordFilter = { ...filter, receivedWithinSeconds: undefined, receivedFrom: undefined, receivedTo: undefined };
  const parts = splitReceivedRange(from, to, levels).map((segment) => {
    if (segment.level === 'raw') {
      const cols = columns('received_at');
      const where = buildRecordFilterSql({ ...base, receivedFrom: segment.from, receivedTo: segment.to }, params);
      return `SELECT ${cols.join(', ')}, count(*) AS n FROM records WHERE ${where} GROUP BY ${cols.map((_, i) => i + 1).join(', ')}`;
    }
    const [table, time] = TABLES[segment.level];
    const cols = columns(time);
    let where = buildRecordFilterSql(base, params);
    if (segment.from) where += ` AND ${time} >= $${params.push(segment.from)}::timestamptz`;
    if (segment.to) where += ` AND ${time} < $${params.push(segment.to)}::timestamptz`;
    return `SELECT ${cols.join(', ')}, sum(count) AS n FROM ${table} WHERE ${where} GROUP BY ${cols.map((_, i) => i + 1).join(', ')}`;
  });
  // An empty range still needs a typed, empty source.
  if (parts.length === 0) return `SELECT ${columns('received_at').join(', ')}, 0::bigint AS n FROM records WHERE FALSE`;
  return parts.join('\nUNION ALL\n');
}

async function countByColumn(db: Queryable, filter: RecordFilter, column: string, order: string, now: Date, extra?: (params: unknown[]) => string): Promise<KeyCount[]> {
  const params: unknown[] = [];
  const source = buildCountSourceSql(filter, params, ['day', 'hour', 'raw'], () => [`${column} AS key`], now);
  const condition = extra ? extra(params) : 'TRUE';
  const result = await db.query<KeyCount>(
    `SELECT key, sum(n)::int AS count FROM (${source}) s WHERE ${condition} GROUP BY key ORDER BY ${order}`,
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

/** Whether countRollupsOverTime can answer: receive time, hour or day buckets. */
export function isRollupTimeseries(filter: RecordFilter, options: TimeseriesOptions): boolean {
  return isRollupFilter(filter) && options.axis === 'received' && (options.bucketSeconds === 3600 || options.bucketSeconds === 86_400);
}

/** countRecordsOverTime on receive time in hour or day buckets, from the rollups. */
export async function countRollupsOverTime(db: Queryable, filter: RecordFilter, options: TimeseriesOptions, now = new Date()): Promise<TimeseriesCount[]> {
  const params: unknown[] = [];
  const unit = options.bucketSeconds === 86_400 ? 'day' : 'hour';
  const levels: RollupLevel[] = unit === 'day' ? ['day', 'hour', 'raw'] : ['hour', 'raw'];
  const unitParam = `$${params.push(unit)}::text`;
  const source = buildCountSourceSql(
    filter,
    params,
    levels,
    (time) => [`date_trunc(${unitParam}, ${time}, 'UTC') AS bucket`, `${GROUP_KEY_SQL[options.groupBy]} AS key`],
    now,
  );
  const limit = `$${params.push(options.seriesLimit)}::int`;
  const result = await db.query<TimeseriesCount>(
    `WITH counts AS (
       SELECT bucket, key, sum(n) AS n FROM (${source}) s GROUP BY 1, 2
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
