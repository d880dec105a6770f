// The aggregates of the builds, stats and population views (reference §8.3, §8.4,
// §8.11): /api/stats/builds, /classifications, /platforms and /population. Each takes
// the shared record filter; none applies the 30-day default window of /api/records.
// Filters on rollup columns only are answered from the rollups (migration 0030).

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { countRollupMachinesByBuild, isMachineRollupFilter } from '../../db/queries/machine-rollups.ts';
import { countMachinesByBuild } from '../../db/queries/population.ts';
import { countRollupsByBuild, countRollupsByClassification, countRollupsByHostType, isRollupFilter } from '../../db/queries/record-rollups.ts';
import type { RecordFilter, TextMatch } from '../../db/queries/record-filter.ts';
import { countRecordsByBuild, countRecordsByClassification, countRecordsByHostType } from '../../db/queries/stats.ts';
import { parseTextParam } from '../query-params.ts';
import { runReadQuery, type QueryContext } from '../query-runner.ts';
import { listFilterRegexes, parseRecordFilter } from '../record-filter.ts';
import { QUERY_ERROR_RESPONSES } from '../schemas/errors.ts';
import { BuildsQuery, BuildsResponse, ClassificationsResponse, PlatformsResponse, PopulationResponse, StatsQuery } from '../schemas/stats.ts';
import { registerReportRoutes } from './reports.ts';
import { registerTimeseriesRoute } from './timeseries.ts';

/** reference §8.11: the population view counts heartbeats of Clear Linux only, unless asked otherwise. */
export const POPULATION_DEFAULTS = { classification: 'org.clearlinux/heartbeat/ping', systemName: 'clear-linux-os' };

/** reference §8.11 spans, in the order the view draws them. */
export const POPULATION_WINDOWS = [
  { key: 'Overall', title: 'Overall', days: null },
  { key: 'TwoWeeks', title: 'Past Two Weeks', days: 14 },
  { key: 'OneWeek', title: 'Past Week', days: 7 },
  { key: 'ThreeDay', title: 'Three Days', days: 3 },
  { key: 'OneDay', title: 'Past Day', days: 1 },
] as const;

export function registerStatsRoutes(parent: FastifyInstance, context: QueryContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/stats/builds', {
    schema: { tags: ['stats'], summary: 'Records per build (builds view)', querystring: BuildsQuery, response: { 200: BuildsResponse, ...QUERY_ERROR_RESPONSES } },
    handler: async (request) => {
      const filter = parseRecordFilter(request.query, { defaultWindow: false });
      const pattern = parseTextParam(request.query.build_pattern, 'build_pattern', 'Build pattern is invalid');
      const regexes = [...listFilterRegexes(filter), ...(pattern === undefined ? [] : [{ param: 'build_pattern', regex: pattern }])];
      const rows = await runReadQuery(context, regexes, (db) =>
        isRollupFilter(filter, 'build') ? countRollupsByBuild(db, filter, pattern) : countRecordsByBuild(db, filter, pattern),
      );
      return { builds: rows.map((r) => ({ build: r.key, count: r.count })) };
    },
  });

  app.get('/stats/classifications', {
    schema: { tags: ['stats'], summary: 'Records per classification (stats view)', querystring: StatsQuery, response: { 200: ClassificationsResponse, ...QUERY_ERROR_RESPONSES } },
    handler: async (request) => {
      const filter = parseRecordFilter(request.query, { defaultWindow: false });
      const rows = await runReadQuery(context, listFilterRegexes(filter), (db) =>
        isRollupFilter(filter, 'classification') ? countRollupsByClassification(db, filter) : countRecordsByClassification(db, filter),
      );
      return { classifications: rows.map((r) => ({ classification: r.key, count: r.count })) };
    },
  });

  app.get('/stats/platforms', {
    schema: { tags: ['stats'], summary: 'Records per host type (stats view)', querystring: StatsQuery, response: { 200: PlatformsResponse, ...QUERY_ERROR_RESPONSES } },
    handler: async (request) => {
      const filter = parseRecordFilter(request.query, { defaultWindow: false });
      const rows = await runReadQuery(context, listFilterRegexes(filter), (db) =>
        isRollupFilter(filter, 'host_type') ? countRollupsByHostType(db, filter) : countRecordsByHostType(db, filter),
      );
      return { platforms: rows.map((r) => ({ host_type: r.key, count: r.count })) };
    },
  });

  app.get('/stats/population', {
    schema: {
      tags: ['stats'],
      summary: 'Distinct machines per build over five windows (population view)',
      description: `Client-time windows Overall, 14, 7, 3 and 1 days; internal and external machines. Defaults to classification=${POPULATION_DEFAULTS.classification} and system_name=${POPULATION_DEFAULTS.systemName} (reference); pass \`*\` to lift either.`,
      querystring: StatsQuery,
      response: { 200: PopulationResponse, ...QUERY_ERROR_RESPONSES },
    },
    handler: async (request) => {
      const parsed = parseRecordFilter(request.query, { defaultWindow: false });
      const filter: RecordFilter = {
        ...parsed,
        classification: parsed.classification ?? { kind: 'exact', value: POPULATION_DEFAULTS.classification },
        systemName: parsed.systemName ?? { kind: 'exact', value: POPULATION_DEFAULTS.systemName },
      };
      const days = POPULATION_WINDOWS.map((w) => w.days);
      const rows = await runReadQuery(context, listFilterRegexes(filter), (db) =>
        isMachineRollupFilter(filter) ? countRollupMachinesByBuild(db, filter, days) : countMachinesByBuild(db, filter, days),
      );
      return {
        classification: describeMatch(filter.classification),
        system_name: describeMatch(filter.systemName),
        windows: POPULATION_WINDOWS.map((w, i) => ({
          ...w,
          builds: rows.flatMap((r) => {
            const counts = r.windows[i] ?? { internal: 0, external: 0 };
            return counts.internal + counts.external > 0 ? [{ build: r.build, ...counts }] : [];
          }),
        })),
      };
    },
  });

  registerTimeseriesRoute(parent, context);
  registerReportRoutes(parent, context);
}

/** A match written back the way the query parameter takes it. */
function describeMatch(match: TextMatch | undefined): string {
  if (!match || match.kind === 'any') return '*';
  return match.kind === 'exact' ? match.value : `${match.value}*`;
}
