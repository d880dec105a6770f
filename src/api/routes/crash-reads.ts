// The crash views' reads (reference §8.5–§8.7): GET /api/crashes/guilties, /signatures,
// /guilties/{id}, /guilties/{id}/backtraces. Every system_name and build format counts
// unless the shared filter or build_pattern says otherwise (reference §8.13).

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { listCrashingFrames, parseCrashReport } from '../../crash/crash-report.ts';
import { demangle } from '../../crash/demangle.ts';
import { listGuiltyMachines, listGuiltyRecords, listTopCrashBuilds, listTopGuilties, listTopSignatures, type TopCrashesQuery as TopQuery } from '../../db/queries/crash-stats.ts';
import { findGuiltyById, type GuiltyRow } from '../../db/queries/guilty.ts';
import type { RecordFilter } from '../../db/queries/record-filter.ts';
import { AppError } from '../../errors.ts';
import { invalidParam, parseDigits, parseIntegerParam, parseTextParam } from '../query-params.ts';
import { runReadQuery, type QueryContext, type RegexParam } from '../query-runner.ts';
import { listFilterRegexes, parseRecordFilter } from '../record-filter.ts';
import {
  BACKTRACES_MAX,
  BacktracesQuery,
  BacktracesResponse,
  BUILD_COUNT_DEFAULT,
  BUILD_COUNT_MAX,
  GuiltyDetailQuery,
  GuiltyDetailResponse,
  GuiltyIdParams,
  TOP_CRASHES_LIMIT_DEFAULT,
  TOP_CRASHES_LIMIT_MAX,
  TOP_CRASHES_WINDOW_DAYS,
  TopCrashesQuery,
  TopGuiltiesResponse,
  TopSignaturesResponse,
} from '../schemas/crashes.ts';
import { ErrorResponse, QUERY_ERROR_RESPONSES } from '../schemas/errors.ts';

const POSTGRES_INT_MAX = 2_147_483_647;
const NOT_FOUND_RESPONSE = { 404: { ...ErrorResponse, description: 'No guilty has this id (code NOT_FOUND).' } };
const TOP_DESCRIPTION = `Counts crash records by their guilty frame (or signature) over the ${BUILD_COUNT_DEFAULT} newest builds (build_count), within the last ${TOP_CRASHES_WINDOW_DAYS} days of client time unless created_from/created_to are given (reference §8.5). Newest builds: by integer value when every candidate build is a plain integer, otherwise by each build's latest client time; chosen over all time, before the window. Hidden guilties are excluded. build= gives one build; the shared filter and build_pattern narrow the records.`;

export function registerCrashReadRoutes(parent: FastifyInstance, context: QueryContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/crashes/guilties', {
    schema: { tags: ['crashes'], summary: 'Top crash guilties per build', description: TOP_DESCRIPTION, querystring: TopCrashesQuery, response: { 200: TopGuiltiesResponse, ...QUERY_ERROR_RESPONSES } },
    handler: async (request) => {
      const { query, regexes } = parseTopQuery(request.query);
      return runReadQuery(context, regexes, async (db) => ({ builds: await listTopCrashBuilds(db, query, 'guilty'), guilties: await listTopGuilties(db, query) }));
    },
  });

  app.get('/crashes/signatures', {
    schema: { tags: ['crashes'], summary: 'Top crash signatures per build', description: TOP_DESCRIPTION, querystring: TopCrashesQuery, response: { 200: TopSignaturesResponse, ...QUERY_ERROR_RESPONSES } },
    handler: async (request) => {
      const { query, regexes } = parseTopQuery(request.query);
      return runReadQuery(context, regexes, async (db) => ({ builds: await listTopCrashBuilds(db, query, 'signature'), signatures: await listTopSignatures(db, query) }));
    },
  });

  app.get('/crashes/guilties/:id', {
    schema: {
      tags: ['crashes'],
      summary: 'A guilty with its machine mappings per build',
      description: 'All time unless the shared filter says otherwise; every build and system_name unless build_pattern or system_name narrow them (reference §8.6 kept only clear-linux-os and numeric builds).',
      params: GuiltyIdParams,
      querystring: GuiltyDetailQuery,
      response: { 200: GuiltyDetailResponse, ...QUERY_ERROR_RESPONSES, ...NOT_FOUND_RESPONSE },
    },
    handler: async (request) => {
      const id = parseGuiltyId(request.params.id);
      const filter = parseRecordFilter(request.query, { defaultWindow: false });
      const pattern = parseTextParam(request.query.build_pattern, 'build_pattern', 'Build pattern is invalid');
      const regexes = withPattern(listFilterRegexes(filter), pattern);
      return runReadQuery(context, regexes, async (db) => {
        const guilty = await findShownGuilty(db, id);
        const machines = await listGuiltyMachines(db, id, filter, pattern);
        return { ...formatGuilty(guilty), machines: machines.map((m) => ({ build: m.build, machine_id: m.machineId, count: m.count })) };
      });
    },
  });

  app.get('/crashes/guilties/:id/backtraces', {
    schema: {
      tags: ['crashes'],
      summary: 'The newest backtraces of a guilty, parsed, the guilty frame marked',
      description: `At most ${BACKTRACES_MAX} records, newest first; narrow with machine_id, build or any shared filter parameter (reference §8.7).`,
      params: GuiltyIdParams,
      querystring: BacktracesQuery,
      response: { 200: BacktracesResponse, ...QUERY_ERROR_RESPONSES, ...NOT_FOUND_RESPONSE },
    },
    handler: async (request) => {
      const id = parseGuiltyId(request.params.id);
      const filter = parseRecordFilter(request.query, { defaultWindow: false });
      const limit = parseIntegerParam(request.query.limit, 'limit', { min: 1, max: BACKTRACES_MAX, fallback: BACKTRACES_MAX });
      const { guilty, records } = await runReadQuery(context, listFilterRegexes(filter), async (db) => ({
        guilty: await findShownGuilty(db, id),
        records: await listGuiltyRecords(db, id, filter, limit),
      }));
      return {
        backtraces: records.map((r) => ({
          record_id: r.recordId,
          machine_id: r.machineId,
          build: r.build,
          program: r.program,
          signal: r.signal === null ? null : String(r.signal),
          frames: listCrashingFrames(parseCrashReport(r.payload)).map((f) => ({
            function: f.function,
            display_function: demangle(f.function),
            module: f.module ?? '',
            source: f.source ?? null,
            guilty: f.function === guilty.function && f.module === guilty.module,
          })),
        })),
      };
    },
  });
}

