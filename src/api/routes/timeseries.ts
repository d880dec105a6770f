// GET /api/stats/timeseries: record counts per minute, hour or day over any range,
// optionally per classification, build, severity, system name or host type. What the
// reference lacked; bounded to MAX_BUCKETS buckets per answer.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { RecordFilter } from '../../db/queries/record-filter.ts';
import { countRollupsOverTime, isRollupTimeseries } from '../../db/queries/record-rollups.ts';
import { countRecordsOverTime, TIMESERIES_GROUPS, type TimeseriesCount, type TimeseriesOptions } from '../../db/queries/stats.ts';
import { invalidParam, parseChoice, parseIntegerParam } from '../query-params.ts';
import { runReadQuery, type QueryContext } from '../query-runner.ts';
import { listFilterRegexes, parseRecordFilter } from '../record-filter.ts';
import { isoFromSeconds } from '../report-weeks.ts';
import { QUERY_ERROR_RESPONSES } from '../schemas/errors.ts';
import { TimeseriesQuery, TimeseriesResponse } from '../schemas/stats.ts';

export const MAX_BUCKETS = 2000;
const RESOLUTIONS = { minute: 60, hour: 3600, day: 86_400 } as const;
/** Range when none is given: a day of minutes, a week of hours, 90 days. */
const DEFAULT_SPAN_SECONDS = { minute: 86_400, hour: 7 * 86_400, day: 90 * 86_400 } as const;

export function registerTimeseriesRoute(parent: FastifyInstance, context: QueryContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/stats/timeseries', {
    schema: {
      tags: ['stats'],
      summary: 'Record counts over time',
      description: `Range: received_from/received_to (or created_from/created_to with time=created); default the last day (minute), week (hour) or 90 days (day). At most ${MAX_BUCKETS} buckets.`,
      querystring: TimeseriesQuery,
      response: { 200: TimeseriesResponse, ...QUERY_ERROR_RESPONSES },
    },
    handler: async (request) => {
      const q = request.query;
      const parsed = parseRecordFilter(q, { defaultWindow: false });
      const resolution = parseChoice(q.resolution, 'resolution', ['minute', 'hour', 'day'] as const, 'hour');
      const groupBy = parseChoice(q.group_by, 'group_by', TIMESERIES_GROUPS, 'none');
      const axis = parseChoice(q.time, 'time', ['received', 'created'] as const, 'received');
      const seriesLimit = parseIntegerParam(q.series_limit, 'series_limit', { min: 1, max: 100, fallback: 10 });
      const size = RESOLUTIONS[resolution];

      const nowSeconds = Date.now() / 1000;
      const range = axis === 'received' ? receivedRange(parsed, nowSeconds, DEFAULT_SPAN_SECONDS[resolution]) : createdRange(parsed, nowSeconds, DEFAULT_SPAN_SECONDS[resolution]);
      const first = Math.floor(range.from / size) * size;
      const bucketCount = range.to > range.from ? Math.floor((Math.ceil(range.to) - 1 - first) / size) + 1 : 0;
      if (bucketCount > MAX_BUCKETS) {
        throw invalidParam('resolution', 'Too many buckets for this resolution', `${bucketCount} buckets; at most ${MAX_BUCKETS}: use a coarser resolution or a shorter range`);
      }
      const filter: RecordFilter =
        axis === 'received'
          ? { ...parsed, receivedFrom: new Date(range.from * 1000), receivedTo: new Date(range.to * 1000) }
          : { ...parsed, createdFrom: BigInt(Math.ceil(range.from)), createdTo: BigInt(Math.ceil(range.to)) };
      const options: TimeseriesOptions = { axis, bucketSeconds: size, groupBy, seriesLimit };
      // Hour and day buckets on receive time come from the rollups; minutes (at most
      // MAX_BUCKETS of them, about 33 hours) and client time from the raw table.
      const count = isRollupTimeseries(filter, options) ? countRollupsOverTime : countRecordsOverTime;
      const rows = bucketCount === 0 ? [] : await runReadQuery(context, listFilterRegexes(filter), (db) => count(db, filter, options));
      const buckets = Array.from({ length: bucketCount }, (_, i) => first + i * size);
      return {
        resolution,
        bucket_seconds: size,
        time: axis,
        group_by: groupBy,
        from: isoFromSeconds(range.from),
        to: isoFromSeconds(range.to),
        buckets,
        ...toSeries(rows, first, size, bucketCount),
      };
    },
  });
}

interface Range {
  from: number;
  to: number;
}

function receivedRange(filter: RecordFilter, now: number, defaultSpan: number): Range {
  const to = filter.receivedTo ? filter.receivedTo.getTime() / 1000 : now;
  const window = filter.receivedWithinSeconds;
  const from = filter.receivedFrom ? filter.receivedFrom.getTime() / 1000 : window !== undefined ? now - window : to - defaultSpan;
  return { from, to };
}

function createdRange(filter: RecordFilter, now: number, defaultSpan: number): Range {
  const to = filter.createdTo !== undefined ? Number(filter.createdTo) : Math.ceil(now);
  const from = filter.createdFrom !== undefined ? Number(filter.createdFrom) : to - defaultSpan;
  return { from, to };
}

/** Dense, zero-filled series in the order of their totals; the tail summed in `other`. */
function toSeries(rows: readonly TimeseriesCount[], first: number, size: number, bucketCount: number) {
  const byKey = new Map<string | null, number[]>();
  for (const row of rows) {
    const index = Math.round((row.bucket - first) / size);
    if (index < 0 || index >= bucketCount) continue;
    let counts = byKey.get(row.key);
    if (!counts) byKey.set(row.key, (counts = new Array<number>(bucketCount).fill(0)));
    counts[index] = (counts[index] ?? 0) + row.count;
  }
  const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
  const series = [...byKey.entries()]
    .filter((e): e is [string, number[]] => e[0] !== null)
    .map(([key, counts]) => ({ key, total: total(counts), counts }))
    .sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = byKey.get(null);
  return { series, other: rest ? { total: total(rest), counts: rest } : null };
}
