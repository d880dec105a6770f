// Aggregates over records for the builds, stats and timeseries views (reference §8.3,
// §8.4): counts per build, classification and host type, and bucketed counts over time.
// Every function takes the shared RecordFilter.

import type { Queryable } from '../pool.ts';
import { buildRecordFilterSql, type RecordFilter } from './record-filter.ts';

export interface KeyCount {
  key: string;
  count: number;
}

/** Numeric builds first in integer order (reference §8.3), then the others by text. */
export const BUILD_ORDER_SQL = `(build ~ '^[0-9]+$') DESC, CASE WHEN build ~ '^[0-9]+$' THEN build::numeric END, build`;

/** Records per build, optionally only builds matching a PostgreSQL regex (the reference showed `^[0-9]+$`). */
export async function countRecordsByBuild(db: Queryable, filter: RecordFilter, buildPattern?: string): Promise<KeyCount[]> {
  const params: unknown[] = [];
  let where = buildRecordFilterSql(filter, params);
  if (buildPattern !== undefined) where += ` AND build ~ $${params.push(buildPattern)}::text`;
  const result = await db.query<KeyCount>(
    `SELECT build AS key, count(*)::int AS count FROM records WHERE ${where} GROUP BY build ORDER BY ${BUILD_ORDER_SQL}`,
    params,
  );
  return result.rows;
}

/** Records per classification, most first (reference §8.4). */
export async function countRecordsByClassification(db: Queryable, filter: RecordFilter): Promise<KeyCount[]> {
  const params: unknown[] = [];
  const where = buildRecordFilterSql(filter, params);
  const result = await db.query<KeyCount>(
    `SELECT classification AS key, count(*)::int AS count FROM records WHERE ${where}
     GROUP BY classification ORDER BY count(*) DESC, classification`,
    params,
  );
  return result.rows;
}

/** Records per host type (platform), most first (reference §8.4). */
export async function countRecordsByHostType(db: Queryable, filter: RecordFilter): Promise<KeyCount[]> {
  const params: unknown[] = [];
  const where = buildRecordFilterSql(filter, params);
  const result = await db.query<KeyCount>(
    `SELECT host_type AS key, count(*)::int AS count FROM records WHERE ${where}
     GROUP BY host_type ORDER BY count(*) DESC, host_type`,
    params,
  );
  return result.rows;
}

export const TIMESERIES_GROUPS = ['none', 'classification', 'build', 'severity', 'system_name', 'host_type'] as const;
export type TimeseriesGroup = (typeof TIMESERIES_GROUPS)[number];
export type TimeAxis = 'received' | 'created';

// Allow-list: the only SQL text a request can choose.
const GROUP_KEY_SQL: Record<TimeseriesGroup, string> = {
  none: `'all'::text`,
  classification: 'classification',
  build: 'build',
  severity: 'severity::text',
  system_name: 'system_name',
  host_type: 'host_type',
};

/** The bucket sizes a series can have, as date_trunc units. */
const TRUNC_UNITS: Record<number, string> = { 60: 'minute', 3600: 'hour', 86_400: 'day' };

export interface TimeseriesOptions {
  axis: TimeAxis;
  /** 60, 3600 or 86400 */
  bucketSeconds: number;
  groupBy: TimeseriesGroup;
  /** the largest series kept by name; the rest are summed under key null */
  seriesLimit: number;
}

export interface TimeseriesCount {
  /** bucket start, epoch seconds, aligned to bucketSeconds */
  bucket: number;
  /** null for the sum of the series beyond seriesLimit */
  key: string | null;
  count: number;
}

/** Records per time bucket (and group); the caller bounds the range through the filter. */
export async function countRecordsOverTime(db: Queryable, filter: RecordFilter, options: TimeseriesOptions): Promise<TimeseriesCount[]> {
  const params: unknown[] = [];
  const where = buildRecordFilterSql(filter, params);
  // date_trunc on the timestamp is much cheaper per row than arithmetic on extract(epoch),
  // which is numeric; the epoch is taken once per bucket, after grouping.
  const bucket =
    options.axis === 'received'
      ? `date_trunc($${params.push(TRUNC_UNITS[options.bucketSeconds] ?? 'hour')}::text, received_at, 'UTC')`
      : `(timestamp_client / $${params.push(options.bucketSeconds)}::bigint) * $${params.length}::bigint`;
  const epoch = options.axis === 'received' ? 'extract(epoch FROM c.bucket)::float8' : 'c.bucket::float8';
  const limit = `$${params.push(options.seriesLimit)}::int`;
  const result = await db.query<TimeseriesCount>(
    `WITH counts AS (
       SELECT ${bucket} AS bucket, ${GROUP_KEY_SQL[options.groupBy]} AS key, count(*) AS n
       FROM records WHERE ${where} GROUP BY 1, 2
     ), ranked AS (
       SELECT key, row_number() OVER (ORDER BY sum(n) DESC, key) AS rank FROM counts GROUP BY key
     )
     SELECT ${epoch} AS bucket, CASE WHEN r.rank <= ${limit} THEN c.key END AS key, sum(c.n)::float8 AS count
     FROM counts c JOIN ranked r ON r.key = c.key
     GROUP BY c.bucket, 2`,
    params,
  );
  return result.rows;
}
