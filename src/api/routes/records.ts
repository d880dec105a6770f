// GET /api/records (reference §5, v1.1.0 semantics plus the shared filter extensions),
// GET /api/records/{id} with its crash analysis, GET /api/machines/{machine_id}/records.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findRecordById, listRecords, type RecordRow } from '../../db/queries/records-query.ts';
import { AppError } from '../../errors.ts';
import { formatRecordResponse } from '../../protocol/record-response.ts';
import { invalidParam, parseDigits, parseIntegerParam, POSTGRES_BIGINT_MAX } from '../query-params.ts';
import { runReadQuery, type QueryContext } from '../query-runner.ts';
import { listFilterRegexes, parseRecordFilter } from '../record-filter.ts';
import { ErrorResponse, QUERY_ERROR_RESPONSES } from '../schemas/errors.ts';
import {
  MachineParams,
  RECORD_LIMIT_MAX,
  RecordDetailResponse,
  RecordIdParams,
  RecordsListResponse,
  RecordsQuery,
} from '../schemas/records.ts';

const MACHINE_ID_MAX_LENGTH = 32;

export function registerRecordRoutes(parent: FastifyInstance, context: QueryContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/records', {
    schema: {
      tags: ['records'],
      summary: 'List records, newest first (reference GET /api/records)',
      description: 'Without any time parameter, only records received in the last 30 days are listed (reference §5.2); give received_from (e.g. 0) to list older ones. Page with before_id.',
      querystring: RecordsQuery,
      response: { 200: RecordsListResponse, ...QUERY_ERROR_RESPONSES },
    },
    handler: async (request, reply) => answerRecords(context, request, reply, request.query),
  });

  app.get('/machines/:machine_id/records', {
    schema: {
      tags: ['records'],
      summary: 'List the records of one machine, newest first',
      description: 'Same parameters and defaults as GET /api/records; machine_id comes from the path.',
      params: MachineParams,
      querystring: RecordsQuery,
      response: { 200: RecordsListResponse, ...QUERY_ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      const machineId = request.params.machine_id;
      if ([...machineId].length > MACHINE_ID_MAX_LENGTH || machineId.includes('\u0000')) {
        throw invalidParam('machine_id', 'Machine id value is invalid', `must be at most ${MACHINE_ID_MAX_LENGTH} characters, without NUL`);
      }
      return answerRecords(context, request, reply, { ...request.query, machine_id: machineId });
    },
  });

  app.get('/records/:id', {
    schema: {
      tags: ['records'],
      summary: 'One record with its crash analysis',
      params: RecordIdParams,
      response: { 200: RecordDetailResponse, ...QUERY_ERROR_RESPONSES, 404: { ...ErrorResponse, description: 'No record has this id (code NOT_FOUND).' } },
    },
    handler: async (request) => {
      const id = parseDigits(request.params.id);
      if (id === null || id > POSTGRES_BIGINT_MAX) throw invalidParam('id', 'Record id value is invalid', 'must be a record id (digits only)');
      const found = await runReadQuery(context, [], (db) => findRecordById(db, id));
      if (!found) throw new AppError('NOT_FOUND', `Record ${id} not found`);
      const { record, analysis } = found;
      return {
        ...formatRecordResponse(record),
        processed: analysis ? true : null,
        guilty: analysis?.guilty ?? null,
        signature: analysis?.signature ?? null,
      };
    },
  });
}

async function answerRecords(context: QueryContext, request: FastifyRequest, reply: FastifyReply, query: RecordsQuery) {
  const filter = parseRecordFilter(query, { defaultWindow: true });
  // reference §5.1 validated limit by comparing strings ('5' > '1000'); §15 item 3 asks for integers.
  const limit = parseIntegerParam(query.limit, 'limit', { min: 0, max: RECORD_LIMIT_MAX, fallback: RECORD_LIMIT_MAX, message: 'Record limit value is invalid' });
  const rows = await runReadQuery(context, listFilterRegexes(filter), (db) => listRecords(db, filter, limit));
  const last = rows[rows.length - 1];
  if (last && rows.length === limit) void reply.header('Link', `<${nextPageUrl(request.url, last)}>; rel="next"`);
  return { records: rows.map(formatRecordResponse) };
}

function nextPageUrl(requestUrl: string, last: RecordRow): string {
  const url = new URL(requestUrl, 'http://localhost');
  url.searchParams.set('before_id', String(last.id));
  return `${url.pathname}${url.search}`;
}