function parseTopQuery(raw: TopCrashesQuery): { query: TopQuery; regexes: RegexParam[] } {
  const parsed = parseRecordFilter(raw, { defaultWindow: false });
  const { createdFrom, createdTo, ...filter } = parsed;
  const buildPattern = parseTextParam(raw.build_pattern, 'build_pattern', 'Build pattern is invalid');
  const offset = parseIntegerParam(raw.offset, 'offset', { min: 0, max: 1_000_000, fallback: 0 });
  const limit = parseIntegerParam(raw.limit, 'limit', { min: 1, max: TOP_CRASHES_LIMIT_MAX, fallback: TOP_CRASHES_LIMIT_DEFAULT });
  const buildCount = parseIntegerParam(raw.build_count, 'build_count', { min: 1, max: BUILD_COUNT_MAX, fallback: BUILD_COUNT_DEFAULT });
  // reference §8.5 step 6: the last 7 days of client time, unless a client-time range is given.
  const defaultFrom = BigInt(Math.floor(Date.now() / 1000) - TOP_CRASHES_WINDOW_DAYS * 86_400);
  const windowed = createdFrom !== undefined || createdTo !== undefined;
  const query: TopQuery = { filter: filter as RecordFilter, buildCount, offset, limit };
  const from = windowed ? createdFrom : defaultFrom;
  if (from !== undefined) query.windowFrom = from;
  if (createdTo !== undefined) query.windowTo = createdTo;
  if (buildPattern !== undefined) query.buildPattern = buildPattern;
  return { query, regexes: withPattern(listFilterRegexes(parsed), buildPattern) };
}

function withPattern(regexes: RegexParam[], pattern: string | undefined): RegexParam[] {
  return pattern === undefined ? regexes : [...regexes, { param: 'build_pattern', regex: pattern }];
}

function parseGuiltyId(value: string): number {
  const id = parseDigits(value);
  if (id === null || id > BigInt(POSTGRES_INT_MAX)) throw invalidParam('id', 'Guilty id value is invalid', `must be a guilty id (digits only, at most ${POSTGRES_INT_MAX})`);
  return Number(id);
}

// reference §8.6: 404 also when the guilty's function is empty.
async function findShownGuilty(db: Parameters<typeof findGuiltyById>[0], id: number): Promise<GuiltyRow> {
  const guilty = await findGuiltyById(db, id);
  if (guilty === null || guilty.function === '') throw new AppError('NOT_FOUND', `Guilty ${id} not found`);
  return guilty;
}

/** A guilty row as the API shows it (`hide` is `hidden`). */
export function formatGuilty(row: GuiltyRow): { id: number; function: string; module: string; comment: string | null; hidden: boolean } {
  return { id: row.id, function: row.function, module: row.module, comment: row.comment, hidden: row.hide };
}
