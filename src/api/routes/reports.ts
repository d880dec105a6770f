// GET /api/stats/mce and /api/stats/thermal: the machine-check and thermal report
// series (reference §8.9, §8.10), on client time, in UTC.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { countMceReports, countThermalReportsByWeek, listTopMceMachines } from '../../db/queries/mce.ts';
import type { RecordFilter } from '../../db/queries/record-filter.ts';
import { parseIntegerParam } from '../query-params.ts';
import { runReadQuery, type QueryContext } from '../query-runner.ts';
import { listFilterRegexes, parseRecordFilter } from '../record-filter.ts';
import { isoFromSeconds, startOfWeekZero, startOfYear, thermalWindowStart } from '../report-weeks.ts';
import { QUERY_ERROR_RESPONSES } from '../schemas/errors.ts';
import { MceQuery, MceResponse, StatsQuery, ThermalResponse } from '../schemas/stats.ts';

export const MCE_CLASSIFICATIONS = ['org.clearlinux/mce/corrected', 'org.clearlinux/mce/SRAO', 'org.clearlinux/mce/SRAR', 'org.clearlinux/mce/UCNA'];
export const THERMAL_CLASSIFICATION = 'org.clearlinux/mce/thermal';

export function registerReportRoutes(parent: FastifyInstance, context: QueryContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/stats/mce', {
    schema: {
      tags: ['stats'],
      summary: 'Machine-check reports: weekly, per classification, build and status; top machines',
      description: `Records of ${MCE_CLASSIFICATIONS.join(', ')} (ANDed with the filter), by default created since 1 January of this year (UTC); created_from/created_to replace that range.`,
      querystring: MceQuery,
      response: { 200: MceResponse, ...QUERY_ERROR_RESPONSES },
    },
    handler: async (request) => {
      const parsed = parseRecordFilter(request.query, { defaultWindow: false });
      const top = parseIntegerParam(request.query.top, 'top', { min: 1, max: 1000, fallback: 100 });
      const filter = withDefaultCreatedFrom(parsed, startOfYear(new Date()));
      // Two scans of the same reports, each hashing tens of thousands of rows at 10 M
      // records: on two connections at once, the answer takes the longer one, not the sum.
      const regexes = listFilterRegexes(filter);
      const [counts, machines] = await Promise.all([
        runReadQuery(context, regexes, (db) => countMceReports(db, filter, MCE_CLASSIFICATIONS)),
        runReadQuery(context, regexes, (db) => listTopMceMachines(db, filter, MCE_CLASSIFICATIONS, top)),
      ]);
      const weekly = MCE_CLASSIFICATIONS.map((classification) => ({
        classification,
        weeks: counts.weekly.filter((w) => w.classification === classification).map(({ week, count }) => ({ week, count })),
      }));
      return {
        classifications: MCE_CLASSIFICATIONS,
        from: filter.createdFrom === undefined ? null : isoFromSeconds(Number(filter.createdFrom)),
        weekly,
        by_classification: counts.byClassification,
        by_build: counts.byBuild,
        by_status: counts.byStatus,
        machine_count: machines.machineCount,
        top_machines: machines.machines.map((m) => ({ machine_id: m.machineId, total: m.total, by_build: m.byBuild })),
      };
    },
  });

  app.get('/stats/thermal', {
    schema: {
      tags: ['stats'],
      summary: 'Thermal reports per week',
      description: `Records of ${THERMAL_CLASSIFICATION}, by default created since the Sunday four weeks before this week; week N is ⌈(created − year_start) / 1 week⌉ and reports before year_start are left out (reference).`,
      querystring: StatsQuery,
      response: { 200: ThermalResponse, ...QUERY_ERROR_RESPONSES },
    },
    handler: async (request) => {
      const now = new Date();
      const parsed = parseRecordFilter(request.query, { defaultWindow: false });
      const filter = withDefaultCreatedFrom(parsed, thermalWindowStart(now));
      const yearStart = startOfWeekZero(now);
      const weeks = await runReadQuery(context, listFilterRegexes(filter), (db) => countThermalReportsByWeek(db, filter, THERMAL_CLASSIFICATION, yearStart));
      return {
        classification: THERMAL_CLASSIFICATION,
        year_start: isoFromSeconds(yearStart),
        from: isoFromSeconds(Math.max(yearStart, Number(filter.createdFrom ?? yearStart))),
        weeks,
      };
    },
  });
}

/** The view's default client-time range, unless the request gave created_from or created_to. */
function withDefaultCreatedFrom(filter: RecordFilter, from: number): RecordFilter {
  if (filter.createdFrom !== undefined || filter.createdTo !== undefined) return filter;
  return { ...filter, createdFrom: BigInt(from) };
}
