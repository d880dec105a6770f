// GET /api/export/records.csv and /api/export/records.jsonl: every record matching the
// shared filter (no default window, no row cap), newest first, streamed as an attachment.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatRecordResponse } from '../../protocol/record-response.ts';
import { openRecordExport, type ExportFormat } from '../export.ts';
import { parseChoice } from '../query-params.ts';
import type { QueryContext } from '../query-runner.ts';
import { formatReferenceRow, formatRfc4180Row, REFERENCE_CSV_HEADER, RFC4180_HEADER } from '../record-csv.ts';
import { parseRecordFilter, type RecordFilterQuery } from '../record-filter.ts';
import { QUERY_ERROR_RESPONSES } from '../schemas/errors.ts';
import { CsvBody, CsvExportQuery, JsonlBody, JsonlExportQuery } from '../schemas/export.ts';

const CSV_FORMATS: Record<'rfc4180' | 'reference', ExportFormat> = {
  rfc4180: { header: `${RFC4180_HEADER}\r\n`, formatRow: formatRfc4180Row },
  reference: { header: `${REFERENCE_CSV_HEADER}\n`, formatRow: formatReferenceRow },
};
const JSONL_FORMAT: ExportFormat = { header: '', formatRow: (row) => `${JSON.stringify(formatRecordResponse(row))}\n` };

export function registerExportRoutes(parent: FastifyInstance, context: QueryContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  // No HEAD twins: a HEAD would run the whole export only to drop it.
  app.get('/export/records.csv', {
    exposeHeadRoute: false,
    schema: {
      tags: ['export'],
      summary: 'Export records as CSV',
      description: 'Every record matching the filter (all time unless a time parameter is given), newest first, streamed.',
      querystring: CsvExportQuery,
      response: { 200: { description: 'CSV, streamed.', content: { 'text/csv': { schema: CsvBody } } }, ...QUERY_ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      const format = parseChoice(request.query.format, 'format', ['rfc4180', 'reference'] as const, 'rfc4180');
      return sendExport(context, request, reply, request.query, CSV_FORMATS[format], 'text/csv; charset=utf-8', 'csv');
    },
  });

  app.get('/export/records.jsonl', {
    exposeHeadRoute: false,
    schema: {
      tags: ['export'],
      summary: 'Export records as JSON Lines',
      description: 'Every record matching the filter (all time unless a time parameter is given), newest first, one JSON object per line, streamed.',
      querystring: JsonlExportQuery,
      response: { 200: { description: 'JSON Lines, streamed.', content: { 'application/x-ndjson': { schema: JsonlBody } } }, ...QUERY_ERROR_RESPONSES },
    },
    handler: async (request, reply) => sendExport(context, request, reply, request.query, JSONL_FORMAT, 'application/x-ndjson; charset=utf-8', 'jsonl'),
  });
}

async function sendExport(
  context: QueryContext,
  request: FastifyRequest,
  reply: FastifyReply,
  query: RecordFilterQuery,
  format: ExportFormat,
  contentType: string,
  extension: string,
) {
  const filter = parseRecordFilter(query, { defaultWindow: false });
  const stream = await openRecordExport(context, filter, format, (err) => request.log.error({ err }, 'export stopped: a page query failed'));
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return reply
    .header('Content-Type', contentType)
    .header('Content-Disposition', `attachment; filename="records-${stamp}.${extension}"`)
    .header('Cache-Control', 'no-store')
    .send(stream);
}
