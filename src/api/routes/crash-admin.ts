// Guilty and blacklist administration (reference §8.5 comment modal, §8.8): PATCH a
// guilty, hidden guilties, the blacklist, a record's frames and "Apply", and reprocess
// ("Submit"/"Reset") with progress. The work is processing/guilty-management.ts's.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { listCrashingFrames, parseCrashReport } from '../../crash/crash-report.ts';
import { isBacktraceClass } from '../../crash/guilty.ts';
import { listBlacklistEntries } from '../../db/queries/blacklist.ts';
import { findCrashAnalysis, findCrashRecordById } from '../../db/queries/crash-analysis.ts';
import { findGuiltyById, listHiddenGuilties } from '../../db/queries/guilty.ts';
import { listReprocessJobs, type ReprocessJob } from '../../db/queries/reprocess-jobs.ts';
import { withTransaction } from '../../db/transaction.ts';
import {
  addBlacklistEntry,
  applyToRecord,
  CrashRecordNotFoundError,
  GuiltyNotFoundError,
  removeBlacklistEntry,
  requestReprocess,
  setGuiltyComment,
  setGuiltyHidden,
  type BlacklistChange,
} from '../../processing/guilty-management.ts';
import { invalidParam, parseDigits } from '../query-params.ts';
import { runReadQuery, toQueryError, type QueryContext } from '../query-runner.ts';
import {
  AppliedRecordResponse,
  BlacklistChangeResponse,
  BlacklistEntryBody,
  BlacklistResponse,
  CrashRecordIdParams,
  EntryIdParams,
  GuiltyChangeBody,
  GuiltyIdParams,
  GuiltyRow,
  HiddenGuiltiesResponse,
  RecordFramesResponse,
  ReprocessBody,
  ReprocessJob as ReprocessJobSchema,
  ReprocessJobsResponse,
} from '../schemas/crashes.ts';
import { ErrorResponse, QUERY_ERROR_RESPONSES } from '../schemas/errors.ts';
import { formatGuilty } from './crash-reads.ts';

const POSTGRES_INT_MAX = 2_147_483_647;
const REPROCESS_JOBS_LISTED = 20;
// reference §8.8: frames the editor never offers.
const START_FUNCTION = /^_start/;
const LIBC_START_FUNCTION = /^__libc_start_main/;
const LIBC_MODULE = /libc\.so\.6/;

const notFound = (what: string) => ({ 404: { ...ErrorResponse, description: `${what} (code NOT_FOUND).` } });
const WRITE_ERRORS = { 400: { ...ErrorResponse, description: 'The body or a path parameter is invalid (code BODY_INVALID or QUERY_PARAM_INVALID; details name it).' }, 503: QUERY_ERROR_RESPONSES[503] };

export function registerCrashAdminRoutes(parent: FastifyInstance, context: QueryContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const write = <T>(work: () => Promise<T>): Promise<T> => work().catch((err: unknown) => Promise.reject(toQueryError(err, [], context.statementTimeoutMs)));

  app.patch('/crashes/guilties/:id', {
    schema: {
      tags: ['crashes'],
      summary: 'Comment, hide or show again a guilty',
      description: 'comment: at most 80 characters, `""` or null clears it; hidden: true hides the guilty from the top lists, false shows it again (reference §8.5, §8.8).',
      params: GuiltyIdParams,
      body: GuiltyChangeBody,
      response: { 200: GuiltyRow, ...WRITE_ERRORS, ...notFound('No guilty has this id') },
    },
    handler: async (request) => {
      const id = parseId(request.params.id, 'id', 'Guilty id value is invalid');
      const { comment, hidden } = request.body;
      const row = await write(() =>
        withTransaction(context.pool, async (db) => {
          let current = await findGuiltyById(db, id);
          if (current === null) throw new GuiltyNotFoundError(id);
          if (comment !== undefined) current = await setGuiltyComment(db, id, comment);
          if (hidden !== undefined) current = await setGuiltyHidden(db, id, hidden);
          return current;
        }),
      );
      return formatGuilty(row);
    },
  });

  app.get('/crashes/hidden-guilties', {
    schema: { tags: ['crashes'], summary: 'Hidden guilties (reference §8.8 "Manage hidden guilties")', response: { 200: HiddenGuiltiesResponse, ...QUERY_ERROR_RESPONSES } },
    handler: async () => ({ guilties: (await runReadQuery(context, [], (db) => listHiddenGuilties(db))).map(formatGuilty) }),
  });

  app.get('/crashes/blacklist', {
    schema: { tags: ['crashes'], summary: 'The guilty blacklist', response: { 200: BlacklistResponse, ...QUERY_ERROR_RESPONSES } },
    handler: async () => ({ entries: await runReadQuery(context, [], (db) => listBlacklistEntries(db)) }),
  });

  app.post('/crashes/blacklist', {
    schema: {
      tags: ['crashes'],
      summary: 'Blacklist a (function, module) pair',
      description: 'Idempotent: adding a present pair changes nothing (changed false, job null). A new entry queues a reprocess job of every crash record, which starts at once.',
      body: BlacklistEntryBody,
      response: { 200: BlacklistChangeResponse, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const change = await write(() => addBlacklistEntry(context.pool, request.body));
      if (change.changed) request.server.crash.wake();
      return formatChange(change);
    },
  });

  app.delete('/crashes/blacklist/:id', {
    schema: {
      tags: ['crashes'],
      summary: 'Remove a blacklist entry',
      description: 'Queues a reprocess job of every crash record, which starts at once.',
      params: EntryIdParams,
      response: { 200: BlacklistChangeResponse, ...WRITE_ERRORS, ...notFound('No blacklist entry has this id') },
    },
    handler: async (request) => {
      const id = parseId(request.params.id, 'id', 'Blacklist entry id value is invalid');
      const change = await write(() => removeBlacklistEntry(context.pool, id));
      if (change.changed) request.server.crash.wake();
      return formatChange(change);
    },
  });

  app.get('/crashes/records/:id/frames', {
    schema: {
      tags: ['crashes'],
      summary: "A crash record's frames for the per-record blacklist editor",
      params: CrashRecordIdParams,
      response: { 200: RecordFramesResponse, ...QUERY_ERROR_RESPONSES, ...notFound('No crash record has this id') },
    },
    handler: async (request) => {
      const id = parseRecordId(request.params.id);
      const classes = request.server.crash.options.classes;
      return runReadQuery(context, [], async (db) => {
        const record = await findCrashRecordById(db, id);
        if (record === null || !isBacktraceClass(record.classification, classes)) throw new CrashRecordNotFoundError(id);
        const analysis = await findCrashAnalysis(db, id);
        const blacklist = await listBlacklistEntries(db);
        const frames = listCrashingFrames(parseCrashReport(record.payload)).flatMap((f) => {
          if (f.module === null || START_FUNCTION.test(f.function)) return [];
          if (LIBC_START_FUNCTION.test(f.function) && LIBC_MODULE.test(f.module)) return [];
          const module = f.module;
          return [{ function: f.function, module, blacklisted: blacklist.some((e) => e.function === f.function && e.module === module) }];
        });
        const guilty =
          analysis?.guiltyId != null && analysis.guiltyFunction !== null && analysis.guiltyModule !== null
            ? { id: analysis.guiltyId, function: analysis.guiltyFunction, module: analysis.guiltyModule }
            : null;
        return { record_id: id, guilty, frames };
      });
    },
  });

  app.post('/crashes/records/:id/apply', {
    schema: {
      tags: ['crashes'],
      summary: '"Apply": recompute one crash record\'s guilty now with the current blacklist',
      params: CrashRecordIdParams,
      response: { 200: AppliedRecordResponse, ...WRITE_ERRORS, ...notFound('No crash record has this id') },
    },
    handler: async (request) => {
      const id = parseRecordId(request.params.id);
      const applied = await write(() => applyToRecord(context.pool, id, request.server.crash.options));
      return { record_id: applied.recordId, guilty: applied.guilty ? formatGuilty(applied.guilty) : null, signature: applied.signature };
    },
  });

  app.post('/crashes/reprocess', {
    schema: {
      tags: ['crashes'],
      summary: '"Submit"/"Reset": re-evaluate every crash record in the background',
      description: 'Queues a job (or joins the one waiting to start) and answers it; poll GET /api/crashes/reprocess for progress. Guilty rows are kept; each record\'s guilty is overwritten (reference §8.8).',
      body: ReprocessBody,
      response: { 200: ReprocessJobSchema, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const job = await write(() => requestReprocess(context.pool, request.body?.reason ?? 'reset'));
      request.server.crash.wake();
      return formatJob(job);
    },
  });

  app.get('/crashes/reprocess', {
    schema: { tags: ['crashes'], summary: 'Reprocess jobs with their progress, newest first', response: { 200: ReprocessJobsResponse, ...QUERY_ERROR_RESPONSES } },
    handler: async () => ({ jobs: (await runReadQuery(context, [], (db) => listReprocessJobs(db, REPROCESS_JOBS_LISTED))).map(formatJob) }),
  });
}

function parseId(value: string, param: string, message: string): number {
  const id = parseDigits(value);
  if (id === null || id > BigInt(POSTGRES_INT_MAX)) throw invalidParam(param, message, `must be digits only, at most ${POSTGRES_INT_MAX}`);
  return Number(id);
}

function parseRecordId(value: string): number {
  const id = parseDigits(value);
  if (id === null) throw invalidParam('id', 'Record id value is invalid', 'must be a record id (digits only)');
  if (id > BigInt(Number.MAX_SAFE_INTEGER) || id < 1n) throw new CrashRecordNotFoundError(Number(id));
  return Number(id);
}

function formatChange(change: BlacklistChange) {
  return { entry: change.entry, changed: change.changed, job: change.job ? formatJob(change.job) : null };
}

function formatJob(job: ReprocessJob) {
  return {
    id: job.id,
    reason: job.reason,
    requests: job.requests,
    requested_at: job.requestedAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
    total: job.total,
    done: job.done,
  };
}
